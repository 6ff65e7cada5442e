# Children that close their inherited descriptors, leave the process group and spin.
import os

for i in range(5):
    if os.fork() == 0:
        os.setsid()
        for fd in range(0, 64):
            try:
                os.close(fd)
            except OSError:
                pass
        os.execv("/bin/sh", ["sh", "-c", "while :; do :; done # 987002"])
print("spawned 5 spinning children")
