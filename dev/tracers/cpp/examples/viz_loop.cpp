// An endless loop that keeps visualizing: stopped by the job's maxSteps (step_limit).
#include <tracecast.hpp>

int main() {
  for (long i = 0;; ++i) viz::step("tick", i);
}
