import sys

while True:
    print("e" * 200, file=sys.stderr)
