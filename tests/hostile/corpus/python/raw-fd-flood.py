# Straight to the descriptors, bypassing the tracer's print.
import os

chunk = b"r" * 65536
while True:
    os.write(1, chunk)
    os.write(2, chunk)
