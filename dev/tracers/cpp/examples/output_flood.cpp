#include <cstdio>

int main() {
  for (long i = 0;; ++i) std::printf("line %ld of a lot of output\n", i);
}
