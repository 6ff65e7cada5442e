// The viz API: an explicit visualization of selection sort
const data = [4, 2, 5, 1, 3];
const a = viz.array('data', data);
viz.note('selection sort');
for (let i = 0; i < data.length; i++) {
  let min = i;
  for (let j = i + 1; j < data.length; j++) {
    a.select(j);
    if (data[j] < data[min]) min = j;
    a.deselect(j);
  }
  [data[i], data[min]] = [data[min], data[i]];
  a.patch(i, data[i]);
  a.patch(min, data[min]);
  viz.step('placed', { index: i, value: data[i] });
}
a.depatch(0);
console.log(data);
