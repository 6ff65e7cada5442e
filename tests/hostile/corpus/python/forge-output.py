# A forged `output` frame: at most it shows up as output text.
import json
import os
import struct

frame = json.dumps({"t": "output", "stream": "stdout", "text": "FORGED-OUTPUT\n", "step": 0}).encode()
os.write(3, struct.pack(">I", len(frame)) + frame)
print("real output")
