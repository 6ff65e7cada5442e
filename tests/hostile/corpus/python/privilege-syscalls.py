# setuid/setgid, mount, unshare, chroot, module loading, bpf, keyctl, setns through libc: every one refused.
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)


def attempt(name, fn):
    try:
        r = fn()
    except OSError as e:
        print(name, "refused:", e.strerror)
        return
    err = ctypes.get_errno()
    print(name, "->", r, os.strerror(err) if r == -1 else "SUCCEEDED")


attempt("setuid(0)", lambda: libc.setuid(0))
attempt("setgid(0)", lambda: libc.setgid(0))
attempt("setresuid(0)", lambda: libc.setresuid(0, 0, 0))
attempt("mount tmpfs", lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
attempt("mount proc", lambda: libc.mount(b"proc", b"/tmp", b"proc", 0, None))
attempt("unshare(USER|NS)", lambda: libc.unshare(0x10000000 | 0x00020000))
attempt("unshare(NET)", lambda: libc.unshare(0x40000000))
attempt("chroot", lambda: libc.chroot(b"/tmp"))
attempt("sethostname", lambda: libc.sethostname(b"tchostile", 9))
attempt("reboot", lambda: libc.reboot(0x4321FEDC))
attempt("init_module", lambda: libc.syscall(175, None, 0, b""))
attempt("bpf", lambda: libc.syscall(321, 0, None, 0))
attempt("keyctl", lambda: libc.syscall(250, 0, 0, 0, 0))
attempt("setns", lambda: libc.setns(os.open("/proc/1/ns/net", os.O_RDONLY), 0))
