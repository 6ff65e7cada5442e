#include <iostream>

int depth(int n) {
  volatile char pad[256];
  pad[0] = static_cast<char>(n);
  return depth(n + 1) + pad[0];  // unbounded recursion: stack overflow
}

int main() {
  std::cout << "about to crash" << std::endl;
  int* p = nullptr;
  if (std::cin.peek() == 'r') return depth(0);
  *p = 42;  // null pointer write
  std::cout << *p << std::endl;
}
