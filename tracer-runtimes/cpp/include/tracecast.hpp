// tracecast.hpp: the explicit visualization API for C++ programs run by tracecast.
//
//   #include <tracecast.hpp>
//   viz::step("label");                 viz::step("label", value);
//   auto a = viz::array("a", values);   a.select(i); a.select(i, j); a.deselect(i, j);
//   a.patch(i, value); a.depatch(i);    viz::note("text");
//
// Each call becomes one step (ev "viz") of the run, carrying the line of the call and the
// calling function (std::source_location). Values: integers, floating point, bool, char,
// strings (std::string, string_view, const char*), std::optional, pairs/tuples and any
// container of those (vector, array, C arrays, deque, list, set, map...), nested.
//
// The calls write one JSON line each to a private descriptor that runner.py opened as a
// pipe (its number is in TRACECAST_VIZ_FD); the program's stdout/stderr never become
// steps. Without TRACECAST_VIZ_FD (the program built and run anywhere else) every call is
// a no-op, so programs using the API still build and run outside tracecast.
//
// Before writing a record the header flushes std::cout / stdout and waits (at most ~20 ms)
// until runner.py has read what the program already wrote to fd 1 and fd 2, then writes
// under a file lock that runner.py also takes to read output (TRACECAST_VIZ_LOCK), so
// printed text is attributed to exactly the right step. Not thread-safe: one thread only.
//
// Compile time matters (it counts against the run's wall clock): this header includes
// only light headers, and call sites stay small (the work is in non-inlined functions).
#pragma once

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <source_location>
#include <string_view>
#include <type_traits>
#include <utility>

#if __has_include(<bits/range_access.h>)
#include <bits/range_access.h>  // std::begin / std::end without <iterator>'s 0.5 s of stream iterators
#else
#include <iterator>
#endif

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <unistd.h>

// Defined in tracecast_init.o (linked by runner.py): flushes std::cout, stdout and stderr.
// Weak, so a program built elsewhere links without it.
extern "C" [[gnu::weak]] void tracecast_flush_std_streams();

