# Name resolution, uncaught: there is no network at all.
import socket

print(socket.getaddrinfo("example.com", 80))
