// C++ bench mode's driver, one file in two parts (bench_mode.py puts them together):
//
// - the CALLS, compiled with the learner's code: bench_mode.py appends to main.cpp
//
//     #define TRACECAST_BENCH_ENTRY sum_all
//     #define TRACECAST_BENCH_GENERATOR random_ints
//     #include "/opt/tracecast/bench_driver.cpp"
//
//   so that the entry is called with the generator's arguments whatever its parameter types, and the program starts
//   in tracecast_bench_main (linked with -Wl,--defsym,main=tracecast_bench_main: a main of the learner's is compiled
//   but never called);
// - the SERIES (without TRACECAST_BENCH_ENTRY): the sizes, one child process per size, the budget, the generators
//   and the results, compiled to lib/bench_driver.o when the image is built (linked with every benchmark: none of
//   it costs compile time per run) or, outside the image, compiled beside main.cpp.
//
// The job comes in the environment (TRACECAST_BENCH_SIZES "100,500,1000", TRACECAST_BENCH_REPEATS,
// TRACECAST_BENCH_SEED: the job's seed mod 2^32, TRACECAST_BENCH_BUDGET_MS: what is left of the budget) and the
// results go to descriptor TRACECAST_BENCH_FD as one JSON line per size, which bench_mode.py checks and forwards:
//
//   {"t":"point","n":N,"times":[seconds per call, one per repeat],"peakKb":K}
//   {"t":"exception","n":N,"type":"std::out_of_range","message":"..."}
//   {"t":"crash","n":N,"signal":11}      {"t":"exit","n":N,"status":3}      {"t":"stop","n":N}
//
// Each size runs in a child process (fork) that generates the input, times the calls and tells this process through
// a pipe, so a crash at one size is that size's error and the next size still runs; only this process writes
// results. Before a size (but the first) its cost is estimated from the last one's, as bench.py does; when it would
// pass the budget, or a size runs past it (its child is killed), the series stops with "stop".
//
// The generators are javascript/generators.mjs's, over the same mulberry32 and per-size seed: a seed gives the same
// input as in a JavaScript benchmark (Python's random.Random gives other numbers of the same shapes).
#if __has_include(<bits/chrono.h>)
#include <bits/chrono.h>  // steady_clock alone: C++20's <chrono> adds calendars and time zones, 1.5 s of compile
#else
#include <chrono>
#endif
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace tracecast_bench {

using Clock = std::chrono::steady_clock;

/** mulberry32, as generators.mjs: random() in [0, 1), integer(lo, hi) with both ends included. */
struct Rng {
  uint32_t s;
  double random() {
    s += 0x6d2b79f5u;
    uint32_t t = s;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return double(t ^ (t >> 14)) / 4294967296.0;
  }
  long long integer(long long lo, long long hi) {
    return hi < lo ? lo : lo + (long long)__builtin_floor(random() * double(hi - lo + 1));  // no <cmath>: 0.3 s of compile
  }
};

/** The seed for size n: (seed * 1000003 + n) mod 2^32, as generators.mjs's sizeSeed. */
inline uint32_t size_seed(uint32_t seed, long long n) { return uint32_t(uint64_t(seed) * 1000003u + uint64_t(n)); }

// The built-in generators (CHANNEL.md, "bench mode"); graph is not among them.
std::tuple<std::vector<int>> random_ints(int n, Rng& rng);
std::tuple<std::vector<int>> sorted_ints(int n, Rng& rng);
std::tuple<std::vector<int>> reversed_ints(int n, Rng& rng);
std::tuple<std::string> string(int n, Rng& rng);
std::tuple<std::vector<int>, int> sorted_target(int n, Rng& rng);
std::tuple<std::vector<int>, int> two_sum(int n, Rng& rng);

/** Flushes std::cout and stdio (the program's buffered output). */
void flush_output();
/** Write system calls so far, after flushing the program's buffered output: a call that changes it printed. */
long long writes_so_far();
/** A size's result to the series process (`out`): its repeats' times, with the peak memory; or the exception the
 * size threw (`type` nullptr: the one being handled, inside a catch). */
void send_point(int out, int n, const std::vector<double>& times);
void send_exception(int out, int n, const std::type_info* type, const char* what);
/** A size's work in its child process: generate, time the calls, send_point or send_exception to `out`. */
using Measure = void (*)(int n, int repeats, uint32_t seed, int out);
/** The series: every size of the job, each measured in a child by `measure`; the program's exit status. */
int series(Measure measure);

}  // namespace tracecast_bench

