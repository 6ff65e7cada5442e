# A traced infinite loop: the step cap ends it.
n = 0
while True:
    n += 1
