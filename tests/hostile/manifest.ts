/**
 * The hostile corpus: what each program in corpus/ tries, the verdict it must get and the effects
 * to check, plus ordinary programs run alongside them (hostile.test.ts runs everything in parallel).
 *
 * Checked for EVERY run besides what an entry lists (see hostile.test.ts): `run.ended` within the
 * run's time limit + a grace of `run.started`; the run's container no longer exists once `run.ended`
 * is out; the test server's secret environment variable appears in no frame; the steps are
 * consecutive from 0 and match `run.ended.steps`; every string on the wire is valid UTF-8; output
 * stays under the cap; no process of the run survives on the host; no TCP connection reached the
 * host listener; no host file was written by the sandbox user.
 *
 * Limits the expectations assume (hostile.test.ts's server): 128 MB memory, 64 pids, 16 MB /tmp,
 * 1 CPU, output cap 64 KiB, step cap 20 000 (STEP_CAP for the runaway-step programs), wall clock
 * TIMEOUT_MS for the programs that must time out (4 s for Python, 8 s for JavaScript and C++), else RUN_LIMIT_MS.
 *
 * An entry with `finding` describes a problem the program revealed, reported to the lead: its
 * expectation is what SHOULD happen, so it fails until the problem is fixed. Do not weaken it.
 */
import type { Verdict } from '../../protocol/index.ts';
import type { Language } from '../../protocol/languages.ts';

export type HostileLanguage = Language;

/** A string must occur as is; a RegExp must match. */
export type TextMatch = string | RegExp;

export interface HostileCase {
  /** Path under tests/hostile/corpus/. */
  file: string;
  language: HostileLanguage;
  /** What the program tries, in a few words. */
  attack: string;
  verdict: Verdict;
  /** Checks on run.ended.error. */
  error?: { type?: string; message?: RegExp; signal?: string };
  /** Checks on all output text of the run (stdout and stderr, in order). */
  output?: { includes?: TextMatch[]; excludes?: TextMatch[] };
  /** Floods: at least this many bytes of output were delivered before the cap. */
  minOutputBytes?: number;
  /** Markers in the command lines of processes the program starts: none may run on the host after run.ended. */
  survivors?: string[];
  /** The program text has __HOST_PORT__ / __HOST_ADDRESSES__ placeholders, filled with the test's listener. */
  hostListener?: boolean;
  /** Per-run limits sent with `execute` (timeoutMs defaults to TIMEOUT_MS[language] for a `timeout` verdict, else RUN_LIMIT_MS). */
  limits?: { timeoutMs?: number; maxSteps?: number };
  /** Why this verdict. */
  why: string;
  /** A problem this program revealed (reported to the lead); the expectation above is the correct behaviour. */
  finding?: string;
}

/**
 * Wall-clock limit of a run expected to end `timeout`, per language: short, so the batch ends soon. The clock starts
 * with `run.started`, once the run has its sandbox; when the warm pool is drained (it is, by this batch) a cold
 * JavaScript container needs seconds to load its tracer before the program's first step. C++ compiles first.
 */
export const TIMEOUT_MS: Record<HostileLanguage, number> = { python: 4000, javascript: 8000, cpp: 8000 };
/**
 * Every other run's limit: generous, so that a busy machine (2 shared cores, this whole batch at once, perhaps a
 * CPU hog beside it) cannot turn an expected verdict into `timeout`. A run that ends by itself ends long before it.
 */
export const RUN_LIMIT_MS = 60_000;
/** The server's cap (TRACECAST_TIMEOUT_MS): the largest of the above; each run asks for its own. */
export const SERVER_TIMEOUT_MS = RUN_LIMIT_MS;
export const MAX_STEPS = 20_000;
export const OUTPUT_BYTES = 64 * 1024;
/** The step cap the runaway-step programs ask for: reached in well under a second, however loaded the machine. */
export const STEP_CAP = 2000;

const FLOOD = OUTPUT_BYTES - 1024;

