#include <vector>

int main() {
  std::vector<int> v(3);
  return v.at(10);  // std::out_of_range, never caught -> std::terminate -> SIGABRT
}
