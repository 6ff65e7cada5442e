#include <iostream>

int main() {
  int total = 0;
  std::cout << totl << std::endl;  // typo: 'totl' was not declared
}
