# Files that describe the host or the container runtime; none may hold the server's secrets.
import glob

paths = ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/proc/self/cgroup", "/proc/self/mountinfo",
         "/proc/1/mountinfo", "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/pids.max", "/proc/net/tcp",
         "/proc/net/unix", "/proc/kmsg", "/proc/kcore", "/proc/sched_debug", "/proc/keys", "/sys/kernel/security"]
paths += glob.glob("/run/secrets/*") + glob.glob("/var/run/*")
for path in paths:
    try:
        with open(path, "rb") as fh:
            print("==", path, fh.read(2000).decode("utf-8", "replace"))
    except OSError as e:
        print("==", path, "blocked:", e.strerror)
