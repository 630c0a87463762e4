#!/usr/bin/env bash
# End-to-end comparison on one machine, over loopback, into tmpfs:
#   dwcp   (./dwcp serve + ./dwcp send -P STREAMS, auto by default)
#   rsync  (rsync daemon, whole-file transfer)
#   iperf3 (one TCP stream, sendfile, no disk write: the loopback ceiling)
#   cp     (a local copy, no network at all: the floor for writing the file)
#   dd     (zeros written into a new tmpfs file: the cost of the destination pages alone)
#
# Every run is a full whole-file transfer of the same random file (or tree): the
# destination is deleted before each run. Tools alternate within a round (the
# order rotates every round) so that drift on the machine hits all of them.
# Writes bench/RESULTS.md (overwritten) with medians, min/max, ratios, the
# CPU-seconds of client and server, and the raw per-run numbers.
#
# Usage (all settings are environment variables):
#   bench/transfer-bench.sh
#   SIZE_MIB=256 RUNS=2 TOOLS="rsync iperf3" bench/transfer-bench.sh
#   FILES=2000 SIZE_MIB=8 RESULTS=bench/RESULTS-tree.md bench/transfer-bench.sh
#
#   SIZE_MIB        size of the random test file in MiB       (2048)
#   FILES           1: one file; N > 1: a tree of N files, 100 per directory, SIZE_MIB in all
#                   (then the tools are dwcp, rsync and cp: iperf3 and dd move no tree)  (1)
#   RUNS            timed runs per tool                       (5)
#   WARMUP          untimed warm-up rounds, excluded          (1)
#   STREAMS         dwcp parallel streams, send -P N|auto     (auto)
#   TOOLS           which tools to run, in this order         ("dwcp rsync iperf3 cp dd")
#   DWCP            the dwcp launcher                         (./dwcp)
#   DWCP_PORT       dwcp control port                         (17400)
#   DWCP_DATA_PORT  dwcp data port                            (17401)
#   RSYNC_PORT      rsync daemon port                         (18730)
#   IPERF_PORT      iperf3 server port                        (15201)
#   DWCP_SERVE_ARGS extra arguments for `dwcp serve`          ("")
#   DWCP_SEND_ARGS  extra arguments for `dwcp send`           ("")
#   RUN_TIMEOUT     seconds before one transfer is killed     (600)
#   READY_TIMEOUT   seconds to wait for a server to listen    (120)
#   BUILD_TIMEOUT   seconds for the first `dwcp --version`    (1800)
#   RESULTS         output file                               (bench/RESULTS.md)
#   KEEP_WORKDIR    1 = keep the temp directory and logs      (0)
#
# Only 127.0.0.1 is used. Servers and temp files are removed on exit, also on
# failure or Ctrl-C.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

readonly HOST=127.0.0.1
SIZE_MIB=${SIZE_MIB:-2048}
FILES=${FILES:-1}
[[ $FILES =~ ^[0-9]+$ ]] || { echo "transfer-bench: FILES must be a non-negative integer, got '$FILES'" >&2; exit 1; }
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
STREAMS=${STREAMS:-auto}
if ((FILES > 1)); then DEFAULT_TOOLS="dwcp rsync cp"; else DEFAULT_TOOLS="dwcp rsync iperf3 cp dd"; fi
TOOLS=${TOOLS:-$DEFAULT_TOOLS}
DWCP=${DWCP:-./dwcp}
DWCP_PORT=${DWCP_PORT:-17400}
DWCP_DATA_PORT=${DWCP_DATA_PORT:-17401}
RSYNC_PORT=${RSYNC_PORT:-18730}
IPERF_PORT=${IPERF_PORT:-15201}
DWCP_SERVE_ARGS=${DWCP_SERVE_ARGS:-}
DWCP_SEND_ARGS=${DWCP_SEND_ARGS:-}
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
READY_TIMEOUT=${READY_TIMEOUT:-120}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-1800}
RESULTS=${RESULTS:-bench/RESULTS.md}
KEEP_WORKDIR=${KEEP_WORKDIR:-0}

readonly RSYNC_MODULE=bench
if ((FILES > 1)); then readonly SRC_NAME=bench-src-tree; else readonly SRC_NAME=bench-src.bin; fi

