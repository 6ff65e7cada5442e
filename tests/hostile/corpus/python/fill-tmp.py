# Fills /tmp (a small tmpfs) until the disk is full: OSError ENOSPC, uncaught.
with open("/tmp/tchostile-fill", "wb") as fh:
    while True:
        fh.write(b"\0" * (1 << 20))
        fh.flush()
