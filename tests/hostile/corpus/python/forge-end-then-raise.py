# A forged `end` frame claiming success, then an uncaught exception (the tracer sends its own end).
import json
import os
import struct

frame = json.dumps({"t": "end", "status": "ok", "steps": 0, "peakRssKb": 1}).encode()
os.write(3, struct.pack(">I", len(frame)) + frame)
raise ValueError("the real outcome")
