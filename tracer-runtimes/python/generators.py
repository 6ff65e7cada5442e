"""Built-in input generators for bench mode (../CHANNEL.md, "bench mode").

Each generator is `gen(n, rng) -> list of positional arguments`, `rng` a
random.Random. bench.py seeds one random.Random per size with `size_seed(seed, n)`,
so the input for a size depends only on (name, seed, n): the same on every run, and
independent of which other sizes the job lists. javascript/generators.mjs has the
same generators over a mulberry32 PRNG (same shapes and distributions, different
numbers).

| name           | args                                                                    |
|----------------|-------------------------------------------------------------------------|
| random_ints    | [list of n ints in [-10n, 10n]]                                         |
| sorted_ints    | [the same, sorted ascending]                                            |
| reversed_ints  | [the same, sorted descending]                                           |
| string         | [random lowercase string of length n]                                   |
| sorted_target  | [sorted list of n distinct ints in [-10n, 10n], target]; the target is  |
|                | absent (the worst case for a search), inside the range when possible    |
| two_sum        | [list of n ints (n >= 2), target]: exactly one pair i < j has           |
|                | a[i] + a[j] == target, and it is the last two positions (the worst case |
|                | for searches that stop at the pair). Every other value is 1 mod 4, the  |
|                | pair's values and the target are 0 mod 4, so no other pair can match.   |
| graph          | [adj, 0]: a connected undirected graph of n nodes as a list of lists,   |
|                | adj[v] = neighbours of v (each edge listed at both ends): a random      |
|                | spanning tree (node v joins a random earlier node) plus n extra distinct |
|                | random edges (fewer when the graph would be complete): ~2n edges.       |
|                | Start node 0.                                                           |
"""

LOWER = "abcdefghijklmnopqrstuvwxyz"


def size_seed(seed, n):
    """The seed of the generator for size n: a 32-bit mix of the job's seed and n."""
    try:
        s = int(seed)
    except (TypeError, ValueError, OverflowError):
        s = 0
    return (s * 1000003 + int(n)) & 0xFFFFFFFF


def _ints(n, rng):
    lo = -10 * n
    hi = 10 * n
    r = rng.randint
    return [r(lo, hi) for _ in range(n)]


def random_ints(n, rng):
    return [_ints(n, rng)]


def sorted_ints(n, rng):
    a = _ints(n, rng)
    a.sort()
    return [a]


def reversed_ints(n, rng):
    a = _ints(n, rng)
    a.sort(reverse=True)
    return [a]


def string(n, rng):
    return ["".join(rng.choices(LOWER, k=n))]


def sorted_target(n, rng):
    lo = -10 * n
    hi = 10 * n
    a = sorted(rng.sample(range(lo, hi + 1), n)) if n > 0 else []
    # Always absent (the worst case: a search runs to the end), so the op count follows the size, not luck.
    present = set(a)
    target = hi + 1
    for _ in range(64):
        t = rng.randint(lo, hi)
        if t not in present:
            target = t
            break
    return [a, target]


def two_sum(n, rng):
    n = max(2, n)
    span = 10 * n
    # filler values 4m+1 in [-span, span]
    m_lo = -((span + 1) // 4)
    m_hi = (span - 1) // 4
    r = rng.randint
    a = [4 * r(m_lo, m_hi) + 1 for _ in range(n - 2)]
    k = max(1, span // 8)
    x = 4 * r(-k, k)
    y = 4 * r(-k, k)
    if rng.random() < 0.5:
        a.append(x)
        a.append(y)
    else:
        a.append(y)
        a.append(x)
    return [a, x + y]


def graph(n, rng):
    adj = [[] for _ in range(n)]
    seen = set()
    randrange = rng.randrange
    for v in range(1, n):
        u = randrange(v)
        adj[u].append(v)
        adj[v].append(u)
        seen.add((u, v))
    extra = min(n, n * (n - 1) // 2 - max(0, n - 1))
    tries = 20 * extra + 100
    while extra > 0 and tries > 0:
        tries -= 1
        u = randrange(n)
        v = randrange(n)
        if u == v:
            continue
        if u > v:
            u, v = v, u
        if (u, v) in seen:
            continue
        seen.add((u, v))
        adj[u].append(v)
        adj[v].append(u)
        extra -= 1
    return [adj, 0]


GENERATORS = {
    "random_ints": random_ints,
    "sorted_ints": sorted_ints,
    "reversed_ints": reversed_ints,
    "string": string,
    "sorted_target": sorted_target,
    "two_sum": two_sum,
    "graph": graph,
}
