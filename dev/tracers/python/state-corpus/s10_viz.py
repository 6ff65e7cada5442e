data = [5, 2, 4, 1]
arr = viz.array('data', data)
viz.note('start sorting')
for i in range(len(data)):
    for j in range(len(data) - 1 - i):
        arr.select(j, j + 1)
        if data[j] > data[j + 1]:
            data[j], data[j + 1] = data[j + 1], data[j]
            arr.patch(j, data[j])
            arr.patch(j + 1, data[j + 1])
        arr.deselect(j, j + 1)
    viz.step('pass %d' % i, {'sorted_tail': data[len(data) - 1 - i:]})
arr.depatch(0)
viz.step('done')
