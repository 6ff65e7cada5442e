# Writes what a reusable container's supervisor writes after a run (its end record: a 0xFFFFFFFF
# length, then "TOKEN STATUS OOM"), with a guessed token, then keeps running: its run must not end
# as if it were over, nor leave anything for the owner's next run.
import os
import time

os.write(3, b"\xff\xff\xff\xff" + b"AAAAAAAAAAAAAAAAAAAAAAAA 0 0\n")
for i in range(50):
    print("still here", i, flush=True)
    time.sleep(0.01)
