# A child process tries the frame channel's descriptor: it is close-on-exec, so the shell cannot use it.
import subprocess

r = subprocess.run(["/bin/sh", "-c", "printf '\\000\\000\\000\\022{\"t\":\"end\",\"x\":1}' >&3 && echo WROTE-FD3"],
                   capture_output=True, text=True)
print("status", r.returncode, r.stdout.strip(), r.stderr.strip())
