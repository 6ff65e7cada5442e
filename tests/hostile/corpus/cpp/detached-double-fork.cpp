// Double fork + setsid + exec of a long sleep, signals ignored: must not outlive the run.
#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

int main() {
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    if (fork() == 0) {
      signal(SIGHUP, SIG_IGN);
      signal(SIGTERM, SIG_IGN);
      execl("/bin/sleep", "sleep", "987201", static_cast<char*>(nullptr));
    }
    _exit(0);
  }
  waitpid(pid, nullptr, 0);
  std::puts("parent done");
}
