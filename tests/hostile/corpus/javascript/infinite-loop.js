// A traced infinite loop: the step cap ends it.
let n = 0;
while (true) {
  n++;
}