log() { printf '[%s] transfer-bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# ---------------------------------------------------------------- settings

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

for var in SIZE_MIB FILES RUNS WARMUP DWCP_PORT DWCP_DATA_PORT RSYNC_PORT \
  IPERF_PORT RUN_TIMEOUT READY_TIMEOUT BUILD_TIMEOUT; do
  is_uint "${!var}" || die "$var must be a non-negative integer, got '${!var}'"
done
((SIZE_MIB > 0)) || die "SIZE_MIB must be > 0"
((FILES > 0)) || die "FILES must be > 0"
((RUNS > 0)) || die "RUNS must be > 0"
[[ $STREAMS == auto ]] || { is_uint "$STREAMS" && ((STREAMS > 0)); } || die "STREAMS must be auto or > 0, got '$STREAMS'"

read -r -a TOOL_LIST <<<"$TOOLS"
((${#TOOL_LIST[@]} > 0)) || die "TOOLS is empty"
declare -A SEEN=()
for t in "${TOOL_LIST[@]}"; do
  case "$t" in
    dwcp | rsync | iperf3 | cp | dd) ;;
    *) die "unknown tool '$t' in TOOLS (known: dwcp rsync iperf3 cp dd)" ;;
  esac
  [[ -z ${SEEN[$t]:-} ]] || die "tool '$t' listed twice in TOOLS"
  if ((FILES > 1)) && [[ $t == iperf3 || $t == dd ]]; then
    die "$t moves no tree: with FILES > 1, TOOLS may hold dwcp, rsync and cp"
  fi
  SEEN[$t]=1
done
has_tool() { [[ -n ${SEEN[$1]:-} ]]; }

read -r -a SERVE_EXTRA <<<"$DWCP_SERVE_ARGS"
read -r -a SEND_EXTRA <<<"$DWCP_SEND_ARGS"

# A tree's files share SIZE_MIB equally (the remainder is dropped): SIZE_BYTES is what every tool must write.
FILE_BYTES=$((SIZE_MIB * 1024 * 1024 / FILES))
((FILE_BYTES > 0)) || die "FILES=$FILES files do not fit in SIZE_MIB=$SIZE_MIB"
SIZE_BYTES=$((FILE_BYTES * FILES))

# ---------------------------------------------------------------- cleanup

SERVER_PIDS=()
SERVER_NAMES=()
WORKDIR=""

# Servers are started with setsid, so each one leads its own process group and
# the whole group (a launcher script and its JVM, say) is stopped together.
stop_group() {
  local pid=$1 name=$2 i
  if ! kill -TERM -- "-$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || return 0
  fi
  for ((i = 0; i < 50; i++)); do
    if ! kill -0 -- "-$pid" 2>/dev/null && ! kill -0 "$pid" 2>/dev/null; then
      log "stopped $name (pid $pid)"
      return 0
    fi
    sleep 0.1
  done
  log "$name (pid $pid) ignored SIGTERM for 5 s, sending SIGKILL"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? i f
  trap - EXIT INT TERM
  set +e
  if ((rc != 0)) && [[ -n $WORKDIR && -d $WORKDIR/logs ]]; then
    for f in "$WORKDIR"/logs/*; do
      [[ -s $f ]] || continue
      log "---- last lines of $(basename "$f") ----"
      tail -n 20 "$f" >&2
    done
  fi
  for ((i = ${#SERVER_PIDS[@]} - 1; i >= 0; i--)); do
    stop_group "${SERVER_PIDS[$i]}" "${SERVER_NAMES[$i]}"
  done
  if [[ -n $WORKDIR && -d $WORKDIR ]]; then
    if [[ $KEEP_WORKDIR == 1 ]]; then
      log "keeping work directory $WORKDIR"
    else
      rm -rf -- "$WORKDIR"
    fi
  fi
  if ((rc != 0)); then
    log "failed (exit $rc); $RESULTS not written"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers

# True if some socket is in LISTEN state on local TCP port $1 (any address).
port_listening() {
  local hex files=() f
  hex=$(printf '%04X' "$1")
  for f in /proc/net/tcp /proc/net/tcp6; do
    [[ -r $f ]] && files+=("$f")
  done
  ((${#files[@]} > 0)) || return 1
  awk -v p=":$hex" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { found = 1 }
    END { exit found ? 0 : 1 }' "${files[@]}"
}

# start_server NAME LOGFILE CMD... ; sets START_PID
start_server() {
  local name=$1 logfile=$2
  shift 2
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  START_PID=$!
  SERVER_PIDS+=("$START_PID")
  SERVER_NAMES+=("$name")
  log "started $name (pid $START_PID): $*"
}

# wait_listen NAME PID PORT
wait_listen() {
  local name=$1 pid=$2 port=$3 deadline=$((SECONDS + READY_TIMEOUT))
  while ! port_listening "$port"; do
    kill -0 "$pid" 2>/dev/null || die "$name exited before listening on $HOST:$port"
    ((SECONDS < deadline)) || die "$name not listening on $HOST:$port after ${READY_TIMEOUT}s"
    sleep 0.1
  done
  log "$name listening on $HOST:$port"
}

# Microseconds since the epoch, without forking (bash 5 EPOCHREALTIME; strip
# the locale's decimal separator).
now_us() { NOW_US=${EPOCHREALTIME//[!0-9]/}; }

# us_to_s MICROS -> "S.UUUUUU" in US_S
us_to_s() { printf -v US_S '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)); }

file_size() { stat -c %s -- "$1"; }
# tree_bytes PATH: bytes in the regular files at or below PATH
tree_bytes() { find "$1" -type f -printf '%s\n' | awk '{ n += $1 } END { printf "%.0f\n", n }'; }

# CPU accounting, so that a run's cost shows next to its speed: on a machine this small both ends share
# the cores, so CPU-seconds per transfer is what throughput is made of. Neither helper forks.
CLK_TCK=$(getconf CLK_TCK)
# proc_ticks PID: user+system CPU of a process and of the children it has reaped, in clock ticks -> PROC_TICKS
proc_ticks() {
  local line f
  PROC_TICKS=0
  read -r line <"/proc/$1/stat" || return 0
  # Fields after "pid (comm) ": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  read -r -a f <<<"${line##*) }"
  PROC_TICKS=$((f[11] + f[12] + f[13] + f[14]))
}
# children_ms: user+system CPU of every child this shell has reaped so far, in ms -> CHILD_MS
children_ms() {
  local self kids u s
  times >"$WORKDIR/times.txt"
  { read -r self; read -r kids; } <"$WORKDIR/times.txt"
  u=${kids% *}
  s=${kids#* }
  to_ms "$u"
  CHILD_MS=$TO_MS
  to_ms "$s"
  CHILD_MS=$((CHILD_MS + TO_MS))
}
# to_ms "1m2.345s" -> TO_MS=62345
to_ms() {
  local m=${1%%m*} rest=${1#*m}
  rest=${rest%s}
  local sec=${rest%%.*} frac=${rest#*.}
  frac=${frac}000
  TO_MS=$(((10#$m * 60 + 10#$sec) * 1000 + 10#${frac:0:3}))
}
# cpu_begin SERVER_PID / cpu_end SERVER_PID: client and server CPU seconds of the run in between
# -> CPU_CLIENT_S CPU_SERVER_S
# SERVER_PID "-" means the tool has no server (cp): CPU_SERVER_S is then "-".
cpu_begin() {
  children_ms
  CPU_C0=$CHILD_MS
  CPU_S0=0
  [[ $1 == - ]] || { proc_ticks "$1"; CPU_S0=$PROC_TICKS; }
}
cpu_end() {
  local pid=$1 deadline=$((SECONDS + 10)) kids=""
  # A forking server (rsync) adds a connection's CPU once it has reaped that child. Waiting must not fork
  # either (a forked sleep would be counted as client CPU): read the kernel's child list, nap on a FIFO.
  [[ -p $WORKDIR/nap.fifo ]] || mkfifo "$WORKDIR/nap.fifo"
  if [[ $pid == - ]]; then
    children_ms
    us_to_s $(((CHILD_MS - CPU_C0) * 1000))
    CPU_CLIENT_S=$US_S
    CPU_SERVER_S=-
    return 0
  fi
  while ((SECONDS < deadline)); do
    kids=""
    # The list has no trailing newline, so read reports EOF even when it filled kids.
    read -r kids <"/proc/$pid/task/$pid/children" 2>/dev/null || true
    [[ -n $kids ]] || break
    read -r -t 0.05 <>"$WORKDIR/nap.fifo" || true
  done
  children_ms
  proc_ticks "$pid"
  us_to_s $(((CHILD_MS - CPU_C0) * 1000))
  CPU_CLIENT_S=$US_S
  us_to_s $(((PROC_TICKS - CPU_S0) * 1000000 / CLK_TCK))
  CPU_SERVER_S=$US_S
}

# timed SERVER_PID STDOUT STDERR CMD...: runs one client command under the run timeout (STDOUT and STDERR
# may name the same file) -> RUN_RC, US_S (wall seconds), CPU_CLIENT_S, CPU_SERVER_S
timed() {
  local pid=$1 out=$2 err=$3 t0 wall
  shift 3
  cpu_begin "$pid"
  now_us
  t0=$NOW_US
  RUN_RC=0
  if [[ $out == "$err" ]]; then
    timeout -k 10 "$RUN_TIMEOUT" "$@" >"$out" 2>&1 || RUN_RC=$?
  else
    timeout -k 10 "$RUN_TIMEOUT" "$@" >"$out" 2>"$err" || RUN_RC=$?
  fi
  now_us
  us_to_s $((NOW_US - t0))
  wall=$US_S
  cpu_end "$pid"
  US_S=$wall
}

fail_run() {
  local tool=$1 round=$2 why=$3 errfile=${4:-}
  if [[ -n $errfile && -s $errfile ]]; then
    log "---- $tool output (round $round) ----"
    tail -n 30 "$errfile" >&2
  fi
  die "$tool run $round failed: $why"
}

# ---------------------------------------------------------------- preflight

command -v python3 >/dev/null 2>&1 || die "python3 is required (JSON parsing and the report)"
((BASH_VERSINFO[0] >= 5)) || die "bash >= 5 is required (EPOCHREALTIME)"
for c in setsid timeout awk stat cmp dd df; do
  command -v "$c" >/dev/null 2>&1 || die "required command '$c' not found"
done

need_install=()
for t in rsync iperf3; do
  if has_tool "$t" && ! command -v "$t" >/dev/null 2>&1; then
    need_install+=("$t")
  fi
done
if ((${#need_install[@]} > 0)); then
  log "installing ${need_install[*]} via scripts/install-tools.sh"
  "$REPO/scripts/install-tools.sh" "${need_install[@]}" >&2 ||
    die "could not install ${need_install[*]} (see above)"
fi

# Ports: distinct, and nobody listening on them yet.
declare -A PORT_OWNER=()
check_port() {
  local name=$1 port=$2
  ((port > 0 && port < 65536)) || die "$name port $port out of range"
  [[ -z ${PORT_OWNER[$port]:-} ]] || die "$name and ${PORT_OWNER[$port]} both use port $port"
  PORT_OWNER[$port]=$name
  if port_listening "$port"; then
    die "port $port ($name) is already in use; set ${name^^}_PORT to a free port"
  fi
}
if has_tool dwcp; then
  check_port dwcp "$DWCP_PORT"
  check_port dwcp_data "$DWCP_DATA_PORT"
fi
has_tool rsync && check_port rsync "$RSYNC_PORT"
has_tool iperf3 && check_port iperf "$IPERF_PORT"

# Build dwcp before anything is timed (the launcher builds on first use).
DWCP_VERSION="n/a"
if has_tool dwcp; then
  [[ -x $DWCP ]] || die "dwcp launcher '$DWCP' not found or not executable (set DWCP=..., or TOOLS=\"rsync iperf3\" to skip dwcp)"
  log "building/starting dwcp once: $DWCP --version (may take a while on first use)"
  if ! DWCP_VERSION=$(timeout -k 10 "$BUILD_TIMEOUT" "$DWCP" --version 2>&1); then
    printf '%s\n' "$DWCP_VERSION" | tail -n 30 >&2
    die "'$DWCP --version' failed"
  fi
  DWCP_VERSION=$(printf '%s\n' "$DWCP_VERSION" | awk 'NF { last = $0 } END { print last }')
  log "dwcp: $DWCP_VERSION"
fi

# Work directory on tmpfs.
if [[ -d /dev/shm && -w /dev/shm ]]; then
  WORKDIR=$(mktemp -d /dev/shm/dwcp-bench.XXXXXX)
else
  WORKDIR=$(mktemp -d)
  log "WARNING: /dev/shm missing; using $WORKDIR (may not be tmpfs)"
fi
FSTYPE=$(stat -f -c %T "$WORKDIR")
[[ $FSTYPE == tmpfs ]] || log "WARNING: $WORKDIR is on $FSTYPE, not tmpfs; disk speed may dominate"
mkdir -p "$WORKDIR/logs" "$WORKDIR/out" "$WORKDIR/recv/dwcp" "$WORKDIR/recv/rsync" "$WORKDIR/recv/cp" "$WORKDIR/recv/dd"
SRC="$WORKDIR/$SRC_NAME"
RUNS_TSV="$WORKDIR/runs.tsv"
: >"$RUNS_TSV"

writers=0
has_tool dwcp && writers=$((writers + 1))
has_tool rsync && writers=$((writers + 1))
has_tool cp && writers=$((writers + 1))
has_tool dd && writers=$((writers + 1))
need_kib=$((SIZE_MIB * 1024 * (1 + writers) + 65536))
avail_kib=$(df -Pk "$WORKDIR" | awk 'NR == 2 { print $4 }')
((avail_kib >= need_kib)) ||
  die "$WORKDIR has $((avail_kib / 1024)) MiB free, need $((need_kib / 1024)) MiB"

if ((FILES == 1)); then
  log "creating $SIZE_MIB MiB random file $SRC"
  dd if=/dev/urandom of="$SRC" bs=1M count="$SIZE_MIB" iflag=fullblock status=none
else
  log "creating a tree of $FILES random files of $FILE_BYTES bytes in $SRC"
  python3 - "$SRC" "$FILES" "$FILE_BYTES" <<'PY'
import os, sys
root, files, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(files):
    d = os.path.join(root, "d%04d" % (i // 100))
    if i % 100 == 0:
        os.makedirs(d)
    with open(os.path.join(d, "f%06d" % i), "wb") as f:
        f.write(os.urandom(size))
PY
fi
[[ $(tree_bytes "$SRC") -eq $SIZE_BYTES ]] || die "source has the wrong size"

# ---------------------------------------------------------------- servers

JAVA_VERSION="n/a (dwcp not run)"

if has_tool rsync; then
  conf="$WORKDIR/rsyncd.conf"
  {
    echo "# generated by bench/transfer-bench.sh"
    echo "pid file = $WORKDIR/rsyncd.pid"
    echo "use chroot = no"
    echo "reverse lookup = no"
    echo "log file = $WORKDIR/logs/rsyncd.log"
    if (($(id -u) == 0)); then
      echo "uid = $(id -un)"
      echo "gid = $(id -gn)"
    fi
    echo "[$RSYNC_MODULE]"
    echo "    path = $WORKDIR/recv/rsync"
    echo "    read only = no"
    echo "    list = no"
    echo "    munge symlinks = no"
    echo "    numeric ids = yes"
  } >"$conf"
  start_server rsyncd "$WORKDIR/logs/rsyncd.out" \
    rsync --daemon --no-detach --config="$conf" --address="$HOST" --port="$RSYNC_PORT"
  RSYNCD_PID=$START_PID
  wait_listen rsyncd "$START_PID" "$RSYNC_PORT"
fi

if has_tool iperf3; then
  start_server iperf3-server "$WORKDIR/logs/iperf3-server.log" \
    iperf3 -s -B "$HOST" -p "$IPERF_PORT"
  IPERFD_PID=$START_PID
  wait_listen iperf3-server "$START_PID" "$IPERF_PORT"
fi

if has_tool dwcp; then
  start_server dwcp-serve "$WORKDIR/logs/dwcp-serve.log" \
    "$DWCP" serve --root "$WORKDIR/recv/dwcp" --listen "$HOST:$DWCP_PORT" \
    --data-port "$DWCP_DATA_PORT" "${SERVE_EXTRA[@]+"${SERVE_EXTRA[@]}"}"
  DWCP_SERVER_PID=$START_PID
  wait_listen dwcp-serve "$DWCP_SERVER_PID" "$DWCP_PORT"
  # Which JVM does the launcher run? Look at the server's process group.
  java_bin=""
  for p in $(pgrep -g "$DWCP_SERVER_PID" 2>/dev/null || true) "$DWCP_SERVER_PID"; do
    exe=$(readlink "/proc/$p/exe" 2>/dev/null || true)
    if [[ $exe == */java ]]; then
      java_bin=$exe
      break
    fi
  done
  if [[ -n $java_bin ]]; then
    JAVA_VERSION="$("$java_bin" -version 2>&1 | sed -n 2p) ($java_bin)"
  else
    JAVA_VERSION="unknown (no java process found under the dwcp server)"
  fi
  log "dwcp server runs on: $JAVA_VERSION"
fi

# ---------------------------------------------------------------- runs

# record ROUND TOOL WALL_S BYTES SELF_S SELF_BPS WIRE_BYTES CLIENT_CPU_S SERVER_CPU_S ("-" = not available)
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RUNS_TSV"
}

