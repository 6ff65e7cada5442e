# Classic fork bomb: every process forks forever. The pids limit stops it; the run must
# still end (uncaught BlockingIOError in the first process) and leave nothing behind.
import os

while True:
    os.fork()