namespace viz {
namespace detail {

struct State {
  int fd = -1;      // -1: disabled (not running under tracecast, or the channel broke)
  int lockfd = -1;  // flock()ed around each record write; runner.py takes it to read output
  int ackfd = -1;   // non-blocking pipe: runner.py writes a byte to it after each output read
  int timeouts = 0; // waits for runner.py that gave up; past 3, records stop waiting
  std::size_t maxItems = 100;
  std::size_t maxString = 1000;
  char* p = nullptr;  // the record being built
  std::size_t n = 0, cap = 0;
};

inline std::size_t env_size(const char* name, std::size_t dflt) {
  const char* s = std::getenv(name);
  if (!s || !*s) return dflt;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  return (end && *end == '\0' && v > 0) ? static_cast<std::size_t>(v) : dflt;
}

[[gnu::noinline]] inline State& state() {
  static State st = [] {
    State s;
    if (const char* fd = std::getenv("TRACECAST_VIZ_FD")) {
      int n = std::atoi(fd);
      if (n > 2) s.fd = n;
    }
    if (const char* lock = std::getenv("TRACECAST_VIZ_LOCK")) s.lockfd = ::open(lock, O_RDWR | O_CLOEXEC);
    if (const char* ack = std::getenv("TRACECAST_VIZ_ACK")) {
      int n = std::atoi(ack);
      if (n > 2) s.ackfd = n;
    }
    s.maxItems = env_size("TRACECAST_MAX_ITEMS", 100);
    s.maxString = env_size("TRACECAST_MAX_STRING", 1000);
    return s;
  }();
  return st;
}

inline bool enabled() { return state().fd >= 0; }

// ---- the record buffer

[[gnu::noinline]] inline void put(const char* s, std::size_t k) {
  State& st = state();
  if (st.n + k > st.cap) {
    std::size_t cap = st.cap ? st.cap : 256;
    while (cap < st.n + k) cap *= 2;
    char* np = static_cast<char*>(std::realloc(st.p, cap));
    if (!np) std::abort();
    st.p = np;
    st.cap = cap;
  }
  std::memcpy(st.p + st.n, s, k);
  st.n += k;
}
inline void put(std::string_view s) { put(s.data(), s.size()); }

[[gnu::noinline]] inline void put_int(long long v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  put(b, static_cast<std::size_t>(r.ptr - b));
}

[[gnu::noinline]] inline void put_uint(unsigned long long v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  put(b, static_cast<std::size_t>(r.ptr - b));
}

[[gnu::noinline]] inline void put_real(double d) {
  if (__builtin_isnan(d)) return put("NaN");
  if (__builtin_isinf(d)) return put(d > 0 ? "Infinity" : "-Infinity");
  char b[32];
  auto r = std::to_chars(b, b + sizeof b, d);  // shortest round-trip form
  put(b, static_cast<std::size_t>(r.ptr - b));
}

/** Cut to at most k bytes without splitting a UTF-8 sequence. */
inline std::string_view cut_utf8(std::string_view s, std::size_t k) {
  if (s.size() <= k) return s;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  return s.substr(0, k);
}

[[gnu::noinline]] inline void put_quoted(std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  put("\"");
  std::size_t run = 0;  // copy unescaped stretches in one go
  for (std::size_t k = 0; k < s.size(); ++k) {
    auto c = static_cast<unsigned char>(s[k]);
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;  // bytes >= 0x80 pass through
    put(s.data() + run, k - run);
    run = k + 1;
    char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
    if (c == '"' || c == '\\') { esc[1] = static_cast<char>(c); put(esc, 2); }
    else if (c == '\n') put("\\n");
    else if (c == '\t') put("\\t");
    else if (c == '\r') put("\\r");
    else put(esc, 6);
  }
  put(s.data() + run, s.size() - run);
  put("\"");
}

/** A plain text field (label, name, note text): cut to maxString bytes, no marker. */
[[gnu::noinline]] inline void put_text(std::string_view s) { put_quoted(cut_utf8(s, state().maxString)); }

/** A string Value: longer than maxString bytes -> {"$s": prefix, "len": total bytes}. */
[[gnu::noinline]] inline void put_string(std::string_view s) {
  std::size_t m = state().maxString;
  if (s.size() <= m) return put_quoted(s);
  put("{\"$s\":");
  put_quoted(cut_utf8(s, m));
  put(",\"len\":");
  put_uint(s.size());
  put("}");
}

/** Closes a container written from `start`; past m items it becomes {"$a":[...],"len":n}. */
[[gnu::noinline]] inline void close_list(std::size_t start, std::size_t n, std::size_t m) {
  put("]");
  if (n <= m) return;
  static const char head[] = "{\"$a\":";
  const std::size_t h = sizeof head - 1;
  put(head, h);  // grow by h, then shift the list right and put the head in front of it
  State& st = state();
  std::memmove(st.p + start + h, st.p + start, st.n - h - start);
  std::memcpy(st.p + start, head, h);
  put(",\"len\":");
  put_uint(n);
  put("}");
}

// ---- values

template <class T>
concept iterable = requires(const T& t) {
  std::begin(t);
  std::end(t);
};
template <class T>
concept string_like = std::is_convertible_v<const T&, std::string_view>;
template <class T>
concept optional_like = requires(const T& t) {
  { t.has_value() } -> std::convertible_to<bool>;
  *t;
  typename T::value_type;
};
template <class T>
concept tuple_like = requires { std::tuple_size<T>::value; };

template <class T> void put_value(const T& v);

template <class R> void put_range(const R& r, std::size_t m) {
  const std::size_t start = state().n;
  std::size_t n = 0;
  put("[");
  for (auto&& x : r) {
    if (n < m) {
      if (n) put(",");
      put_value(x);
    }
    ++n;
  }
  close_list(start, n, m);
}

template <class Tup, std::size_t... I>
void put_tuple(const Tup& t, std::index_sequence<I...>) {
  using std::get;
  put("[");
  ((put(I ? "," : ""), put_value(get<I>(t))), ...);
  put("]");
}

template <class T> void put_value(const T& v) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, std::nullptr_t>) {
    put("null");
  } else if constexpr (std::is_same_v<U, bool>) {
    put(v ? "true" : "false");
  } else if constexpr (std::is_same_v<U, char> || std::is_same_v<U, char8_t>) {
    char c = static_cast<char>(v);
    put_quoted(std::string_view(&c, 1));
  } else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) {
    put_int(v);
  } else if constexpr (std::is_integral_v<U>) {
    put_uint(v);
  } else if constexpr (std::is_enum_v<U>) {
    put_value(static_cast<std::underlying_type_t<U>>(v));
  } else if constexpr (std::is_floating_point_v<U>) {
    put_real(static_cast<double>(v));
  } else if constexpr (std::is_pointer_v<U> && string_like<U>) {
    if (v == nullptr) put("null");
    else put_string(std::string_view(v));
  } else if constexpr (string_like<U>) {
    put_string(std::string_view(v));
  } else if constexpr (optional_like<U>) {
    if (v.has_value()) put_value(*v);
    else put("null");
  } else if constexpr (iterable<U>) {
    put_range(v, state().maxItems);
  } else if constexpr (tuple_like<U>) {
    put_tuple(v, std::make_index_sequence<std::tuple_size<U>::value>{});
  } else {
    static_assert(sizeof(U) == 0,
                  "viz: unsupported value type: use numbers, bool, char, strings, std::optional, "
                  "pairs/tuples, or containers (vector, array, ...) of those");
  }
}