export const hostile: HostileCase[] = [
  // ------------------------------------------------------------------ Python: processes
  {
    file: 'python/fork-bomb.py', language: 'python', attack: 'fork bomb (os.fork forever)', verdict: 'runtime_error',
    error: { type: 'BlockingIOError' },
    why: 'the pids limit makes fork fail with EAGAIN; the first process raises it uncaught',
  },
  {
    file: 'python/fork-child-prints.py', language: 'python', attack: 'one fork, the child prints', verdict: 'ok',
    output: { includes: ['parent done'] },
    why: 'a forked child must not disturb the parent\'s run',
  },
  {
    file: 'python/fork-bomb-shell.py', language: 'python', attack: 'shell fork bomb in a child process', verdict: 'ok',
    output: { includes: ['parent still here'] },
    why: 'the bomb exhausts the pids limit but the program itself carries on and ends; the supervisor (PID 1) kills the rest once the tracer exits',
  },
  {
    file: 'python/thread-bomb.py', language: 'python', attack: 'threads until refused', verdict: 'runtime_error',
    error: { type: 'RuntimeError', message: /can't start new thread/ },
    why: 'the pids limit refuses a thread; the sleeping threads do not keep the run alive (the tracer exits after its end frame)',
  },
  {
    file: 'python/detached-double-fork.py', language: 'python', attack: 'double fork + setsid + exec sleep, SIGHUP/SIGTERM ignored', verdict: 'ok',
    output: { includes: ['parent done'] }, survivors: ['987001'],
    why: 'the grandchild is in the container\'s PID namespace and has the run\'s uid: the supervisor kills it once the tracer exits, before run.ended',
  },
  {
    file: 'python/detached-busy-children.py', language: 'python', attack: 'children that close their fds, setsid and spin', verdict: 'ok',
    output: { includes: ['spawned 5 spinning children'] }, survivors: ['987002'],
    why: 'as above; the spinning children hold no descriptor of the run, so nothing waits for them',
  },
  {
    file: 'python/kill-everything.py', language: 'python', attack: 'kill(-1, SIGKILL), SIGKILL/SIGTERM/SIGSTOP to PID 1', verdict: 'ok',
    output: { includes: ['children killed: True', 'survived'] },
    why: 'kill(-1) spares the caller and PID 1 (the supervisor); PID 1 ignores signals it has no handler for, from inside its namespace',
  },
  {
    file: 'python/ptrace-parent.py', language: 'python', attack: 'a child ptrace-attaches to PID 1 (the supervisor)', verdict: 'ok',
    output: { includes: ['attach: ', 'done'] },
    why: 'same user in the same container: whether attach works or not, the run ends normally',
  },
  // ------------------------------------------------------------------ Python: time
  {
    file: 'python/infinite-loop.py', language: 'python', attack: 'while True (traced)', verdict: 'step_limit',
    limits: { maxSteps: STEP_CAP },
    why: 'every iteration is a step: the (per-run) step cap comes first',
  },
  {
    file: 'python/infinite-loop-native.py', language: 'python', attack: 'sum(itertools.count()): a loop in C', verdict: 'timeout',
    why: 'no steps at all: only the wall clock ends it',
  },
  {
    file: 'python/redos.py', language: 'python', attack: 'catastrophic regex backtracking', verdict: 'timeout',
    why: 'exponential time inside the regex engine, no steps',
  },
  {
    file: 'python/sleep-forever.py', language: 'python', attack: 'time.sleep(10**7)', verdict: 'timeout',
    why: 'the wall clock, not CPU time, is the limit',
  },
  {
    file: 'python/pause-signals-ignored.py', language: 'python', attack: 'ignores every signal, pause()', verdict: 'timeout',
    why: 'the container is killed with SIGKILL from outside, which cannot be ignored',
  },
  // ------------------------------------------------------------------ Python: memory, recursion, crashes
  {
    file: 'python/memory-one-big.py', language: 'python', attack: 'one 400 MB allocation', verdict: 'memory_limit',
    why: 'the cgroup OOM killer kills it; Docker reports OOMKilled',
  },
  {
    file: 'python/memory-many-small.py', language: 'python', attack: '200 000 x 4 KiB buffers', verdict: 'memory_limit',
    why: 'the same limit, reached by many small allocations',
  },
  {
    file: 'python/recursion.py', language: 'python', attack: 'unbounded recursion', verdict: 'runtime_error',
    error: { type: 'RecursionError' },
    why: 'Python\'s recursion limit',
  },
  {
    file: 'python/recursion-unlimited.py', language: 'python', attack: 'sys.setrecursionlimit(10**8), then unbounded recursion', verdict: 'step_limit',
    limits: { maxSteps: STEP_CAP },
    why: 'with the limit lifted only the step cap is left (two steps per level)',
  },
  {
    file: 'python/native-crash.py', language: 'python', attack: 'segfault through ctypes', verdict: 'runtime_error',
    error: { type: 'Crash', signal: 'SIGSEGV' }, output: { includes: ['before'] },
    why: 'a native crash is the program\'s error, with the signal; what it printed before is delivered',
  },
  {
    file: 'python/tamper-objects.py', language: 'python', attack: 'objects whose __repr__/__eq__/__hash__/__getattribute__ misbehave', verdict: 'ok',
    output: { includes: ['held them'] },
    why: 'the program itself is correct; the tracer must show such objects without running their hooks',
  },
  // ------------------------------------------------------------------ Python: output
  {
    file: 'python/stdout-flood.py', language: 'python', attack: 'sys.stdout.write forever', verdict: 'output_limit', minOutputBytes: FLOOD,
    why: 'the output cap',
  },
  {
    file: 'python/stderr-flood.py', language: 'python', attack: 'print to stderr forever', verdict: 'output_limit', minOutputBytes: FLOOD,
    why: 'stderr counts against the same cap',
  },
  {
    file: 'python/raw-fd-flood.py', language: 'python', attack: 'os.write(1 and 2) forever, bypassing print', verdict: 'output_limit', minOutputBytes: FLOOD,
    why: 'raw descriptor writes land on the container\'s stderr, which the runner caps',
  },
  {
    file: 'python/huge-line.py', language: 'python', attack: 'one 50 MB line', verdict: 'output_limit', minOutputBytes: FLOOD,
    why: 'cut at the cap; never one giant frame',
  },
  {
    file: 'python/huge-binary-line.py', language: 'python', attack: 'one 50 MB sys.stdout.buffer.write of bytes that are not UTF-8', verdict: 'output_limit', minOutputBytes: FLOOD,
    output: { includes: ['\uFFFD\uFFFD\uFFFD'] },
    why: 'decoded in pieces with U+FFFD and cut at the cap: never a 50 MB str, never one giant frame',
  },
  {
    file: 'python/invalid-utf8.py', language: 'python', attack: 'invalid UTF-8 bytes on fd 1/2, lone surrogates in print', verdict: 'ok',
    output: { includes: ['raw:\uFFFD', ':end', 'fd1:\uFFFD', 'done'] },
    why: 'invalid bytes arrive as U+FFFD, lone surrogates are replaced; the frames stay valid',
  },
  // ------------------------------------------------------------------ Python: filesystem
  {
    file: 'python/fill-tmp.py', language: 'python', attack: 'fills /tmp', verdict: 'runtime_error',
    error: { type: 'OSError', message: /No space left on device/ },
    why: '/tmp is a 16 MB tmpfs: ENOSPC, uncaught',
  },
  {
    file: 'python/fill-dev-shm.py', language: 'python', attack: 'fills /dev/shm', verdict: 'ok',
    output: { includes: ['stopped: ENOSPC'] },
    why: '/dev/shm is a 64 MB tmpfs inside the container (charged to its memory), gone with it',
  },
  {
    file: 'python/write-readonly.py', language: 'python', attack: 'writes, mkdir, remove, chmod, rename under /, /etc, /opt/tracecast, /usr, /proc/sys, /sys', verdict: 'ok',
    output: { includes: ['refused /etc/tchostile', 'refused /opt/tracecast/tracer.py'], excludes: ['WROTE', 'SUCCEEDED'] },
    why: 'read-only root filesystem; /proc/sys and /sys are read-only too',
  },
  {
    file: 'python/write-readonly-uncaught.py', language: 'python', attack: 'overwrite the tracer, uncaught', verdict: 'runtime_error',
    error: { type: 'OSError', message: /Read-only file system/ },
    why: 'EROFS',
  },
  {
    file: 'python/links.py', language: 'python', attack: 'symlinks to the Docker socket, /proc/1/root, /etc, /work/main; hard links to /etc/passwd, the tracer', verdict: 'ok',
    output: { includes: ['docker blocked', 'work blocked', 'Invalid cross-device link', 'write through symlink blocked'], excludes: ['HARDLINKED', 'WROTE'] },
    why: 'symlinks resolve inside the container (no socket, no host tree); hard links cannot cross into the tmpfs',
  },
  {
    file: 'python/exec-from-tmp.py', language: 'python', attack: 'exec a script and a copied binary from /tmp', verdict: 'ok',
    output: { includes: ['blocked /tmp/tchostile.sh', 'blocked /tmp/tchostile-true'], excludes: ['RAN', 'EXECUTED'] },
    why: '/tmp is mounted noexec',
  },
  // ------------------------------------------------------------------ Python: secrets
  {
    file: 'python/read-environ.py', language: 'python', attack: 'os.environ, /proc/*/environ, /proc/*/cmdline', verdict: 'ok',
    why: 'the container has its own small environment; the server\'s secret must appear nowhere (checked on every run)',
  },
  {
    file: 'python/read-host-info.py', language: 'python', attack: 'hostname, mounts, cgroup files, /proc/net, /proc/kmsg, /proc/kcore, secrets dirs', verdict: 'ok',
    why: 'nothing there holds the server\'s secrets; masked paths are refused',
  },
  {
    file: 'python/docker-socket.py', language: 'python', attack: 'connect to the Docker and containerd sockets', verdict: 'ok',
    output: { includes: ['blocked /var/run/docker.sock'], excludes: ['CONNECTED'] },
    why: 'no socket is mounted into the container',
  },
  // ------------------------------------------------------------------ Python: network
  {
    file: 'python/dns.py', language: 'python', attack: 'getaddrinfo("example.com"), uncaught', verdict: 'runtime_error',
    error: { type: 'gaierror' },
    why: 'NetworkMode none: no resolver reachable',
  },
  {
    file: 'python/tcp-host.py', language: 'python', attack: 'TCP to every host address (the test listens there), the bridge gateway, VM gateways', verdict: 'ok',
    hostListener: true, output: { includes: ['blocked 172.17.0.1'], excludes: ['CONNECTED'] },
    why: 'only a loopback interface: unreachable; the host listener must see no connection',
  },
  {
    file: 'python/tcp-local-services.py', language: 'python', attack: 'Redis 6379, Postgres 5432, Docker 2375 on 127.0.0.1/::1', verdict: 'ok',
    output: { includes: ['blocked 127.0.0.1 6379 ConnectionRefusedError', 'blocked 127.0.0.1 5432 ConnectionRefusedError'], excludes: ['CONNECTED'] },
    why: 'the container\'s loopback is its own: the host\'s Redis and Postgres are not there',
  },
  {
    file: 'python/metadata-endpoint.py', language: 'python', attack: '169.254.169.254:80, uncaught', verdict: 'runtime_error',
    error: { type: 'OSError', message: /Network is unreachable/ },
    why: 'no route',
  },
  {
    file: 'python/raw-sockets.py', language: 'python', attack: 'raw ICMP and packet sockets, UDP to 8.8.8.8', verdict: 'ok',
    output: { includes: ['blocked raw-icmp', 'blocked packet', 'udp blocked'], excludes: ['OPENED', 'SENT udp'] },
    why: 'CAP_NET_RAW dropped; no route',
  },
  // ------------------------------------------------------------------ Python: privileges
  {
    file: 'python/setuid.py', language: 'python', attack: 'os.setuid(0), uncaught', verdict: 'runtime_error',
    error: { type: 'PermissionError' },
    why: 'not root, no capabilities, no-new-privileges',
  },
  {
    file: 'python/privilege-syscalls.py', language: 'python', attack: 'setuid/setgid/setresuid, mount, unshare, chroot, sethostname, reboot, init_module, bpf, keyctl, setns via libc', verdict: 'ok',
    output: { includes: ['mount tmpfs -> -1', 'unshare(USER|NS) -> -1'], excludes: ['SUCCEEDED'] },
    why: 'no capabilities; Docker\'s seccomp profile',
  },
  // ------------------------------------------------------------------ Python: the frame channel
  {
    file: 'python/forge-steps.py', language: 'python', attack: 'a well-formed `steps` frame with a bogus index, written to fds 3..9', verdict: 'internal_error',
    why: 'the runner checks step indices',
  },
  {
    file: 'python/forge-bad-json.py', language: 'python', attack: 'a length prefix followed by non-JSON on fd 3', verdict: 'internal_error',
    why: 'malformed frame',
  },
  {
    file: 'python/forge-huge-length.py', language: 'python', attack: 'a 4 GiB length prefix on fd 3', verdict: 'internal_error',
    why: 'over the frame size limit: rejected at once, never buffered',
  },
  {
    file: 'python/forge-end-record.py', language: 'python', attack: "a reusable container supervisor's end-of-run record on fd 3, with a guessed token",
    verdict: 'internal_error',
    why: 'the record needs the run\'s token, which no process of the run has: without it the bytes reach the runner as they are, a length over the frame cap',
  },
  {
    file: 'python/forge-partial-prefix.py', language: 'python', attack: 'half a length prefix on fd 3', verdict: 'internal_error',
    why: 'every later frame is read out of phase and is malformed',
  },
  {
    file: 'python/forge-via-tracer-object.py', language: 'python', attack: 'finds the tracer\'s channel object through frames and sends a malformed frame', verdict: 'internal_error',
    why: 'the runner validates every frame',
  },
  {
    file: 'python/forge-output.py', language: 'python', attack: 'a forged `output` frame on fd 3', verdict: 'ok',
    output: { includes: ['FORGED-OUTPUT', 'real output'] },
    why: 'the forgery can only show up as output text (counted against the output cap)',
  },
  {
    file: 'python/forge-from-child-process.py', language: 'python', attack: 'a child shell writes a frame to fd 3', verdict: 'ok',
    output: { includes: ['Bad file descriptor'], excludes: ['WROTE-FD3'] },
    why: 'the channel descriptor is close-on-exec',
  },
  {
    file: 'python/forge-end-then-raise.py', language: 'python', attack: 'a forged `end` {status: ok} on fd 3, then an uncaught ValueError', verdict: 'internal_error',
    why: 'two `end` frames (the forged one and the tracer\'s own) are a channel violation; a forged frame must never decide the verdict',
  },
  {
    file: 'python/forge-end-then-loop.py', language: 'python', attack: 'a forged `end` {status: ok} on fd 3, then an endless loop in C', verdict: 'internal_error',
    why: 'the tracers exit right after their `end`; a process still running after it is not a tracer telling the truth',
  },

  // ------------------------------------------------------------------ JavaScript: time
  {
    file: 'javascript/infinite-loop.js', language: 'javascript', attack: 'while (true) (traced)', verdict: 'step_limit',
    limits: { maxSteps: STEP_CAP },
    why: 'every iteration is a step',
  },
  {
    file: 'javascript/redos.js', language: 'javascript', attack: 'catastrophic regex backtracking', verdict: 'timeout',
    why: 'exponential time in the regex engine, no steps',
  },
  {
    file: 'javascript/atomics-wait-forever.js', language: 'javascript', attack: 'Atomics.wait on the only thread', verdict: 'timeout',
    why: 'blocked forever',
  },
  {
    file: 'javascript/interval-forever.js', language: 'javascript', attack: 'setInterval that never stops', verdict: 'timeout',
    why: 'a live timer keeps the program running',
  },
  {
    file: 'javascript/promise-storm.js', language: 'javascript', attack: 'each microtask queues two more', verdict: 'step_limit',
    limits: { maxSteps: STEP_CAP },
    why: 'the callbacks are traced: the step cap comes first',
  },
  {
    file: 'javascript/timer-bomb.js', language: 'javascript', attack: 'each timer callback schedules two more', verdict: 'step_limit',
    limits: { maxSteps: STEP_CAP },
    why: 'the callbacks are traced: the step cap comes first',
  },
  // ------------------------------------------------------------------ JavaScript: memory, recursion
  {
    file: 'javascript/memory-one-big.js', language: 'javascript', attack: 'a 400 MB Uint8Array, filled', verdict: 'memory_limit',
    why: 'V8\'s heap limit (~259 MB here) is above the container\'s: the cgroup OOM killer acts first',
  },
  {
    file: 'javascript/memory-many-small.js', language: 'javascript', attack: '20 million small strings built natively', verdict: 'memory_limit',
    why: 'the same limit, reached by many small allocations',
  },
  {
    file: 'javascript/recursion.js', language: 'javascript', attack: 'unbounded recursion', verdict: 'runtime_error',
    error: { type: 'RangeError' },
    why: 'the tracer\'s own depth cap raises a RangeError in the learner\'s realm',
  },
  {
    file: 'javascript/recursion-caught-then-host-call.js', language: 'javascript', attack: 'catches the stack overflow and calls console.log at the limit', verdict: 'ok',
    output: { includes: ['near the limit true true', 'caught RangeError', 'still running'] },
    why: 'the program handles its own error and carries on',
  },
  // ------------------------------------------------------------------ JavaScript: output
  {
    file: 'javascript/stdout-flood.js', language: 'javascript', attack: 'console.log forever', verdict: 'output_limit', minOutputBytes: FLOOD,
    why: 'the output cap',
  },
  {
    file: 'javascript/stderr-flood.js', language: 'javascript', attack: 'console.error forever', verdict: 'output_limit', minOutputBytes: FLOOD,
    why: 'stderr counts against the same cap',
  },
  {
    file: 'javascript/huge-line.js', language: 'javascript', attack: 'one 50 MB line', verdict: 'output_limit', minOutputBytes: FLOOD,
    why: 'cut at the cap; never one giant frame',
  },
  {
    file: 'javascript/invalid-utf8.js', language: 'javascript', attack: 'lone surrogates in console.log/error, in a string variable and an object key', verdict: 'ok',
    output: { includes: ['lone:\uFFFD:\uFFFD:end', 'done 1 1'] },
    why: 'unencodable text is replaced by U+FFFD; every string on the wire is valid UTF-8 (protocol README), steps included',
  },
  // ------------------------------------------------------------------ JavaScript: the tracer and the vm context
  {
    file: 'javascript/forge-frame-text.js', language: 'javascript', attack: 'frame-looking bytes through console.log, console.error and viz.note', verdict: 'ok',
    output: { includes: ['{"t":"end","status":"ok"', 'after forgery'] },
    why: 'learner code without `process` can only produce output text',
  },
  {
    file: 'javascript/tamper-builtins.js', language: 'javascript', attack: 'pollutes Object/Array prototypes (toJSON, getters, iterator), JSON.stringify', verdict: 'ok',
    output: { includes: ['tampered 4 object'] },
    why: 'the tracer serializes with its own realm\'s built-ins',
  },
  {
    file: 'javascript/tamper-proxies.js', language: 'javascript', attack: 'proxies whose traps throw or loop forever', verdict: 'ok',
    output: { includes: ['held them'] },
    why: 'the tracer must show proxies without running their traps',
  },
  {
    file: 'javascript/uses-globalthis.js', language: 'javascript', attack: 'not hostile: names `globalThis`', verdict: 'ok',
    output: { includes: ['object 42'] },
    why: 'an ordinary program',
  },
  {
    file: 'javascript/timer-bad-delay.js', language: 'javascript', attack: 'setTimeout with a Symbol delay (throws inside the provided function), caught', verdict: 'ok',
    output: { includes: ['caught TypeError', 'end of program'] },
    why: 'the program handles the error and ends',
  },
  {
    file: 'javascript/vm-escape-process.js', language: 'javascript', attack: 'reach the host `process`: the global\'s inherited constructor, provided functions, host errors, call sites, the tracer\'s member stores', verdict: 'ok',
    output: { includes: ['no host process reachable'], excludes: ['ESCAPED'] },
    why: 'learner code must not reach the tracer\'s realm. Found open twice while this corpus was written, both closed since: Object.getPrototypeOf(input.prototype).constructor.constructor("return process")() (provided functions were ordinary host functions) and this.constructor.constructor("return process")() (vm.createContext({}): the global inherited the host\'s Object.prototype); and a third time by review: destructuring stores made by a sloppy host function handed a learner setter the host Function through a call site, and the runtime\'s options object as a receiver (now learner-realm functions called without one)',
  },
  // What the host `process` would give (the vectors of vm-escape-process.js, both closed now): each program
  // prints "blocked: no process" and ends ok while no escape works, and shows the damage if one reopens.
  {
    file: 'javascript/escape-read-secrets.js', language: 'javascript', attack: '(via the escape) process.env, /proc/*/environ', verdict: 'ok',
    why: 'the container environment holds no server secret',
  },
  {
    file: 'javascript/escape-network.js', language: 'javascript', attack: '(via the escape) DNS, TCP to the host listener, Redis, Postgres, metadata', verdict: 'ok',
    hostListener: true, output: { excludes: ['CONNECTED', 'RESOLVED'] },
    why: 'NetworkMode none',
  },
  {
    file: 'javascript/escape-detached-child.js', language: 'javascript', attack: '(via the escape) detached, unref\'d children ignoring SIGHUP/SIGTERM', verdict: 'ok',
    survivors: ['987101', '987102'],
    why: 'they die with the container',
  },
  {
    file: 'javascript/escape-fork-bomb.js', language: 'javascript', attack: '(via the escape) shell fork bomb + 20 spawns', verdict: 'ok',
    survivors: ['987103'],
    why: 'the pids limit contains it; the program ends; the supervisor (PID 1) kills the rest',
  },
  {
    file: 'javascript/escape-kill-everything.js', language: 'javascript', attack: '(via the escape) kill(-1), SIGKILL to PID 1 and its group', verdict: 'ok',
    why: 'PID 1 (the supervisor) ignores them; kill(-1) spares the caller',
  },
  {
    file: 'javascript/escape-filesystem.js', language: 'javascript', attack: '(via the escape) read-only paths, symlinks, hard link, fill /tmp', verdict: 'ok',
    output: { excludes: ['WROTE', 'HARDLINKED'] },
    why: 'read-only root filesystem, 16 MB /tmp',
  },
  {
    file: 'javascript/escape-forge-steps.js', language: 'javascript', attack: '(via an escape) a forged `steps` frame on the channel pipe', verdict: 'ok',
    output: { includes: ['blocked: no process'] },
    why: 'without `process` there is no way to the channel (with an escape, the runner rejected the forgery: internal_error)',
  },
  {
    file: 'javascript/escape-forge-end.js', language: 'javascript', attack: '(via an escape) a forged `end` {status: ok}, then an uncaught Error', verdict: 'ok',
    output: { includes: ['blocked: no process'] },
    why: 'without `process` there is no way to the channel (with an escape, the forged `end` decided the verdict: ok, as forge-end-then-raise.py)',
  },

  // ------------------------------------------------------------------ C++ (skipped while the server has no `cpp` language)
  {
    file: 'cpp/fork-bomb.cpp', language: 'cpp', attack: 'for (;;) fork()', verdict: 'timeout',
    why: 'fork failures are ignored and the loop never ends; the pids limit keeps the machine safe',
  },
  {
    file: 'cpp/thread-bomb.cpp', language: 'cpp', attack: 'pthread_create until refused, then abort()', verdict: 'runtime_error',
    error: { type: 'Crash', signal: 'SIGABRT' }, output: { includes: ['threads created: '] },
    why: 'the pids limit refuses a thread; abort is a native crash',
  },
  {
    file: 'cpp/detached-double-fork.cpp', language: 'cpp', attack: 'double fork + setsid + exec sleep', verdict: 'ok',
    output: { includes: ['parent done'] }, survivors: ['987201'],
    why: 'dies with the container',
  },
  {
    file: 'cpp/infinite-loop.cpp', language: 'cpp', attack: 'for (;;) on a volatile', verdict: 'timeout',
    why: 'no steps in C++ without viz calls: the wall clock',
  },
  {
    file: 'cpp/sleep-forever.cpp', language: 'cpp', attack: 'ignores signals 1-31, pause() forever', verdict: 'timeout',
    why: 'SIGKILL from outside',
  },
  {
    file: 'cpp/memory-one-big.cpp', language: 'cpp', attack: 'malloc(400 MB) + memset', verdict: 'memory_limit',
    why: 'the cgroup OOM killer',
  },
  {
    file: 'cpp/memory-many-small.cpp', language: 'cpp', attack: 'new char[4096] forever, touched', verdict: 'memory_limit',
    why: 'the cgroup OOM killer',
  },
  {
    file: 'cpp/stdout-flood.cpp', language: 'cpp', attack: 'fputs forever', verdict: 'output_limit', minOutputBytes: FLOOD,
    why: 'the output cap',
  },
  {
    file: 'cpp/huge-line-invalid-utf8.cpp', language: 'cpp', attack: '50 MB of 0xff bytes on fd 1 and 2', verdict: 'output_limit', minOutputBytes: FLOOD,
    output: { includes: ['\uFFFD\uFFFD\uFFFD'] },
    why: 'cut at the cap, invalid bytes replaced',
  },
  {
    file: 'cpp/filesystem.cpp', language: 'cpp', attack: 'read-only paths, symlink to the Docker socket, hard link, fill /tmp', verdict: 'ok',
    output: { includes: ['refused /etc/tchostile', 'tmp full after'], excludes: ['WROTE', 'HARDLINKED'] },
    why: 'read-only root filesystem, 16 MB /tmp',
  },
  {
    file: 'cpp/network.cpp', language: 'cpp', attack: 'TCP to the bridge gateway, Redis, Postgres, metadata, 8.8.8.8', verdict: 'ok',
    output: { includes: ['blocked 169.254.169.254:80'], excludes: ['CONNECTED'] },
    why: 'NetworkMode none',
  },
  {
    file: 'cpp/forge-frames.cpp', language: 'cpp', attack: 'opens /proc/<pid>/fd/* of every process it sees (the runtime\'s pipes among them) and writes a forged `steps` frame, then garbage to the viz fd', verdict: 'internal_error',
    why: 'the program runs as the runtime\'s user, so /proc/<runtime>/fd reaches the frame channel; the runner must reject the forgery',
  },
  {
    file: 'cpp/include-dev-zero.cpp', language: 'cpp', attack: '#include "/dev/zero": the compiler reads forever', verdict: 'compile_error',
    why: 'cc1plus is OOM-killed; g++ reports it; the program never compiled (the OOM flag is the compiler\'s, not the program\'s, and verdict.ts puts compile_error first)',
  },
  {
    file: 'cpp/uses-std-thread.cpp', language: 'cpp', attack: 'not hostile: #include <thread>, one thread, join', verdict: 'ok',
    output: { includes: ['result 42'] },
    why: 'an ordinary program',
  },
  {
    file: 'cpp/template-bomb.cpp', language: 'cpp', attack: 'exponential/deep template instantiation', verdict: 'compile_error',
    why: 'the instantiation depth limit stops it',
  },
];

/** Ordinary programs run in parallel with the hostile ones: exact output, and the final value of some variables. */
export interface OrdinaryCase {
  name: string;
  language: 'python' | 'javascript';
  code: string;
  stdin?: string[];
  stdout: string;
  /** Variables of the top-level frame at the last step, as plain JSON (lists as arrays). */
  finalVars?: Record<string, unknown>;
}

export const ordinary: OrdinaryCase[] = [
  {
    name: 'python bubble sort', language: 'python',
    code: 'a = [5, 2, 9, 1, 5, 6]\nn = len(a)\nfor i in range(n):\n    for j in range(n - 1 - i):\n        if a[j] > a[j + 1]:\n            a[j], a[j + 1] = a[j + 1], a[j]\nprint(a)\n',
    stdout: '[1, 2, 5, 5, 6, 9]\n', finalVars: { a: [1, 2, 5, 5, 6, 9], n: 6 },
  },
  {
    name: 'python recursive fib', language: 'python',
    code: 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nresult = fib(12)\nprint("fib(12) =", result)\n',
    stdout: 'fib(12) = 144\n', finalVars: { result: 144 },
  },
  {
    name: 'python word count', language: 'python',
    code: 'text = "the cat and the hat and the bat"\ncounts = {}\nfor w in text.split():\n    counts[w] = counts.get(w, 0) + 1\nfor w in sorted(counts):\n    print(w, counts[w])\n',
    stdout: 'and 2\nbat 1\ncat 1\nhat 1\nthe 3\n',
  },
  {
    name: 'python sieve', language: 'python',
    code: 'N = 40\nis_p = [True] * (N + 1)\nis_p[0] = is_p[1] = False\nfor i in range(2, 7):\n    if is_p[i]:\n        for k in range(i * i, N + 1, i):\n            is_p[k] = False\nprimes = [i for i in range(N + 1) if is_p[i]]\nprint(*primes)\n',
    stdout: '2 3 5 7 11 13 17 19 23 29 31 37\n', finalVars: { primes: [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] },
  },
  {
    name: 'python stack class with input', language: 'python',
    code: 'class Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, x):\n        self.items.append(x)\n\n    def pop(self):\n        return self.items.pop()\n\ns = Stack()\nfor ch in input():\n    s.push(ch)\nout = ""\nwhile s.items:\n    out += s.pop()\nprint(out)\n',
    stdin: ['hello'], stdout: 'olleh\n', finalVars: { out: 'olleh' },
  },
  {
    name: 'javascript bubble sort', language: 'javascript',
    code: 'const a = [5, 2, 9, 1, 5, 6];\nfor (let i = 0; i < a.length; i++) {\n  for (let j = 0; j < a.length - 1 - i; j++) {\n    if (a[j] > a[j + 1]) [a[j], a[j + 1]] = [a[j + 1], a[j]];\n  }\n}\nconsole.log(a.join(","));\n',
    stdout: '1,2,5,5,6,9\n', finalVars: { a: [1, 2, 5, 5, 6, 9] },
  },
  {
    name: 'javascript memo fib', language: 'javascript',
    code: 'const memo = new Map();\nfunction fib(n) {\n  if (n < 2) return n;\n  if (memo.has(n)) return memo.get(n);\n  const v = fib(n - 1) + fib(n - 2);\n  memo.set(n, v);\n  return v;\n}\nconst result = fib(40);\nconsole.log("fib(40) =", result);\n',
    stdout: 'fib(40) = 102334155\n', finalVars: { result: 102334155 },
  },
  {
    name: 'javascript closures', language: 'javascript',
    code: 'function counter() {\n  let n = 0;\n  return () => ++n;\n}\nconst c = counter();\nc();\nc();\nconst last = c();\nconsole.log("count", last);\n',
    stdout: 'count 3\n', finalVars: { last: 3 },
  },
  {
    name: 'javascript binary search', language: 'javascript',
    code: 'const xs = [1, 3, 5, 7, 9, 11, 13];\nfunction find(t) {\n  let lo = 0, hi = xs.length - 1;\n  while (lo <= hi) {\n    const mid = (lo + hi) >> 1;\n    if (xs[mid] === t) return mid;\n    if (xs[mid] < t) lo = mid + 1; else hi = mid - 1;\n  }\n  return -1;\n}\nconst found = [find(7), find(1), find(13), find(4)];\nconsole.log(found);\n',
    stdout: '[ 3, 0, 6, -1 ]\n', finalVars: { found: [3, 0, 6, -1] },
  },
  {
    name: 'javascript classes and sets', language: 'javascript',
    code: 'class Graph {\n  constructor() { this.adj = new Map(); }\n  edge(a, b) {\n    if (!this.adj.has(a)) this.adj.set(a, []);\n    if (!this.adj.has(b)) this.adj.set(b, []);\n    this.adj.get(a).push(b);\n    this.adj.get(b).push(a);\n  }\n}\nconst g = new Graph();\ng.edge(1, 2); g.edge(2, 3); g.edge(4, 5);\nconst seen = new Set([1]);\nconst queue = [1];\nwhile (queue.length) {\n  for (const n of g.adj.get(queue.shift())) if (!seen.has(n)) { seen.add(n); queue.push(n); }\n}\nconsole.log([...seen].join(" "));\n',
    stdout: '1 2 3\n',
  },
];
