# Objects whose every hook misbehaves, held in variables the tracer must show without running them.
class Evil:
    def __repr__(self):
        while True:
            pass

    def __eq__(self, other):
        raise RuntimeError("eq called")

    def __hash__(self):
        raise RuntimeError("hash called")

    def __len__(self):
        raise RuntimeError("len called")

    def __getattribute__(self, name):
        raise RuntimeError("getattr " + name)

    def __dir__(self):
        raise RuntimeError("dir called")


class Liar(list):
    def __len__(self):
        return 10 ** 18

    def __iter__(self):
        while True:
            yield self


e = Evil()
liar = Liar([1, 2, 3])
d = {1: e}
print("held them")
