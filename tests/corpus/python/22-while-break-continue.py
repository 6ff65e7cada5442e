# while loops with break and continue; else on a loop.
n = 0
odds = []
while True:
    n += 1
    if n % 2 == 0:
        continue
    if n > 11:
        break
    odds.append(n)

k = 2
candidate = 29
while k * k <= candidate:
    if candidate % k == 0:
        is_prime = False
        break
    k += 1
else:
    is_prime = True
print(odds, is_prime)
