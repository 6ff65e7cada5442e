# Uncaught AttributeError on None returned by a function that forgot to return.
class Stack:
    def __init__(self):
        self.items = []

    def push(self, x):
        self.items.append(x)


def build():
    s = Stack()
    s.push(1)
    s.push(2)


stack = build()
stack.push(3)
