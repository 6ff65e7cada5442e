# Raw and packet sockets need CAP_NET_RAW; UDP to a public resolver has no route.
import socket

for name, family, kind, proto in [("raw-icmp", socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
                                  ("packet", socket.AF_PACKET, socket.SOCK_RAW, 0)]:
    try:
        socket.socket(family, kind, proto).close()
        print("OPENED", name)
    except OSError as e:
        print("blocked", name, e.strerror)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    u.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01", ("8.8.8.8", 53))
    print("SENT udp")
except OSError as e:
    print("udp blocked", e.strerror)
print("interfaces:", socket.if_nameindex())