remove_dest() {
  local dir=$1
  # The file itself plus anything the tool left beside it for this name
  # (partial files, journals) so that no run can resume or delta.
  find "$dir" -mindepth 1 -maxdepth 1 -name "*$SRC_NAME*" -exec rm -rf -- {} +
}

check_dest() {
  local tool=$1 round=$2 dest=$3
  [[ -e $dest ]] || fail_run "$tool" "$round" "destination $dest missing after transfer"
  local got files
  got=$(tree_bytes "$dest")
  ((got == SIZE_BYTES)) || fail_run "$tool" "$round" "destination has $got bytes, expected $SIZE_BYTES"
  files=$(find "$dest" -type f | wc -l)
  ((files == FILES)) || fail_run "$tool" "$round" "destination has $files files, expected $FILES"
}

run_dwcp() {
  local round=$1 out="$WORKDIR/out/dwcp.$1.json" err="$WORKDIR/out/dwcp.$1.err"
  local fields files bytes wire secs bps verified used
  remove_dest "$WORKDIR/recv/dwcp"
  timed "$DWCP_SERVER_PID" "$out" "$err" "$DWCP" send --json --no-progress -P "$STREAMS" \
    "${SEND_EXTRA[@]+"${SEND_EXTRA[@]}"}" "$SRC" "$HOST:$DWCP_PORT/"
  ((RUN_RC == 0)) || fail_run dwcp "$round" "exit code $RUN_RC" "$err"
  if ! fields=$(python3 - "$out" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
obj = None
try:
    obj = json.loads(text)
except ValueError:
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
                break
            except ValueError:
                pass
if not isinstance(obj, dict):
    sys.exit("no JSON object on stdout: %r" % text[:300])
missing = [k for k in ("files", "bytes", "wire_bytes", "seconds", "verified") if k not in obj]
if missing:
    sys.exit("JSON lacks fields: " + ", ".join(missing))
secs = float(obj["seconds"])
bps = obj["bytes"] * 8 / secs if secs > 0 else 0.0
print(obj["files"], obj["bytes"], obj["wire_bytes"], repr(secs), repr(bps),
      "true" if obj["verified"] is True else "false", obj.get("streams", "?"))
PY
  ); then
    fail_run dwcp "$round" "could not parse --json output" "$out"
  fi
  read -r files bytes wire secs bps verified used <<<"$fields"
  echo "$used" >"$WORKDIR/out/dwcp.streams"
  [[ $verified == true ]] || fail_run dwcp "$round" "verified is not true" "$out"
  ((bytes == SIZE_BYTES)) || fail_run dwcp "$round" "JSON bytes=$bytes, expected $SIZE_BYTES" "$out"
  ((files == FILES)) || log "WARNING: dwcp reported files=$files (expected $FILES)"
  check_dest dwcp "$round" "$WORKDIR/recv/dwcp/$SRC_NAME"
  record "$round" dwcp "$US_S" "$bytes" "$secs" "$bps" "$wire" "$CPU_CLIENT_S" "$CPU_SERVER_S"
  log "round $round dwcp: wall ${US_S}s, self-reported ${secs}s, wire $wire bytes, cpu client ${CPU_CLIENT_S}s server ${CPU_SERVER_S}s"
}