// ---- the channel

inline double now_s() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/** Bytes written to fd but not yet read by runner.py (0 for files, ttys, closed fds). */
inline int unread(int fd) {
  int pending = 0;
  return ioctl(fd, FIONREAD, &pending) == 0 && pending > 0 ? pending : 0;
}

/** Sleeps until runner.py has read some output (or `ms` pass). */
inline void await_reader(int ms) {
  State& st = state();
  if (st.ackfd < 0) {
    timespec ts{0, 200000};
    nanosleep(&ts, nullptr);
    return;
  }
  pollfd p{st.ackfd, POLLIN, 0};
  poll(&p, 1, ms);
}

/**
 * Waits until runner.py has read everything written to fd 1 and 2, then takes the lock:
 * runner.py reads output and measures the viz pipe under the same lock, so a record is
 * always read before any text written after it and after any text written before it.
 * Sleeps (no spinning: the container may have a single CPU) on the ack pipe. Gives up
 * after ~1 s (then text may be attributed to a neighbouring step); after 3 such timeouts
 * (fd 1 redirected to something nobody reads) records no longer wait.
 */
[[gnu::noinline]] inline void lock_drained() {
  State& st = state();
  double deadline = 0;
  char sink[64];
  while (st.timeouts < 3) {
    if (st.ackfd >= 0) {
      while (::read(st.ackfd, sink, sizeof sink) > 0) {}  // stale acks: only later reads count
    }
    if (unread(1) == 0 && unread(2) == 0) {
      if (st.lockfd < 0) return;
      while (flock(st.lockfd, LOCK_EX) != 0) {
        if (errno != EINTR) { st.lockfd = -1; return; }
      }
      if (unread(1) == 0 && unread(2) == 0) return;
      flock(st.lockfd, LOCK_UN);
      continue;
    }
    double t = now_s();
    if (deadline == 0) deadline = t + 1.0;
    else if (t > deadline) { ++st.timeouts; break; }
    await_reader(50);
  }
  if (st.lockfd >= 0) flock(st.lockfd, LOCK_EX);
}

/** Starts a record: {"viz":{"op":"<op>" ; false when the API is disabled. */
[[gnu::noinline]] inline bool start(const char* op) {
  State& st = state();
  if (st.fd < 0) return false;
  st.n = 0;
  put("{\"viz\":{\"op\":\"");
  put(op, std::strlen(op));
  put("\"");
  return true;
}

[[gnu::noinline]] inline void key(const char* k) {
  put(",\"");
  put(k, std::strlen(k));
  put("\":");
}

