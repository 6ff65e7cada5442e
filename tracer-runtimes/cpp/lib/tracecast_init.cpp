// Linked into every program by runner.py (compiled to tracecast_init.o when the image is
// built, so it costs no compile time per run).
#include <cstdio>
#include <iostream>

// stdout is a pipe, which C stdio would fully buffer, so text printed just before a crash
// would be lost. Line buffering matches what a learner sees in a terminal.
__attribute__((constructor(101))) static void tracecast_line_buffered_stdout() {
  std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);
}

// Called by tracecast.hpp before each visualization record (weak there), so that text
// printed before a viz call reaches runner.py before the record does.
extern "C" void tracecast_flush_std_streams() {
  std::cout.flush();
  std::cerr.flush();
  std::clog.flush();
  std::fflush(stdout);
  std::fflush(stderr);
}
