# Becoming root, uncaught: PermissionError.
import os

os.setuid(0)
print("ROOT")
