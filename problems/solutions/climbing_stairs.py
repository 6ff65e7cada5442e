def climb_stairs(n):
    a, b = 1, 1          # ways to reach steps 0 and 1
    for _ in range(n - 1):
        a, b = b, a + b
    return b