#ifdef TRACECAST_BENCH_ENTRY
// ===================================================================================== the calls (in the learner's program)
#ifndef TRACECAST_BENCH_GENERATOR
#error "bench_driver.cpp: TRACECAST_BENCH_ENTRY needs TRACECAST_BENCH_GENERATOR"
#endif

// Calls the learner's entry on lvalues (so T&, const T& and by-value parameters all bind). Outside any namespace of
// ours and qualified, so that the learner's function is the one found, not one of the driver's.
struct tracecast_bench_entry {
  template <class... A>
  auto operator()(A&... a) const -> decltype(::TRACECAST_BENCH_ENTRY(a...)) { return ::TRACECAST_BENCH_ENTRY(a...); }
};

namespace tracecast_bench {

/** The generator's arguments: std::tuple<std::vector<int>>, std::tuple<std::vector<int>, int> or std::tuple<std::string>. */
using Input = decltype(::tracecast_bench::TRACECAST_BENCH_GENERATOR(0, std::declval<Rng&>()));

template <class T>
struct callable_with;
template <class... A>
struct callable_with<std::tuple<A...>> : std::is_invocable<tracecast_bench_entry, A&...> {};

#define TRACECAST_BENCH_STR2(x) #x
#define TRACECAST_BENCH_STR(x) TRACECAST_BENCH_STR2(x)
static_assert(callable_with<Input>::value,
              "tracecast bench: the function `" TRACECAST_BENCH_STR(TRACECAST_BENCH_ENTRY) "` cannot be called with the "
              "arguments of the generator " TRACECAST_BENCH_STR(TRACECAST_BENCH_GENERATOR) " (random_ints, sorted_ints, "
              "reversed_ints: std::vector<int>; sorted_target, two_sum: std::vector<int>, int; string: std::string), "
              "each taken by value, T& or const T&");

/** Keeps `p`'s object, and everything memory holds, from being optimised away or reordered across this point. */
inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

const long SHORT_NS = 50'000;   // a call shorter than this, on an input it leaves unchanged, is timed in batches...
const long BATCH_NS = 200'000;  // ...of as many back-to-back calls as fill this...
const long MAX_BATCH = 10'000;  // ...at most (as bench.py, and timeit)

// Templated on the input type, so that none of it is instantiated when the static assertion above fails (its
// message is then the only error).

/** Calls the entry k times back to back on `args` (escaping each result): the elapsed nanoseconds. */
template <class In>
long time_calls(In& args, long k) {
  tracecast_bench_entry entry;
  escape(&args);
  const auto t0 = Clock::now();
  for (long i = 0; i < k; i++) {
    if constexpr (std::is_void_v<decltype(std::apply(entry, args))>) {
      std::apply(entry, args);
    } else {
      auto r = std::apply(entry, args);
      escape(&r);
    }
  }
  const auto t1 = Clock::now();
  return long(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
}

/**
 * Size n, in its child process: the input, then `repeats` timed calls, each on a fresh copy of it. A first call
 * under SHORT_NS that prints nothing and leaves its copy equal to the input is discarded, and each repeat then
 * times k back-to-back calls on its copy (k fills BATCH_NS) and reports the time per call, as bench.py does.
 */
template <class In>
void measure(int n, int repeats, uint32_t seed, int out) {
  try {
    Rng rng{size_seed(seed, n)};
    const In input = ::tracecast_bench::TRACECAST_BENCH_GENERATOR(n, rng);
    In copy = input;
    const long long printed = writes_so_far();
    const long first = time_calls(copy, 1);
    long k = 1;
    if (first < SHORT_NS && printed >= 0 && writes_so_far() == printed && copy == input) {
      k = BATCH_NS / (first > 0 ? first : 1);
      k = k < 1 ? 1 : k > MAX_BATCH ? MAX_BATCH : k;
    }
    std::vector<double> times;
    if (k == 1) times.push_back(double(first) * 1e-9);
    while (int(times.size()) < repeats) {
      In fresh = input;
      times.push_back(double(time_calls(fresh, k)) * 1e-9 / double(k));
    }
    send_point(out, n, times);
  } catch (const std::exception& e) {
    send_exception(out, n, &typeid(e), e.what());
  } catch (...) {
    send_exception(out, n, nullptr, "");
  }
}

template <class In>
int start() {
  if constexpr (callable_with<In>::value) return series(&measure<In>);
  else return 1;
}

}  // namespace tracecast_bench

/** The program's start (linked as main). */
extern "C" int tracecast_bench_main() { return tracecast_bench::start<tracecast_bench::Input>(); }

#else
// ===================================================================================== the series (lib/bench_driver.o)
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern "C" __attribute__((weak)) void tracecast_flush_std_streams();  // lib/tracecast_init.cpp: std::cout and stdio

namespace tracecast_bench {

// ---------------------------------------------------------------------------------------------------- generators

static std::vector<int> ints(int n, Rng& rng) {
  std::vector<int> a;
  a.reserve(n);
  for (int i = 0; i < n; i++) a.push_back(int(rng.integer(-10LL * n, 10LL * n)));
  return a;
}

std::tuple<std::vector<int>> random_ints(int n, Rng& rng) { return {ints(n, rng)}; }

std::tuple<std::vector<int>> sorted_ints(int n, Rng& rng) {
  auto a = ints(n, rng);
  std::sort(a.begin(), a.end());
  return {std::move(a)};
}

std::tuple<std::vector<int>> reversed_ints(int n, Rng& rng) {
  auto a = ints(n, rng);
  std::sort(a.begin(), a.end(), [](int x, int y) { return x > y; });
  return {std::move(a)};
}

std::tuple<std::string> string(int n, Rng& rng) {
  std::string s(size_t(n), 'a');
  for (auto& c : s) c = char('a' + rng.integer(0, 25));
  return {std::move(s)};
}

/** n distinct ints in [-10n, 10n], sorted, and a target that is absent when 64 draws find one (a search's worst case). */
std::tuple<std::vector<int>, int> sorted_target(int n, Rng& rng) {
  const long long lo = -10LL * n, hi = 10LL * n;
  std::vector<bool> present(size_t(hi - lo + 1));
  for (int have = 0; have < n;) {
    const auto v = rng.integer(lo, hi);
    if (!present[size_t(v - lo)]) present[size_t(v - lo)] = true, have++;
  }
  std::vector<int> a;
  a.reserve(n);
  for (long long v = lo; v <= hi; v++)
    if (present[size_t(v - lo)]) a.push_back(int(v));
  long long target = hi + 1;
  for (int k = 0; k < 64; k++) {
    const auto t = rng.integer(lo, hi);
    if (!present[size_t(t - lo)]) {
      target = t;
      break;
    }
  }
  return {std::move(a), int(target)};
}

/** n ints (n >= 2) where only the last two sum to the target: fillers are 1 mod 4, the pair and the target 0 mod 4. */
std::tuple<std::vector<int>, int> two_sum(int n, Rng& rng) {
  n = std::max(2, n);
  const long long span = 10LL * n;
  const long long m_lo = -((span + 1) / 4), m_hi = (span - 1) / 4;
  std::vector<int> a;
  a.reserve(n);
  for (int i = 0; i < n - 2; i++) a.push_back(int(4 * rng.integer(m_lo, m_hi) + 1));
  const long long k = std::max(1LL, span / 8);
  const long long x = 4 * rng.integer(-k, k), y = 4 * rng.integer(-k, k);
  if (rng.random() < 0.5) a.push_back(int(x)), a.push_back(int(y));
  else a.push_back(int(y)), a.push_back(int(x));
  return {std::move(a), int(x + y)};
}

// ---------------------------------------------------------------------------------------------------- one size's result

void flush_output() {
  if (tracecast_flush_std_streams) tracecast_flush_std_streams();
  else std::fflush(nullptr);
}

/** A number from /proc/self/<file>'s line "<key> <number>", or -1. */
static long long proc_self(const char* file, const char* key) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/%s", file);
  FILE* f = std::fopen(path, "r");
  if (!f) return -1;
  char line[256];
  long long v = -1;
  const size_t k = std::strlen(key);
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, key, k) == 0) {
      v = std::atoll(line + k);
      break;
    }
  std::fclose(f);
  return v;
}

