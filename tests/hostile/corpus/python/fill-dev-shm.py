# /dev/shm is another writable tmpfs: fill it and report how far it got.
import errno

n = 0
try:
    with open("/dev/shm/tchostile-fill", "wb") as fh:
        while n < 200:
            fh.write(b"\1" * (1 << 20))
            fh.flush()
            n += 1
except OSError as e:
    print("stopped:", errno.errorcode.get(e.errno, e.errno))
print("MiB written:", n)
