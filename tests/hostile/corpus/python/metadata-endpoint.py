# The cloud metadata endpoint, uncaught: the connection attempt itself must fail.
import socket

s = socket.create_connection(("169.254.169.254", 80), timeout=2)
s.sendall(b"GET /latest/meta-data/ HTTP/1.0\r\n\r\n")
print(s.recv(1000))
