# One run's process in a container that serves one owner run after run (sandbox-docker.ts, reuse).
# Run with `docker exec` as the runs' uid, as `sh -c "$(cat fresh-process.sh)" sh TRACER...`.
# Before the tracer starts, it makes sure nothing of an earlier run is left, as far as that uid
# can see and do (the container has no capabilities: root there could not signal this uid):
# no process of the uid alive, /tmp, /dev/shm and /sandbox empty, no System V IPC object, and
# no OOM kill ever in the container (its OOMKilled flag would be stale for the next run). If any
# check fails it exits 90-93 without starting the tracer: the runner never sees its hello and
# removes the container. After the tracer exits it kills every other process of the uid (what
# the program detached), so the exec's output streams close at once, and exits with the
# tracer's status (137 after an OOM kill).

me=
while read -r key a rest; do
  [ "$key" = Uid: ] && { me=$a; break; }
done </proc/self/status

# True when a process of this uid other than this shell is alive (zombies are dead: tini reaps them).
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

kill_all || { echo "fresh-process: processes of uid $me survive" >&2; exit 90; }

for dir in /tmp /dev/shm /sandbox; do
  [ -d "$dir" ] || continue
  is_empty "$dir" && continue
  # A directory left without permissions cannot be emptied: give them back first (before descending).
  find "$dir" -mindepth 1 -type d -exec chmod u+rwx {} \; 2>/dev/null
  find "$dir" -mindepth 1 -delete 2>/dev/null
  is_empty "$dir" || { echo "fresh-process: $dir is not empty" >&2; exit 91; }
done

ipc_objects() {
  n=0
  for f in /proc/sysvipc/shm /proc/sysvipc/msg /proc/sysvipc/sem; do
    while read -r line; do n=$((n + 1)); done <"$f"
    n=$((n - 1)) # the header line
  done
  [ "$n" -gt 0 ]
}
if ipc_objects; then
  ipcrm --all 2>/dev/null
  ipc_objects && { echo "fresh-process: System V IPC objects are left" >&2; exit 92; }
fi

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
oom_killed && { echo "fresh-process: the container had an OOM kill" >&2; exit 93; }

"$@"
status=$?
# Nothing of the run may outlive its end; survivors would also stop the next run of this container (exit 90).
kill_all
# A child of the tracer (a C++ program, a learner's subprocess) killed for memory while the tracer
# ended normally: the status of a SIGKILL makes the runner look at the cgroup and not reuse it.
oom_killed && exit 137
exit "$status"
