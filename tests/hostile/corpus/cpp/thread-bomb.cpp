// Threads until creation fails, then one more attempt left unchecked: the program aborts.
// (pthread directly: <thread> alone is a heavy compile.)
#include <cstdio>
#include <cstdlib>
#include <pthread.h>
#include <unistd.h>

static void* sleeper(void*) {
  for (;;) pause();
  return nullptr;
}

int main() {
  int made = 0;
  for (;;) {
    pthread_t t;
    if (pthread_create(&t, nullptr, sleeper, nullptr) != 0) break;
    made++;
  }
  std::printf("threads created: %d\n", made);
  std::fflush(stdout);
  std::abort();
}
