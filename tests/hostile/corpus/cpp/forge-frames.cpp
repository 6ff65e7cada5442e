// The program is a child of the runtime (PID 1), same user: it opens PID 1's descriptors through
// /proc/1/fd and writes a forged `steps` frame to every pipe it can, then garbage to the viz pipe.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <unistd.h>

int main() {
  const std::string body = R"({"t":"steps","steps":[{"i":999999,"ev":"line","line":1,"fn":"main","depth":0}]})";
  unsigned char head[4] = {0, 0, static_cast<unsigned char>(body.size() >> 8), static_cast<unsigned char>(body.size())};
  DIR* d = opendir("/proc/1/fd");
  int opened = 0;
  while (d) {
    dirent* e = readdir(d);
    if (!e) break;
    std::string path = std::string("/proc/1/fd/") + e->d_name;
    char target[256] = {0};
    if (readlink(path.c_str(), target, sizeof target - 1) <= 0 || std::strncmp(target, "pipe:", 5) != 0) continue;
    int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd < 0) continue;
    opened++;
    (void)!write(fd, head, 4);
    (void)!write(fd, body.data(), body.size());
    close(fd);
  }
  std::printf("opened %d of PID 1's pipes\n", opened);
  (void)!write(3, "not json\n", 9);
}
