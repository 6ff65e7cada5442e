# TCP to the host: its own addresses (filled in by the test), the Docker bridge gateway, usual VM gateways.
# The test listens on HOST_PORT on every host address and checks no connection arrives.
import socket

port = __HOST_PORT__
addresses = __HOST_ADDRESSES__ + ["172.17.0.1", "10.0.2.2", "192.168.65.2", "host.docker.internal", "gateway.docker.internal"]
for addr in addresses:
    try:
        s = socket.create_connection((addr, port), timeout=1)
        s.sendall(b"tchostile")
        print("CONNECTED", addr)
        s.close()
    except OSError as e:
        print("blocked", addr, type(e).__name__, e)
