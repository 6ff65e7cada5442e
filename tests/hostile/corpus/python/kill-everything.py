# Forks children, then kill(-1, SIGKILL), SIGKILL to PID 1 and to its own process group.
import os
import signal
import time

kids = []
for _ in range(5):
    pid = os.fork()
    if pid == 0:
        time.sleep(100)
        os._exit(0)
    kids.append(pid)
os.kill(-1, signal.SIGKILL)
for sig in [signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP]:
    try:
        os.kill(1, sig)
    except OSError as e:
        print("kill 1", sig, e.strerror)
reaped = [os.waitpid(p, 0)[1] for p in kids]
print("children killed:", all(os.WIFSIGNALED(s) for s in reaped))
print("survived")
