import sys
name = input('name? ')
n = int(input())
total = 0
for i in range(n):
    total += i
    print('i =', i, end='; ')
print()
sys.stdout.write('direct\n')
print('to stderr', file=sys.stderr)
line = sys.stdin.readline()
rest = input()
