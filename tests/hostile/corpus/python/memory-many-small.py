# Many small allocations, none of them large: 4 KiB buffers until the limit.
chunks = list(map(bytearray, [4096] * 200_000))
print(len(chunks))