run_rsync() {
  local round=$1 err="$WORKDIR/out/rsync.$1.err"
  remove_dest "$WORKDIR/recv/rsync"
  timed "$RSYNCD_PID" "$err" "$err" rsync -a --whole-file "$SRC" "rsync://$HOST:$RSYNC_PORT/$RSYNC_MODULE/"
  ((RUN_RC == 0)) || fail_run rsync "$round" "exit code $RUN_RC" "$err"
  check_dest rsync "$round" "$WORKDIR/recv/rsync/$SRC_NAME"
  record "$round" rsync "$US_S" "$SIZE_BYTES" - - - "$CPU_CLIENT_S" "$CPU_SERVER_S"
  log "round $round rsync: wall ${US_S}s, cpu client ${CPU_CLIENT_S}s server ${CPU_SERVER_S}s"
}

run_iperf3() {
  local round=$1 out="$WORKDIR/out/iperf3.$1.json" fields bytes secs bps
  timed "$IPERFD_PID" "$out" "$out" iperf3 -c "$HOST" -p "$IPERF_PORT" -Z -F "$SRC" -n "$SIZE_BYTES" --json
  ((RUN_RC == 0)) || fail_run iperf3 "$round" "exit code $RUN_RC" "$out"
  if ! fields=$(python3 - "$out" <<'PY'
import json, sys
obj = json.load(open(sys.argv[1], encoding="utf-8", errors="replace"))
if obj.get("error"):
    sys.exit("iperf3 error: %s" % obj["error"])
s = obj["end"]["sum_sent"]
print(int(s["bytes"]), repr(float(s["seconds"])), repr(float(s["bits_per_second"])))
PY
  ); then
    fail_run iperf3 "$round" "could not parse --json output" "$out"
  fi
  read -r bytes secs bps <<<"$fields"
  ((bytes >= SIZE_BYTES)) || fail_run iperf3 "$round" "sent $bytes bytes, expected $SIZE_BYTES" "$out"
  record "$round" iperf3 "$US_S" "$bytes" "$secs" "$bps" - "$CPU_CLIENT_S" "$CPU_SERVER_S"
  log "round $round iperf3: wall ${US_S}s, self-reported ${secs}s, cpu client ${CPU_CLIENT_S}s server ${CPU_SERVER_S}s"
}

