/*
 * tracecast-exec REPORT_FD PROG [ARGS...]: runs PROG as its child and reports, on
 * REPORT_FD, "pid <pid>\n" once started and "end <wait status> <ru_maxrss KB>\n" when it
 * ends. runner.py starts the learner's program through it (compiled when the image is built).
 *
 * Why: runner.py (Python, ~14 MB resident) starts processes with vfork+exec, and at exec the
 * kernel folds the starting process's RSS high-water mark into the new program's ru_maxrss,
 * so wait4() in runner.py can never report less than runner.py's own footprint. Forked from
 * this ~1 MB process instead, the program's ru_maxrss is its own.
 *
 * Everything else (stdin/stdout/stderr, the viz descriptor, the process group, signal
 * dispositions) is inherited unchanged. runner.py kills the program by the reported pid,
 * this process then reports and exits; the whole process group is killed afterwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) return 126;
  int report = atoi(argv[1]);
  if (report < 3 || fcntl(report, F_SETFD, FD_CLOEXEC) != 0) return 126;
  pid_t pid = fork();
  if (pid < 0) {
    dprintf(report, "error fork: %d\n", errno);
    return 126;
  }
  if (pid == 0) {
    execv(argv[2], argv + 2);
    dprintf(report, "error exec: %d\n", errno); /* CLOEXEC: still open only if exec failed */
    _exit(127);
  }
  dprintf(report, "pid %d\n", (int)pid);
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) return 126;
  }
  dprintf(report, "end %d %ld\n", status, ru.ru_maxrss);
  return 0;
}