long long writes_so_far() {
  flush_output();
  return proc_self("io", "syscw:");
}

static void write_all(int fd, const std::string& s) {
  for (size_t done = 0; done < s.size();) {
    const ssize_t w = write(fd, s.data() + done, s.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    done += size_t(w);
  }
}

/** To the series process: "<fastest call in seconds, or - >\n<JSON line>\n" (it estimates from the first, forwards the line). */
static void send(int out, const std::string& fastest, const std::string& line) {
  flush_output();
  write_all(out, fastest + "\n" + line + "\n");
}

void send_point(int out, int n, const std::vector<double>& times) {
  long long peak = proc_self("status", "VmHWM:");  // the child's own peak: fork starts it at this small process's
  if (peak < 0) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    peak = ru.ru_maxrss;
  }
  std::string line = "{\"t\":\"point\",\"n\":" + std::to_string(n) + ",\"times\":[";
  for (size_t i = 0; i < times.size(); i++) {
    char num[32];
    std::snprintf(num, sizeof num, "%s%.9g", i ? "," : "", times[i]);
    line += num;
  }
  char fastest[32];
  std::snprintf(fastest, sizeof fastest, "%.9g", *std::min_element(times.begin(), times.end()));
  send(out, fastest, line + "],\"peakKb\":" + std::to_string(peak) + "}");
}