# The floor: the same file copied on this machine without any network, by the cheapest means coreutils
# has (on tmpfs, copy_file_range: one copy in the kernel, no user space). No network tool can write the
# destination faster than this, so it bounds what any ratio against rsync can reach here.
run_cp() {
  local round=$1 err="$WORKDIR/out/cp.$1.err"
  remove_dest "$WORKDIR/recv/cp"
  timed - "$err" "$err" cp -R --reflink=never -- "$SRC" "$WORKDIR/recv/cp/$SRC_NAME"
  ((RUN_RC == 0)) || fail_run cp "$round" "exit code $RUN_RC" "$err"
  check_dest cp "$round" "$WORKDIR/recv/cp/$SRC_NAME"
  record "$round" cp "$US_S" "$SIZE_BYTES" - - - "$CPU_CLIENT_S" -
  log "round $round cp: wall ${US_S}s, cpu ${CPU_CLIENT_S}s"
}

# What writing the destination's pages costs by itself: no source to read, no network. With iperf3 (which
# reads the source and moves it over TCP, writing nothing) it bounds from below the CPU any tool needs here.
run_dd() {
  local round=$1 err="$WORKDIR/out/dd.$1.err"
  remove_dest "$WORKDIR/recv/dd"
  timed - "$err" "$err" dd if=/dev/zero of="$WORKDIR/recv/dd/$SRC_NAME" bs=1M count="$SIZE_MIB" status=none
  ((RUN_RC == 0)) || fail_run dd "$round" "exit code $RUN_RC" "$err"
  check_dest dd "$round" "$WORKDIR/recv/dd/$SRC_NAME"
  record "$round" dd "$US_S" "$SIZE_BYTES" - - - "$CPU_CLIENT_S" -
  log "round $round dd: wall ${US_S}s, cpu ${CPU_CLIENT_S}s"
}

n_tools=${#TOOL_LIST[@]}
total_rounds=$((WARMUP + RUNS))
for ((r = 1; r <= total_rounds; r++)); do
  if ((r <= WARMUP)); then
    round="w$r"
    log "warm-up round $r/$WARMUP (excluded from statistics)"
  else
    round=$((r - WARMUP))
    log "round $round/$RUNS"
  fi
  for ((k = 0; k < n_tools; k++)); do
    tool=${TOOL_LIST[$(((k + r - 1) % n_tools))]}
    "run_$tool" "$round"
  done
done

# Byte-for-byte check of the last run of each tool that writes a file (untimed).
CMP_NOTES=()
for t in dwcp rsync cp; do
  has_tool "$t" || continue
  dest="$WORKDIR/recv/$t/$SRC_NAME"
  if diff -r -q -- "$SRC" "$dest" >/dev/null; then
    CMP_NOTES+=("$t: last run's destination is byte-identical to the source (diff -r)")
    log "$t: destination identical to source"
  else
    die "$t: destination differs from the source (diff -r)"
  fi
done

# ---------------------------------------------------------------- report

GIT_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $GIT_COMMIT != unknown ]] && ! git diff-index --quiet HEAD -- . ':(exclude)bench/*.md' 2>/dev/null; then
  GIT_COMMIT="$GIT_COMMIT (working tree has uncommitted changes)"
fi

