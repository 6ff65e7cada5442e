// Classic fork bomb: every process forks forever; the pids limit stops it.
#include <unistd.h>

int main() {
  for (;;) fork();
}
