#!/usr/bin/env bash
# Local bytes a server writes for a one-block change of a big file (the delta issue's "a changed block must not cost
# a copy of the whole file"). For each file system given (a directory on it) and each send mode: a SIZE_MIB random
# file is sent once, one 4 KiB region in its middle is rewritten, and the resend is measured: the server's
# /proc/PID/io write_bytes (bytes it caused to be written to storage) and the wall time.
#   bench/local-writes.sh /var/tmp/dwcp-lw [/mnt/xfs/dwcp-lw ...]      SIZE_MIB (default 4096), DWCP (./dwcp)
#   XFS=1 bench/local-writes.sh /var/tmp/dwcp-lw                       also an XFS (reflink=1) loop image (root)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-4096}
DWCP=${DWCP:-./dwcp}
PORT=${PORT:-17460}
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || { echo "usage: bench/local-writes.sh DIR... (a scratch directory on each file system)" >&2; exit 1; }
cleanup() { [ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null || true; [ -n "${MNT:-}" ] && umount "$MNT" 2>/dev/null || true; }
trap cleanup EXIT
if [ "${XFS:-0}" = 1 ]; then
  [ "$(id -u)" = 0 ] && command -v mkfs.xfs >/dev/null || { echo "XFS=1 needs root and mkfs.xfs (apt-get install xfsprogs)" >&2; exit 1; }
  IMG=/var/tmp/dwcp-lw-xfs.img; MNT=/var/tmp/dwcp-lw-xfs
  rm -f "$IMG"; truncate -s $(( SIZE_MIB * 3 + 1024 ))M "$IMG"; mkfs.xfs -q -f -m reflink=1 "$IMG"
  mkdir -p "$MNT"; mount -o loop "$IMG" "$MNT"; dirs+=("$MNT/dwcp-lw")
fi
echo "| file system | mode | wall s | server write_bytes | of the file |"
echo "|---|---|---:|---:|---:|"
for d in "${dirs[@]}"; do
  rm -rf "$d"; mkdir -p "$d/src" "$d/dst"
  fs=$(stat -f -c %T "$d")
  head -c "${SIZE_MIB}M" /dev/urandom > "$d/src/big.bin"
  for mode in default --inplace; do
    rm -rf "$d/dst"/*
    "$DWCP" serve --root "$d/dst" --listen 127.0.0.1:$PORT --data-port $((PORT + 1)) 2>"$d/serve.log" & SRV=$!
    for _ in $(seq 100); do grep -q listening "$d/serve.log" 2>/dev/null && break; sleep 0.1; done
    "$DWCP" send --no-progress --json "$d/src/big.bin" 127.0.0.1:$PORT >/dev/null 2>&1
    sync
    dd if=/dev/urandom of="$d/src/big.bin" bs=4096 count=1 seek=$(( SIZE_MIB * 128 )) conv=notrunc status=none
    touch "$d/src/big.bin"
    before=$(awk '/^write_bytes/ {print $2}' /proc/$SRV/io)
    args=(); [ "$mode" = --inplace ] && args=(--inplace)
    t0=$(date +%s.%N)
    "$DWCP" send --no-progress --json "${args[@]}" "$d/src/big.bin" 127.0.0.1:$PORT >/dev/null 2>&1
    t1=$(date +%s.%N)
    sync; sleep 1
    after=$(awk '/^write_bytes/ {print $2}' /proc/$SRV/io)
    cmp -s "$d/src/big.bin" "$d/dst/big.bin" || { echo "MISMATCH on $fs $mode" >&2; exit 1; }
    w=$(( after - before ))
    awk -v fs="$fs" -v m="$mode" -v t="$(echo "$t1 - $t0" | bc)" -v w="$w" -v s="$(( SIZE_MIB << 20 ))" \
      'BEGIN { printf "| %s | %s | %.2f | %.0f (%.1f MiB) | %.4f |\n", fs, m, t, w, w / 1048576, w / s }'
    kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=
  done
  rm -rf "$d"
done
