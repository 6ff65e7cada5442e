# /tmp is noexec: a script or binary copied there cannot run.
import os
import shutil
import subprocess

with open("/tmp/tchostile.sh", "w") as fh:
    fh.write("#!/bin/sh\necho EXECUTED\n")
os.chmod("/tmp/tchostile.sh", 0o755)
shutil.copy("/bin/true", "/tmp/tchostile-true")
os.chmod("/tmp/tchostile-true", 0o755)
for prog in ["/tmp/tchostile.sh", "/tmp/tchostile-true"]:
    try:
        subprocess.run([prog], check=True)
        print("RAN", prog)
    except OSError as e:
        print("blocked", prog, e.strerror)
