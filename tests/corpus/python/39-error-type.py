# Uncaught TypeError: adding a string to a number in a helper.
def describe(label, count):
    return label + ": " + count


parts = []
parts.append(describe("apples", "3"))
parts.append(describe("pears", 4))
print(parts)
