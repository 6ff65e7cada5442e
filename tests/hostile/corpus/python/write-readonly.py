# Writes, creates, deletes and chmods on the read-only root filesystem; each must fail.
import os

targets = ["/tchostile", "/etc/tchostile", "/etc/passwd", "/opt/tracecast/tchostile", "/opt/tracecast/tracer.py",
           "/usr/bin/tchostile", "/var/tchostile", "/root/tchostile", "/proc/sys/kernel/hostname",
           "/sys/fs/cgroup/tchostile", "/sys/kernel/tchostile"]
for path in targets:
    try:
        with open(path, "a") as fh:
            fh.write("tchostile\n")
        print("WROTE", path)
    except OSError as e:
        print("refused", path, e.strerror)
for op, args in [("mkdir", ("/etc/tchostile-dir",)), ("remove", ("/opt/tracecast/tracer.py",)),
                 ("chmod", ("/etc/passwd", 0o777)), ("rename", ("/etc/hostname", "/etc/tchostile-h")),
                 ("utime", ("/opt/tracecast/tracer.py", (0, 0)))]:
    try:
        getattr(os, op)(*args)
        print("SUCCEEDED", op, args)
    except OSError as e:
        print("refused", op, e.strerror)
