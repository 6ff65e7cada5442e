# A forged `end` frame claiming success, then a loop that never ends.
import itertools
import json
import os
import struct

frame = json.dumps({"t": "end", "status": "ok", "steps": 0, "peakRssKb": 1}).encode()
os.write(3, struct.pack(">I", len(frame)) + frame)
sum(itertools.count())
