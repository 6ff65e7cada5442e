#include <cstdio>

int main() {
  std::puts("returning 3");
  return 3;
}
