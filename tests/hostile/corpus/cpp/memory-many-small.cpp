// Many small allocations, each touched, until the limit.
#include <cstdio>
#include <cstring>
#include <vector>

int main() {
  std::vector<char*> keep;
  for (;;) {
    char* p = new char[4096];
    std::memset(p, 1, 4096);
    keep.push_back(p);
  }
}