static void put_json_string(std::string& out, const char* s, size_t cap = 1000) {
  out += '"';
  for (size_t i = 0; s[i] && i < cap; i++) {
    const unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') out += '\\', out += char(c);
    else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else out += char(c);
  }
  out += '"';
}

void send_exception(int out, int n, const std::type_info* type, const char* what) {
  if (!type) type = abi::__cxa_current_exception_type();
  int status = -1;
  char* name = type ? abi::__cxa_demangle(type->name(), nullptr, nullptr, &status) : nullptr;
  std::string line = "{\"t\":\"exception\",\"n\":" + std::to_string(n) + ",\"type\":";
  put_json_string(line, status == 0 ? name : type ? type->name() : "exception");
  std::free(name);
  line += ",\"message\":";
  put_json_string(line, what);
  send(out, "-", line + "}");
}

// ---------------------------------------------------------------------------------------------------- the series

static long long now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

/** What one size's child sent (at most 64 KB) and how it ended; `late` when it was killed at the deadline. */
struct SizeEnd {
  std::string text;
  int status = 0;
  bool late = false;
};

/** Size n in a child process; waits for it until `deadline_ns` (steady clock), past which it is killed. */
static SizeEnd run_size(Measure measure, int n, int repeats, uint32_t seed, int results_fd, long long deadline_ns) {
  SizeEnd end;
  int p[2];
  flush_output();  // or the child would print this process's buffered text again
  if (pipe(p) != 0) std::exit(70);
  const pid_t pid = fork();
  if (pid < 0) std::exit(71);
  if (pid == 0) {
    close(p[0]);
    close(results_fd);  // only the series process writes results
    measure(n, repeats, seed, p[1]);
    _exit(0);
  }
  close(p[1]);
  char buf[4096];
  while (!end.late) {
    pollfd pf{p[0], POLLIN, 0};
    const long long left_ms = (deadline_ns - now_ns()) / 1'000'000 + 1;
    const int r = left_ms <= 0 ? 0 : poll(&pf, 1, int(std::min(left_ms, 1LL << 30)));
    if (r < 0 && errno != EINTR) break;
    if (r == 0) end.late = now_ns() >= deadline_ns;
    if (r <= 0) continue;
    const ssize_t got = read(p[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (end.text.size() < 65536) end.text.append(buf, size_t(got));
  }
  close(p[0]);
  // The child closed its end: it exits at once (unless the learner's code closed it early: the deadline covers that).
  while (!end.late && waitpid(pid, &end.status, WNOHANG) == 0) {
    if (now_ns() >= deadline_ns) end.late = true;
    else usleep(1000);
  }
  if (end.late) {
    kill(pid, SIGKILL);
    waitpid(pid, &end.status, 0);
  }
  return end;
}

static void report(int fd, const std::string& line) { write_all(fd, line + "\n"); }

static long long env_int(const char* name, long long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : fallback;
}

int series(Measure measure) {
  const long long start = now_ns();
  const int fd = int(env_int("TRACECAST_BENCH_FD", 3));
  const int repeats = int(env_int("TRACECAST_BENCH_REPEATS", 5));
  const auto seed = uint32_t(env_int("TRACECAST_BENCH_SEED", 1));
  const long long budget_ns = env_int("TRACECAST_BENCH_BUDGET_MS", 8000) * 1'000'000;
  std::vector<int> sizes;
  for (const char* s = std::getenv("TRACECAST_BENCH_SIZES"); s && *s;) {
    char* next = nullptr;
    sizes.push_back(int(std::strtol(s, &next, 10)));
    s = *next == ',' ? next + 1 : nullptr;
  }
  const auto record = [](const char* t, int n, const char* field = nullptr, long long value = 0) {
    const std::string extra = field ? std::string(",\"") + field + "\":" + std::to_string(value) : "";
    return std::string("{\"t\":\"") + t + "\",\"n\":" + std::to_string(n) + extra + "}";
  };
  // The last two sizes measured: n, fastest call (s); and the last one's whole cost (ns).
  long long n0 = 0, n1 = 0, wall1 = 0;
  double fast0 = 0, fast1 = 0;
  for (const int n : sizes) {
    const long long elapsed = now_ns() - start;
    double estimate = 0;
    if (n1 > 0) {
      // The last size's whole cost scaled by (n / n1)^k, k the growth of the fastest call over the last two sizes
      // (1 to 12: the fastest, because one preempted repeat would make k 5-9), times 1.25: bench.py's estimate.
      double k = 1;
      if (n0 > 0 && n1 > n0 && fast0 > 0 && fast1 > 0)
        k = std::max(1.0, std::log(fast1 / fast0) / std::log(double(n1) / double(n0)));
      estimate = double(wall1) * std::pow(std::max(1.0, double(n) / double(n1)), std::min(k, 12.0)) * 1.25;
    }
    if (elapsed >= budget_ns || double(elapsed) + estimate > double(budget_ns)) return report(fd, record("stop", n)), 0;
    const long long t0 = now_ns();
    const SizeEnd end = run_size(measure, n, repeats, seed, fd, start + budget_ns);
    if (end.late) return report(fd, record("stop", n)), 0;
    const size_t nl = end.text.find('\n');
    if (WIFSIGNALED(end.status)) {
      report(fd, record("crash", n, "signal", WTERMSIG(end.status)));
    } else if (WEXITSTATUS(end.status) != 0 || nl == std::string::npos || end.text.back() != '\n') {
      report(fd, record("exit", n, "status", WEXITSTATUS(end.status)));  // the learner's code called exit()
    } else {
      report(fd, end.text.substr(nl + 1, end.text.size() - nl - 2));
      if (end.text[0] != '-') n0 = n1, fast0 = fast1, n1 = n, fast1 = std::atof(end.text.c_str()), wall1 = now_ns() - t0;
    }
  }
  return 0;
}

}  // namespace tracecast_bench
#endif
