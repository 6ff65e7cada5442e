# Threads until the pids limit refuses one: RuntimeError "can't start new thread".
# The threads never end, so the interpreter would wait for them forever at exit.
import threading
import time

threads = []
while True:
    t = threading.Thread(target=time.sleep, args=(10 ** 6,))
    t.start()
    threads.append(t)
