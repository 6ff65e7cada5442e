# A child attaches to PID 1 with ptrace (the supervisor of a reusable container, the tracer in a single-use one), waits for it to stop, then detaches.
# Same user, same container: not an escape, but the run must still end normally.
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    rc = libc.ptrace(16, 1, None, None)  # PTRACE_ATTACH
    err = ctypes.get_errno()
    if rc == 0:
        status = ctypes.c_int()
        libc.waitpid(1, ctypes.byref(status), 0x40000000)  # __WALL
        libc.ptrace(17, 1, None, None)  # PTRACE_DETACH
    os.write(w, ("attach: %s" % ("attached and detached" if rc == 0 else os.strerror(err))).encode())
    os._exit(0)
os.waitpid(pid, 0)
print(os.read(r, 200).decode())
print("done")
