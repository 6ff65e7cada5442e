# One 50 MB write of bytes that are not UTF-8 through sys.stdout.buffer (the fast output of competitive programming).
import sys

sys.stdout.buffer.write(b"\xff" * (50 * 1024 * 1024))
