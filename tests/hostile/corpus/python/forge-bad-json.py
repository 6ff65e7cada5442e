# A length prefix followed by bytes that are not JSON.
import os

os.write(3, b"\x00\x00\x00\x0c{not json!!}")
x = 1
