# A real segmentation fault in native code.
import ctypes

print("before")
ctypes.memset(8, 0, 16)
