// Read-only paths, symlinks and hard links to host-looking paths, a full /tmp.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

int main() {
  const char* targets[] = {"/tchostile", "/etc/tchostile", "/etc/passwd", "/opt/tracecast/tchostile", "/opt/tracecast/runner.py", "/usr/bin/tchostile"};
  for (const char* t : targets) {
    int fd = open(t, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) { std::printf("WROTE %s\n", t); close(fd); } else std::printf("refused %s: %s\n", t, std::strerror(errno));
  }
  symlink("/var/run/docker.sock", "/tmp/tchostile-docker");
  if (link("/etc/passwd", "/tmp/tchostile-hard") == 0) std::puts("HARDLINKED"); else std::printf("hard link refused: %s\n", std::strerror(errno));
  int fd = open("/tmp/tchostile-fill", O_WRONLY | O_CREAT, 0644);
  static char mb[1 << 20];
  long n = 0;
  while (write(fd, mb, sizeof mb) == static_cast<ssize_t>(sizeof mb)) n++;
  std::printf("tmp full after %ld MiB: %s\n", n, std::strerror(errno));
}