repro=()
[[ $SIZE_MIB != 2048 ]] && repro+=("SIZE_MIB=$SIZE_MIB")
((FILES != 1)) && repro+=("FILES=$FILES")
[[ $RUNS != 5 ]] && repro+=("RUNS=$RUNS")
[[ $WARMUP != 1 ]] && repro+=("WARMUP=$WARMUP")
[[ $STREAMS != auto ]] && repro+=("STREAMS=$STREAMS")
[[ $TOOLS != "$DEFAULT_TOOLS" ]] && repro+=("TOOLS=\"$TOOLS\"")
[[ $DWCP != ./dwcp ]] && repro+=("DWCP=$DWCP")
[[ -n $DWCP_SERVE_ARGS ]] && repro+=("DWCP_SERVE_ARGS=\"$DWCP_SERVE_ARGS\"")
[[ $DWCP_PORT != 17400 ]] && repro+=("DWCP_PORT=$DWCP_PORT")
[[ $DWCP_DATA_PORT != 17401 ]] && repro+=("DWCP_DATA_PORT=$DWCP_DATA_PORT")
[[ $RSYNC_PORT != 18730 ]] && repro+=("RSYNC_PORT=$RSYNC_PORT")
[[ $IPERF_PORT != 15201 ]] && repro+=("IPERF_PORT=$IPERF_PORT")
[[ -n $DWCP_SEND_ARGS ]] && repro+=("DWCP_SEND_ARGS=\"$DWCP_SEND_ARGS\"")
repro+=("bench/transfer-bench.sh")

send_cmd="$DWCP send --json --no-progress -P $STREAMS${DWCP_SEND_ARGS:+ $DWCP_SEND_ARGS} SRC $HOST:$DWCP_PORT/"
serve_cmd="$DWCP serve --root RECV/dwcp --listen $HOST:$DWCP_PORT --data-port $DWCP_DATA_PORT${DWCP_SERVE_ARGS:+ $DWCP_SERVE_ARGS}"

export B_DATE B_NPROC B_CPU B_KERNEL B_MEM B_JAVA B_DWCP_VERSION B_RSYNC_VERSION \
  B_IPERF_VERSION B_GIT B_SIZE_MIB B_SIZE_BYTES B_FILES B_FILE_BYTES B_RUNS B_WARMUP B_STREAMS B_TOOLS \
  B_FSTYPE B_REPRO B_SEND_CMD B_SERVE_CMD B_RSYNC_CMD B_RSYNCD_CMD B_IPERF_CMD \
  B_IPERFD_CMD B_CP_CMD B_DD_CMD B_CMP
B_DATE=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
B_NPROC=$(nproc)
B_CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
B_CPU=${B_CPU:-unknown}
B_KERNEL=$(uname -srm)
B_MEM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo unknown)
B_JAVA=$JAVA_VERSION
B_DWCP_VERSION=$DWCP_VERSION
B_RSYNC_VERSION="n/a"
has_tool rsync && B_RSYNC_VERSION=$(rsync --version | awk 'NR == 1')
B_IPERF_VERSION="n/a"
has_tool iperf3 && B_IPERF_VERSION=$(iperf3 --version | awk 'NR == 1')
B_GIT=$GIT_COMMIT
B_SIZE_MIB=$SIZE_MIB
B_SIZE_BYTES=$SIZE_BYTES
B_FILES=$FILES
B_FILE_BYTES=$FILE_BYTES
B_RUNS=$RUNS
B_WARMUP=$WARMUP
B_STREAMS=$STREAMS
[[ -f $WORKDIR/out/dwcp.streams ]] && B_STREAMS="$STREAMS (streams used: $(cat "$WORKDIR/out/dwcp.streams"))"
B_TOOLS=$TOOLS
B_FSTYPE=$FSTYPE
B_REPRO="${repro[*]}"
B_SEND_CMD=$send_cmd
B_SERVE_CMD=$serve_cmd
B_RSYNC_CMD="rsync -a --whole-file SRC rsync://$HOST:$RSYNC_PORT/$RSYNC_MODULE/"
B_RSYNCD_CMD="rsync --daemon --no-detach --config=rsyncd.conf --address=$HOST --port=$RSYNC_PORT  (use chroot = no, module path on tmpfs)"
B_IPERF_CMD="iperf3 -c $HOST -p $IPERF_PORT -Z -F SRC -n $SIZE_BYTES --json"
B_IPERFD_CMD="iperf3 -s -B $HOST -p $IPERF_PORT"
B_CP_CMD="cp -R --reflink=never -- SRC RECV/cp/$SRC_NAME"
B_DD_CMD="dd if=/dev/zero of=RECV/dd/$SRC_NAME bs=1M count=$SIZE_MIB"
B_CMP=$(printf '%s\n' "${CMP_NOTES[@]+"${CMP_NOTES[@]}"}")

mkdir -p "$(dirname "$RESULTS")"
tmp_results="$WORKDIR/RESULTS.md"
python3 - "$RUNS_TSV" "$tmp_results" <<'PY'
import os, statistics, sys

tsv, out_path = sys.argv[1], sys.argv[2]
E = os.environ
tools = E["B_TOOLS"].split()
size = int(E["B_SIZE_BYTES"])

rows = []
with open(tsv) as f:
    for line in f:
        r, tool, wall, nbytes, self_s, self_bps, wire, cpu_c, cpu_s = line.rstrip("\n").split("\t")
        num = lambda v: None if v == "-" else float(v)
        rows.append(dict(round=r, tool=tool, wall=float(wall), bytes=int(nbytes),
                         self_s=num(self_s), self_bps=num(self_bps), wire=num(wire),
                         cpu_c=num(cpu_c), cpu_s=num(cpu_s)))
timed = [x for x in rows if not x["round"].startswith("w")]

def gbs(bps):   # bytes/s -> GB/s (10^9)
    return bps / 1e9

def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)

def fmt(v, nd=3):
    return "n/a" if v is None else f"{v:.{nd}f}"

per = {}
for t in tools:
    rs = [x for x in timed if x["tool"] == t]
    wall_tp = [x["bytes"] / x["wall"] for x in rs]          # bytes/s, wall clock
    self_tp = [x["self_bps"] / 8 if x["self_bps"] is not None else None for x in rs]
    per[t] = dict(
        n=len(rs),
        wall=stats([x["wall"] for x in rs]),
        wall_tp=stats(wall_tp),
        self_s=stats([x["self_s"] for x in rs]),
        self_tp=stats(self_tp),
        wire=stats([x["wire"] for x in rs]),
        cpu_c=stats([x["cpu_c"] for x in rs]),
        cpu_s=stats([x["cpu_s"] for x in rs]),
        cpu=stats([x["cpu_c"] + (x["cpu_s"] or 0.0) for x in rs if x["cpu_c"] is not None]),
    )

