# A length prefix announcing a 4 GiB frame: the runner must not wait for (or buffer) it.
import os

os.write(3, b"\xff\xff\xff\xff" + b"A" * 1000)
x = 1
