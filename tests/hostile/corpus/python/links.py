# Symlinks and hard links to host-looking paths, then reads and writes through them.
import os

for name, target in [("docker", "/var/run/docker.sock"), ("root", "/proc/1/root"), ("host-etc", "/etc"),
                     ("work", "/work/main"), ("shadow", "/etc/shadow"), ("cwd", "/proc/1/cwd")]:
    link = "/tmp/tchostile-" + name
    os.symlink(target, link)
    try:
        print(name, "->", sorted(os.listdir(link))[:5] if os.path.isdir(link) else open(link, "rb").read(40))
    except OSError as e:
        print(name, "blocked:", e.strerror)
for target in ["/etc/passwd", "/opt/tracecast/tracer.py", "/proc/1/environ"]:
    try:
        os.link(target, "/tmp/tchostile-hard")
        print("HARDLINKED", target)
        os.remove("/tmp/tchostile-hard")
    except OSError as e:
        print("hard link", target, "blocked:", e.strerror)
try:
    with open("/tmp/tchostile-host-etc/tchostile", "w") as fh:
        fh.write("x")
    print("WROTE through a symlink")
except OSError as e:
    print("write through symlink blocked:", e.strerror)
