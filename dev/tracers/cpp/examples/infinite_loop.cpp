// Never ends: the host's wall clock stops it (no end frame comes from the sandbox).
#include <iostream>

int main() {
  std::cout << "looping forever" << std::endl;
  volatile unsigned long n = 0;
  for (;;) ++n;
}
