#!/usr/bin/env bash
# Peak memory of both ends for a tree of many empty files in deep and wide directories (issue: 2,000,000 files,
# both processes under 512 MiB). Builds the tree under $WORKDIR (tmpfs by default), starts ./dwcp serve, sends the
# tree once, and prints both processes' VmHWM and the time.
#
#   bench/many-files.sh                     2,000,000 files: 2,000 directories of 1,000 (20 top-level x 100 nested)
#   FILES=200000 bench/many-files.sh        a quicker look
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${FILES:-2000000}
PER_DIR=${PER_DIR:-1000}
# On disk by default: tmpfs here holds about 3 million inodes, fewer than the two trees need.
WORKDIR=${WORKDIR:-/var/tmp/dwcp-many-files}
PORT=${PORT:-7470}
rm -rf "$WORKDIR"; mkdir -p "$WORKDIR/src" "$WORKDIR/root"
dirs=$(( (FILES + PER_DIR - 1) / PER_DIR ))
echo "many-files: making $FILES empty files in $dirs directories under $WORKDIR/src" >&2
python3 - "$WORKDIR/src" "$FILES" "$PER_DIR" <<'PY'
import os, sys
root, files, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
made = 0; d = 0
while made < files:
    # deep and wide: a/b/c/... chains of depth up to 6 under 20 top-level directories
    path = os.path.join(root, "top%02d" % (d % 20), *["level%d" % i for i in range(d % 6)], "d%05d" % d)
    os.makedirs(path, exist_ok=True)
    for i in range(min(per, files - made)):
        os.close(os.open(os.path.join(path, "f%04d" % i), os.O_CREAT | os.O_WRONLY, 0o644))
    made += min(per, files - made); d += 1
PY
./dwcp serve --root "$WORKDIR/root" --listen 127.0.0.1:$PORT --data-port 0 >"$WORKDIR/serve.log" 2>&1 &
for _ in $(seq 1 300); do grep -q listening "$WORKDIR/serve.log" && break; sleep 0.2; done
server=$(pgrep -f "serve --root $WORKDIR/root" | head -n 1)
start=$(date +%s.%N)
./dwcp send --no-progress "$WORKDIR/src/" 127.0.0.1:$PORT/many >"$WORKDIR/send.out" 2>"$WORKDIR/send.err" &
client=$!  # the launcher execs java: this is the client JVM
peak_client=0
while kill -0 $client 2>/dev/null; do
  hwm=$(awk '/VmHWM/ {print $2}' /proc/$client/status 2>/dev/null || echo 0)
  [ "${hwm:-0}" -gt "$peak_client" ] && peak_client=$hwm
  sleep 0.2
done
rc=0; wait $client || rc=$?
end=$(date +%s.%N)
peak_server=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
tail -n 1 "$WORKDIR/send.out"
head -n 3 "$WORKDIR/send.err"
received=$(find "$WORKDIR/root/many" -type f | wc -l)
kill $server; wait $server 2>/dev/null || true
printf 'many-files: files=%d received=%d exit=%d seconds=%.1f client_VmHWM=%d MiB server_VmHWM=%d MiB\n' \
  "$FILES" "$received" "$rc" "$(echo "$end - $start" | bc)" $((peak_client / 1024)) $((peak_server / 1024))
rm -rf "$WORKDIR"