/** Ends the record with the caller's line and function, and writes it. */
[[gnu::noinline]] inline void send(const std::source_location& loc) {
  put("},\"line\":");
  put_uint(loc.line());
  put(",\"fn\":");
  put_quoted(loc.function_name());
  put("}\n");
  if (tracecast_flush_std_streams) tracecast_flush_std_streams();
  else { std::fflush(stdout); std::fflush(stderr); }
  lock_drained();
  State& st = state();
  const char* p = st.p;
  std::size_t left = st.n;
  while (left) {
    ssize_t w = ::write(st.fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      st.fd = -1;  // the channel is gone: later calls are no-ops
      break;
    }
    p += w;
    left -= static_cast<std::size_t>(w);
  }
  if (st.lockfd >= 0) flock(st.lockfd, LOCK_UN);
}

/** One text field plus two integers: select / deselect. */
[[gnu::noinline]] inline void send_range(const char* op, std::string_view name, long long i, long long j,
                                         const std::source_location& loc) {
  if (!start(op)) return;
  key("name"); put_text(name);
  key("from"); put_int(i);
  key("to"); put_int(j);
  send(loc);
}

}  // namespace detail

using where = std::source_location;

/** A labelled step without data. */
inline void step(std::string_view label, where loc = where::current()) {
  if (!detail::start("step")) return;
  detail::key("label"); detail::put_text(label);
  detail::key("data"); detail::put("null");
  detail::send(loc);
}

/** A labelled step carrying a value (number, string, bool, container...). */
template <class T>
void step(std::string_view label, const T& data, where loc = where::current()) {
  if (!detail::start("step")) return;
  detail::key("label"); detail::put_text(label);
  detail::key("data"); detail::put_value(data);
  detail::send(loc);
}

template <class T>
void step(std::string_view label, std::initializer_list<T> data, where loc = where::current()) {
  step<std::initializer_list<T>>(label, data, loc);
}

/** A free-text note. */
inline void note(std::string_view text, where loc = where::current()) {
  if (!detail::start("note")) return;
  detail::key("text"); detail::put_text(text);
  detail::send(loc);
}

/** A named array shown by the visualizer; returned by viz::array(). */
class Array {
 public:
  explicit Array(std::string_view name) { set(name); }
  Array(const Array& o) { set(o.name()); }
  Array& operator=(const Array& o) { if (this != &o) set(o.name()); return *this; }
  ~Array() { std::free(name_); }
  std::string_view name() const { return {name_, len_}; }

  void select(long long i, where loc = where::current()) const { detail::send_range("select", name(), i, i, loc); }
  void select(long long i, long long j, where loc = where::current()) const { detail::send_range("select", name(), i, j, loc); }
  void deselect(long long i, where loc = where::current()) const { detail::send_range("deselect", name(), i, i, loc); }
  void deselect(long long i, long long j, where loc = where::current()) const { detail::send_range("deselect", name(), i, j, loc); }

  template <class T>
  void patch(long long i, const T& value, where loc = where::current()) const {
    if (!detail::start("patch")) return;
    detail::key("name"); detail::put_text(name());
    detail::key("index"); detail::put_int(i);
    detail::key("value"); detail::put_value(value);
    detail::send(loc);
  }

  void depatch(long long i, where loc = where::current()) const {
    if (!detail::start("depatch")) return;
    detail::key("name"); detail::put_text(name());
    detail::key("index"); detail::put_int(i);
    detail::send(loc);
  }

 private:
  char* name_ = nullptr;
  std::size_t len_ = 0;

  void set(std::string_view s) {
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (!p) std::abort();
    std::memcpy(p, s.data(), s.size());
    std::free(name_);
    name_ = p;
    len_ = s.size();
  }
};

/** Shows `values` (any container: vector, array, C array, string...) as the array `name`. */
template <class R>
  requires detail::iterable<R>
Array array(std::string_view name, const R& values, where loc = where::current()) {
  if (detail::start("array")) {
    detail::key("name"); detail::put_text(name);
    detail::key("values"); detail::put_range(values, static_cast<std::size_t>(-1));  // whole, as in Python/JS
    detail::send(loc);
  }
  return Array(name);
}

template <class T>
Array array(std::string_view name, std::initializer_list<T> values, where loc = where::current()) {
  return array<std::initializer_list<T>>(name, values, loc);
}

}  // namespace viz
