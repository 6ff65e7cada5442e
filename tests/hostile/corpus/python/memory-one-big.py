# One 400 MB allocation under a 128 MB limit.
blob = b"x" * (400 * 1024 * 1024)
print(len(blob))