def med(t, key):
    s = per.get(t, {}).get(key)
    return None if s is None else s[0]

L = []
w = L.append
w("# DWCP end-to-end transfer benchmark")
w("")
w(f"Generated by `bench/transfer-bench.sh` on {E['B_DATE']}. All transfers run over")
w("loopback (127.0.0.1) on one machine, from a tmpfs source into a tmpfs")
w("destination; every run is a full whole-file transfer (the destination is deleted")
w("before each run). Tools alternate within each round, the order rotating every round.")
w("")
w("## Machine")
w("")
w(f"- CPU: {E['B_CPU']}, {E['B_NPROC']} logical CPUs (nproc)")
w(f"- memory: {E['B_MEM']}")
w(f"- kernel: {E['B_KERNEL']}")
w(f"- Java used by dwcp: {E['B_JAVA']}")
w(f"- dwcp: {E['B_DWCP_VERSION']} (git {E['B_GIT']})")
w(f"- rsync: {E['B_RSYNC_VERSION']}")
w(f"- iperf3: {E['B_IPERF_VERSION']}")
w("")
w("## Setup")
w("")
if int(E["B_FILES"]) == 1:
    w(f"- file: {E['B_SIZE_MIB']} MiB ({size} bytes) of random data, on {E['B_FSTYPE']}")
else:
    w(f"- tree: {E['B_FILES']} files of {E['B_FILE_BYTES']} bytes of random data ({size} bytes in all), "
      f"100 per directory, on {E['B_FSTYPE']}")
w(f"- timed runs per tool: {E['B_RUNS']}, after {E['B_WARMUP']} warm-up round(s) that are excluded from the statistics")
w(f"- dwcp parallel streams: {E['B_STREAMS']}")
w(f"- tools: {' '.join(tools)}")
w("- commands (SRC = the source file, RECV = a tmpfs directory):")
if "dwcp" in tools:
    w(f"  - dwcp server: `{E['B_SERVE_CMD']}`")
    w(f"  - dwcp client: `{E['B_SEND_CMD']}`")
if "rsync" in tools:
    w(f"  - rsync daemon: `{E['B_RSYNCD_CMD']}`")
    w(f"  - rsync client: `{E['B_RSYNC_CMD']}`")
if "iperf3" in tools:
    w(f"  - iperf3 server: `{E['B_IPERFD_CMD']}`")
    w(f"  - iperf3 client: `{E['B_IPERF_CMD']}`")
if "cp" in tools:
    w(f"  - local copy, no network: `{E['B_CP_CMD']}`")
if "dd" in tools:
    w(f"  - destination pages alone: `{E['B_DD_CMD']}`")
w("")
w("What the numbers mean:")
w("")
w("- *wall*: wall-clock time measured by the script around the client command, so it")
w("  includes process start-up (for dwcp, JVM start-up) and connection set-up.")
w("  Throughput (wall) = file bytes / wall seconds.")
w("- *self-reported*: dwcp's JSON `seconds` (throughput = `bytes` / `seconds`);")
w("  iperf3's `end.sum_sent` (`bits_per_second`). rsync reports nothing comparable.")
w("- iperf3 reads the file and sends it with sendfile but writes nothing on the")
w("  receiving side: it is the loopback TCP ceiling for one stream, not a file copy.")
w("  With `-F` iperf3 also read()s each block of the file into its buffer first, so it")
w("  is somewhat slower than memory-only `iperf3 -Z`.")
w("- cp copies the file on this machine without any network (on tmpfs, one")
w("  copy_file_range: a single copy inside the kernel). Every tool here must write the")
w("  same destination pages, so cp's time is the floor for all of them; on this VM it")
w("  is dominated by how fast the kernel (and the host behind it) hands out fresh pages.")
w("- dd writes zeros into a new tmpfs file of the same size: the destination's pages alone,")
w("  with no source to read and no network. iperf3 reads the source and moves it over TCP")
w("  into the receiver's memory but writes nothing; dd writes a file from memory. So")
w("  iperf3's CPU plus dd's CPU is a lower bound on the CPU that a tool needs to copy the file")
w("  over loopback here when its receiver reads the socket into memory and writes the file")
w("  from there, as every plain-socket receiver does (dwcp's and rsync's too), and that over")
w("  the number of CPUs is a lower bound on its wall time (see the last table). A receiver")
w("  that splices the socket into the file skips one copy and is not bound by it.")
w("- *CPU*: user+system CPU-seconds of the client command (with every process it")
w("  started) and of the server process (with the children it reaped: rsync forks one")
w("  per connection) during the run. Both ends share this machine's CPUs, so CPU-seconds")
w("  per transfer bound the throughput; they also vary less with a busy neighbour than")
w("  wall time, though kernel time still depends on how fast the host hands out memory.")
w("- GB/s = 10^9 bytes/s, Gbit/s = 10^9 bits/s. Medians over the timed runs;")
w("  ratios are ratios of medians.")
for note in E.get("B_CMP", "").splitlines():
    if note:
        w(f"- verification: {note}")
w("")
w("## Summary (medians)")
w("")
w("| tool | runs | wall s | GB/s (wall) | Gbit/s (wall) | self-reported s | GB/s (self) | Gbit/s (self) |")
w("|---|---:|---:|---:|---:|---:|---:|---:|")
for t in tools:
    p = per[t]
    wt, st = med(t, "wall_tp"), med(t, "self_tp")
    w(f"| {t} | {p['n']} | {fmt(med(t, 'wall'))} | {fmt(gbs(wt))} | {fmt(gbs(wt) * 8 if wt else None, 2)} "
      f"| {fmt(med(t, 'self_s'))} | {fmt(gbs(st) if st else None)} | {fmt(gbs(st) * 8 if st else None, 2)} |")
