# Backtracking: all subsets of a list via recursion and a shared path list.
def subsets(items):
    out = []
    path = []

    def go(i):
        if i == len(items):
            out.append(path[:])
            return
        go(i + 1)
        path.append(items[i])
        go(i + 1)
        path.pop()

    go(0)
    return out


print(subsets(["a", "b", "c"]))
