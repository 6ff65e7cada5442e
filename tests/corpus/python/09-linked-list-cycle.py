# A singly linked list that gets a cycle, detected with Floyd's tortoise and hare.
class Node:
    def __init__(self, val):
        self.val = val
        self.next = None


head = Node(1)
cur = head
for v in range(2, 7):
    cur.next = Node(v)
    cur = cur.next
tail = cur
tail.next = head.next.next  # cycle back to node 3


def has_cycle(node):
    slow = fast = node
    while fast is not None and fast.next is not None:
        slow = slow.next
        fast = fast.next.next
        if slow is fast:
            return True
    return False


print(has_cycle(head))
