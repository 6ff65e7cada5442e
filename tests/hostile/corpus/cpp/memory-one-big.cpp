// One 400 MB allocation, touched, under a 128 MB limit (volatile: the optimizer may not drop it).
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main() {
  const unsigned long size = 400ul << 20;
  char* volatile p = static_cast<char*>(std::malloc(size));
  if (!p) return 2;
  std::memset(p, 7, size);
  std::printf("%d\n", p[size / 2]);
}
