# Double fork + setsid: the grandchild becomes a session leader, re-parented, with its
# own process group, ignores SIGHUP/SIGTERM and execs a long sleep. It must not outlive the run.
import os
import signal

pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.execv("/bin/sleep", ["sleep", "987001"])
    os._exit(0)
os.waitpid(pid, 0)
print("parent done")
