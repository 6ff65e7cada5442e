class Node:
    def __init__(self, val, nxt=None):
        self.val = val
        self.next = nxt

class Stack:
    kind = "lifo"

    def __init__(self):
        self.head = None
        self.size = 0

    def push(self, v):
        self.head = Node(v, self.head)
        self.size += 1

    def pop(self):
        node = self.head
        self.head = node.next
        self.size -= 1
        return node.val

    @property
    def empty(self):
        return self.head is None

    def __repr__(self):
        return "Stack(%d)" % self.size

class Counted(Stack):
    @staticmethod
    def describe():
        return "counted"

    @classmethod
    def make(cls):
        return cls()

s = Counted.make()
for i in range(3):
    s.push(i)
while not s.empty:
    print(s.pop())
print(repr(s), Counted.describe())