w("")
w("## CPU per transfer (medians)")
w("")
w("| tool | client CPU s | server CPU s | total CPU s | total CPU s per GB |")
w("|---|---:|---:|---:|---:|")
for t in tools:
    tot = med(t, "cpu")
    w(f"| {t} | {fmt(med(t, 'cpu_c'), 2)} | {fmt(med(t, 'cpu_s'), 2)} | {fmt(tot, 2)} "
      f"| {fmt(tot / (size / 1e9) if tot is not None else None, 2)} |")
w("")
w("## Per tool (median / min / max)")
for t in tools:
    p = per[t]
    w("")
    w(f"### {t}")
    w("")
    w("| metric | median | min | max |")
    w("|---|---:|---:|---:|")
    def row(name, s, conv=lambda v: v, nd=3):
        if s is None:
            return
        w(f"| {name} | {fmt(conv(s[0]), nd)} | {fmt(conv(s[1]), nd)} | {fmt(conv(s[2]), nd)} |")
    row("wall time (s)", p["wall"])
    row("throughput, wall (GB/s)", p["wall_tp"], gbs)
    row("throughput, wall (Gbit/s)", p["wall_tp"], lambda v: gbs(v) * 8, 2)
    row("self-reported time (s)", p["self_s"])
    row("throughput, self-reported (GB/s)", p["self_tp"], gbs)
    row("throughput, self-reported (Gbit/s)", p["self_tp"], lambda v: gbs(v) * 8, 2)
    row("client CPU (s)", p["cpu_c"], nd=2)
    row("server CPU (s)", p["cpu_s"], nd=2)
    row("total CPU (s)", p["cpu"], nd=2)
    if p["wire"] is not None:
        row("wire bytes", p["wire"], lambda v: v, 0)
        row("wire bytes / file bytes", p["wire"], lambda v: v / size, 4)
w("")
w("## Ratios (of medians; > 1 means dwcp is faster)")
w("")
w("| ratio | value | basis |")
w("|---|---:|---|")
def ratio(name, a, b, basis):
    if a is None or b is None:
        w(f"| {name} | n/a | {basis} (tool not run) |")
    else:
        w(f"| {name} | {a / b:.3f} | {basis} |")
ratio("dwcp / rsync", med("dwcp", "wall_tp"), med("rsync", "wall_tp"),
      "wall-clock throughput of both (includes process start-up)")
ratio("dwcp (self-reported) / rsync", med("dwcp", "self_tp"), med("rsync", "wall_tp"),
      "dwcp without JVM start-up against rsync wall clock (informative)")
ratio("dwcp / iperf3", med("dwcp", "self_tp"), med("iperf3", "self_tp"),
      "self-reported throughput of both (fraction of the loopback ceiling)")
ratio("dwcp / iperf3 (wall)", med("dwcp", "wall_tp"), med("iperf3", "wall_tp"),
      "wall-clock throughput of both")
ratio("rsync CPU / dwcp CPU", med("rsync", "cpu"), med("dwcp", "cpu"),
      "total CPU-seconds per transfer, client and server (> 1: dwcp needs less CPU)")
if "rsync" in tools and "iperf3" in tools:
    ratio("rsync / iperf3", med("rsync", "wall_tp"), med("iperf3", "self_tp"),
          "rsync wall clock against the iperf3 ceiling (reference)")
if "rsync" in tools and "cp" in tools:
    ratio("cp / rsync", med("cp", "wall_tp"), med("rsync", "wall_tp"),
          "a local copy (one thread, no network) against rsync (reference)")
    ratio("dwcp / cp", med("dwcp", "wall_tp"), med("cp", "wall_tp"),
          "dwcp wall clock against the local-copy floor")
if all(t in tools for t in ("rsync", "iperf3", "dd")):
    ncpu = int(E["B_NPROC"])
    floor_cpu = med("iperf3", "cpu") + med("dd", "cpu")
    floor_wall = floor_cpu / ncpu
    target = med("rsync", "wall") / 1.5
    w("")
    w("## What 1.5x rsync would take on this machine")
    w("")
    w("| quantity | seconds | how |")
    w("|---|---:|---|")
    w(f"| wall time of a transfer at 1.5x rsync | {target:.3f} | rsync median wall / 1.5 |")
    w(f"| CPU to move the file over loopback, without writing it | {med('iperf3', 'cpu'):.2f} | iperf3 median CPU, client + server |")
    w(f"| CPU to write the destination's pages, without reading or moving anything | {med('dd', 'cpu'):.2f} | dd median CPU |")
    w(f"| lower bound on a plain-socket tool's wall time | {floor_wall:.3f} | the two CPU figures summed, over {ncpu} CPUs busy all the time |")
    w(f"| dwcp median wall | {med('dwcp', 'wall'):.3f} | measured above |" if "dwcp" in tools else "| dwcp | n/a | not run |")
    w("")
    if floor_wall > target:
        w(f"The lower bound is {floor_wall / target:.2f}x the time 1.5x rsync allows: on this machine no tool whose")
        w("receiver reads the socket into memory and writes the file from there can be 1.5x faster than rsync.")
    else:
        w(f"The lower bound is {floor_wall / target:.2f}x the time 1.5x rsync allows: the target is not ruled out here.")
w("")
w("## Reproduce")
w("")
w("```")
w(E["B_REPRO"])
w("```")
w("")
w("## Raw per-run numbers")
w("")
w("Rounds `w1`, `w2`, ... are warm-up runs, excluded from the statistics.")
w("")
w("| round | tool | wall s | bytes | GB/s (wall) | self-reported s | GB/s (self) | wire bytes | client CPU s | server CPU s |")
w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for x in rows:
    st = x["self_bps"] / 8 if x["self_bps"] is not None else None
    wire = "n/a" if x["wire"] is None else f"{int(x['wire'])}"
    w(f"| {x['round']} | {x['tool']} | {x['wall']:.3f} | {x['bytes']} | {gbs(x['bytes'] / x['wall']):.3f} "
      f"| {fmt(x['self_s'])} | {fmt(gbs(st) if st else None)} | {wire} | {fmt(x['cpu_c'], 2)} | {fmt(x['cpu_s'], 2)} |")
w("")
with open(out_path, "w") as f:
    f.write("\n".join(L))
PY
cp -- "$tmp_results" "$RESULTS"
log "wrote $RESULTS"
sed -n '/^## Summary/,/^## Per tool/p' "$RESULTS" | sed '$d' >&2
