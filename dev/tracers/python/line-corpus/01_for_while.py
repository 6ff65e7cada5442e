total = 0
for i in range(5):
    if i % 2 == 0:
        continue
    total += i
n = 10
while n > 0:
    n -= 3
k = 0
while k < 3: k += 1
count = 0
while True:
    count += 1
    if count >= 4:
        break
else:
    count = -1
for x in []:
    pass
else:
    total += 100
print(total, n, k, count)
