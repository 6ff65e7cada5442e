# The main process of a container that serves one owner run after run (sandbox-docker.ts, reuse), started
# as `sh -c "$(cat supervisor.sh)" sh TRACER...` under the runs' uid, as PID 1: the kernel keeps signals
# from inside the container off PID 1 (and kill(-1) skips it), so a run cannot kill it.
# supervised-process.ts speaks to it over the container's stdin and stdout. A run costs a fork and exec
# here instead of a `docker exec` (whose dockerd/containerd/runc work took ~75 ms of CPU per run).
#
# Per run, the runner writes `run TOKEN\n`. Before the tracer starts, the supervisor makes sure nothing
# of an earlier run is left, as far as this uid can see and do (the container has no capabilities): no
# other process of the uid alive, /tmp, /dev/shm and /sandbox empty, no System V IPC object, no OOM kill
# ever in the container. If a check fails it exits 90-93 and the container stops: the runner never sees
# a hello and removes it. Then it writes a start record on stdout, a length of 0xFFFFFFFF (over any
# frame cap, so no frame is taken for it) and `TOKEN\n`: a request that a program wrote into this
# process's stdin through /proc carries a token the runner did not send, and the runner removes the
# container. The tracer inherits the container's stdin (it reads its job line, and a compiled language's
# `go` line, from it: the runner writes nothing else until the run is over), stdout (the frame channel)
# and stderr. After the tracer exits, every other process of the uid is killed, then the run's end is
# written: on stderr `\036TOKEN\n`, after the run's last byte there; on stdout the 0xFFFFFFFF length and
# `TOKEN STATUS OOM\n` (OOM 1: the kernel killed a process of the container for memory; the supervisor
# then exits, its container is not reused). TOKEN is random per run and never reaches the run's
# processes, so a program cannot end its run early by writing the record itself; one that reads this
# process's memory through /proc (same uid) could, which only misleads its own owner's runs (README).

me=
while read -r key a rest; do
  [ "$key" = Uid: ] && { me=$a; break; }
done </proc/self/status

# True when a process of this uid other than this shell is alive. Zombies are dead: this shell is the
# container's PID 1, orphans become its children, and it reaps them whenever it waits for a command.
others_alive() {
  for st in /proc/[0-9]*/status; do
    [ "$st" = "/proc/$$/status" ] && continue
    state=
    uid=
    { while read -r key a rest; do
        case $key in
          State:) state=$a ;;
          Uid:) uid=$a; break ;;
        esac
      done <"$st"; } 2>/dev/null
    [ "$uid" = "$me" ] && [ "$state" != Z ] && return 0
  done
  return 1
}

is_empty() {
  for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    { [ -e "$f" ] || [ -L "$f" ]; } && return 1
  done
  return 0
}

# kill(-1) signals every process this uid may signal but the caller, all at once; a fork racing it can
# still leave a child, and a SIGKILLed process only dies once it next runs (a spinning one on a loaded
# machine: a moment later). So repeat until none is alive, for at most ~2 s; false if some survive.
kill_all() {
  tries=0
  while :; do
    kill -9 -1 2>/dev/null
    others_alive || return 0
    tries=$((tries + 1))
    [ "$tries" -ge 200 ] && return 1
    sleep 0.01
  done
}

ipc_objects() {
  n=0
  for f in /proc/sysvipc/shm /proc/sysvipc/msg /proc/sysvipc/sem; do
    while read -r line; do n=$((n + 1)); done <"$f"
    n=$((n - 1)) # the header line
  done
  [ "$n" -gt 0 ]
}

# True when the kernel OOM-killed a process of the container (cgroup v2 memory.events, v1 memory.oom_control).
oom_killed() {
  for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
    [ -r "$f" ] || continue
    while read -r key n; do
      [ "$key" = oom_kill ] && [ "$n" != 0 ] && return 0
    done <"$f"
  done
  return 1
}

fresh() {
  kill_all || { echo "supervisor: processes of uid $me survive" >&2; exit 90; }
  for dir in /tmp /dev/shm /sandbox; do
    [ -d "$dir" ] || continue
    is_empty "$dir" && continue
    # A directory left without permissions cannot be emptied: give them back first (before descending).
    find "$dir" -mindepth 1 -type d -exec chmod u+rwx {} \; 2>/dev/null
    find "$dir" -mindepth 1 -delete 2>/dev/null
    is_empty "$dir" || { echo "supervisor: $dir is not empty" >&2; exit 91; }
  done
  if ipc_objects; then
    ipcrm --all 2>/dev/null
    ipc_objects && { echo "supervisor: System V IPC objects are left" >&2; exit 92; }
  fi
  oom_killed && { echo "supervisor: the container had an OOM kill" >&2; exit 93; }
}

while read -r cmd token; do
  [ "$cmd" = run ] && [ -n "$token" ] || { echo "supervisor: unexpected request" >&2; exit 94; }
  fresh
  printf '\377\377\377\377%s\n' "$token"
  "$@"
  status=$?
  # Nothing of the run may outlive its end; survivors would also stop the next run (exit 90).
  kill_all
  oom=0
  oom_killed && oom=1
  printf '\036%s\n' "$token" >&2
  printf '\377\377\377\377%s %s %s\n' "$token" "$status" "$oom"
  [ "$oom" = 0 ] || exit 93
done
