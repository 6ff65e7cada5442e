# One 50 MB line without a newline inside.
print("L" * (50 * 1024 * 1024))
