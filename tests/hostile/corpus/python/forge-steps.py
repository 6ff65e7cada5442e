# A forged `steps` frame, correctly length-prefixed, written to every descriptor that might be the
# frame channel (fd 3 is the tracer's, per CHANNEL.md). The runner must reject it: internal_error.
import json
import os
import struct

frame = json.dumps({"t": "steps", "steps": [{"i": 999999, "ev": "line", "line": 1, "fn": "<module>", "depth": 0}]}).encode()
for fd in range(3, 10):
    try:
        os.write(fd, struct.pack(">I", len(frame)) + frame)
    except OSError:
        pass
x = 1
