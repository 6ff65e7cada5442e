# Nested lists as a matrix: build, transpose and multiply.
def make(rows, cols, start):
    m = []
    for r in range(rows):
        row = []
        for c in range(cols):
            row.append(start + r * cols + c)
        m.append(row)
    return m


def transpose(m):
    return [[m[r][c] for r in range(len(m))] for c in range(len(m[0]))]


def matmul(a, b):
    out = [[0] * len(b[0]) for _ in range(len(a))]
    for i in range(len(a)):
        for j in range(len(b[0])):
            for k in range(len(b)):
                out[i][j] += a[i][k] * b[k][j]
    return out


A = make(2, 3, 1)
B = transpose(A)
C = matmul(A, B)
print(C)
