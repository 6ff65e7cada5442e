# The Docker socket (and its usual aliases) is not in the container.
import socket

for path in ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/tmp/docker.sock"]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        s.sendall(b"GET /containers/json HTTP/1.0\r\n\r\n")
        print("CONNECTED", path, s.recv(200))
    except OSError as e:
        print("blocked", path, e.strerror)
    finally:
        s.close()
