# The simplest fork: the child prints and exits, the parent waits. Both copies of the process hold
# the tracer; the child must not be able to corrupt the run's frames.
import os

pid = os.fork()
if pid == 0:
    print("child says hi")
    total = sum(range(10))
    os._exit(0)
os.waitpid(pid, 0)
print("parent done")
