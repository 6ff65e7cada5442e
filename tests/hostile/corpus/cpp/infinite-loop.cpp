// An infinite loop the optimizer cannot remove.
int main() {
  volatile unsigned long n = 0;
  for (;;) n = n + 1;
}
