// One 50 MB line of bytes that are not UTF-8 (0xff), written straight to fd 1 and fd 2.
#include <cstring>
#include <unistd.h>
#include <vector>

int main() {
  std::vector<char> buf(50u << 20, static_cast<char>(0xff));
  for (std::size_t off = 0; off < buf.size();) {
    ssize_t n = write(off % 2 ? 2 : 1, buf.data() + off, buf.size() - off);
    if (n <= 0) return 1;
    off += static_cast<std::size_t>(n);
  }
}
