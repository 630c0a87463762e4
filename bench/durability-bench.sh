#!/usr/bin/env bash
# What durable commits cost: the same sends with and without --no-fsync, side by side in one run, on each file
# system given (default: /var/tmp and /dev/shm), to a `dwcp serve` on loopback whose root is on that file system.
# The tree also goes to a second server that commits every file by itself (-Ddwcp.durable.maxFiles=1: an fsync of
# the file and one of its directory per file), which is what the batching saves.
# Workloads: one big file of random bytes, and a gen-tree tree (nested directories, log-normal sizes, hard links,
# symlinks). Runs are interleaved (durable and --no-fsync alternate which goes first) and the previous run's data
# is synced (not timed) before each send, so a --no-fsync run does not leave its writeback to the next one.
# Prints one line per send and, per file system and workload, the medians: the send's own "seconds" (JSON), the
# wall time of the sending process, and the server's flush counters from its session's done line.
#
#   bench/durability-bench.sh                      1 GiB file and a 20,000-file tree, 3 runs, /var/tmp and /dev/shm
#   RUNS=1 SIZE_MIB=64 FILES=2000 DIRS=100 bench/durability-bench.sh /var/tmp     a quick check
#
# Settings (environment): DWCP (default ./dwcp) RUNS SIZE_MIB FILES DIRS SEED KEEP (keep the work directories).
# Needs bench/target/benchmarks.jar for the tree generator (./mvnw -B -q -pl bench -am package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
DWCP=${DWCP:-./dwcp}
RUNS=${RUNS:-3}
SIZE_MIB=${SIZE_MIB:-1024}
FILES=${FILES:-20000}
DIRS=${DIRS:-1000}
SEED=${SEED:-1}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
bases=("$@")
[[ ${#bases[@]} -gt 0 ]] || bases=(/var/tmp /dev/shm)

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

for base in "${bases[@]}"; do
    w=$base/dwcp-durability-bench
    fs=$(df -T "$base" | awk 'NR==2 {print $2}')
    mkdir -p "$w/src" "$w/root"
    [[ -f $w/src/big.bin && $(stat -c %s "$w/src/big.bin") -eq $((SIZE_MIB << 20)) ]] ||
        head -c "${SIZE_MIB}M" /dev/urandom > "$w/src/big.bin"
    [[ -d $w/src/tree ]] || "$JAVA" -cp bench/target/benchmarks.jar io.dwcp.bench.e2e.TreeGenerator --seed "$SEED" \
        --files "$FILES" --dirs "$DIRS" --out "$w/src/tree" >&2
    "$DWCP" serve --root "$w/root" --listen 127.0.0.1:0 --data-port 0 > "$w/serve.out" 2> "$w/serve.log" &
    server=$!
    JAVA_TOOL_OPTIONS=-Ddwcp.durable.maxFiles=1 "$DWCP" serve --root "$w/root" --listen 127.0.0.1:0 --data-port 0 \
        > "$w/serve1.out" 2> "$w/serve1.log" &
    server1=$!
    trap 'kill $server $server1 2>/dev/null || true' EXIT
    for log in serve serve1; do
        for _ in $(seq 1 100); do grep -q "listening control=" "$w/$log.log" && break; sleep 0.1; done
        grep -q "listening control=" "$w/$log.log" || { echo "server did not start: $(cat "$w/$log.log")" >&2; exit 1; }
    done
    port=$(grep -o "listening control=[^ ]*" "$w/serve.log" | head -n 1 | sed 's/.*://')
    port1=$(grep -o "listening control=[^ ]*" "$w/serve1.log" | head -n 1 | sed 's/.*://')
    : > "$w/results.txt"
    for run in $(seq 1 "$RUNS"); do
        for workload in big tree; do
            modes=(durable no-fsync)
            [[ $workload == tree ]] && modes=(durable per-file no-fsync)
            # each run starts with the next mode, so none is always first or last
            k=$(((run - 1) % ${#modes[@]}))
            modes=("${modes[@]:k}" "${modes[@]:0:k}")
            for mode in "${modes[@]}"; do
                rm -rf "$w/root/dest"
                sync
                src=$w/src/big.bin
                [[ $workload == tree ]] && src=$w/src/tree/
                flag=()
                [[ $mode == no-fsync ]] && flag=(--no-fsync)
                log=$w/serve.log
                p=$port
                [[ $mode == per-file ]] && { log=$w/serve1.log; p=$port1; }
                before=$(grep -c " done entries=" "$log" || true)
                t0=$(date +%s.%N)
                json=$("$DWCP" send --json --no-progress "${flag[@]}" "$src" "127.0.0.1:$p/dest" 2>/dev/null)
                t1=$(date +%s.%N)
                for _ in $(seq 1 50); do
                    (($(grep -c " done entries=" "$log" || true) > before)) && break
                    sleep 0.1
                done
                secs=$(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' <<< "$json")
                verified=$(sed -n 's/.*"verified":\([a-z]*\).*/\1/p' <<< "$json")
                wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
                done_line=$(grep " done entries=" "$log" | tail -n 1)
                flushes=$(sed -n 's/.*\(durable.*\)/\1/p' <<< "$done_line")
                echo "$fs $workload $mode run=$run seconds=$secs wall=$wall verified=$verified $flushes" | tee -a "$w/results.txt"
            done
        done
    done
    kill "$server" "$server1" 2>/dev/null || true
    wait "$server" "$server1" 2>/dev/null || true
    trap - EXIT
    for workload in big tree; do
        for mode in durable per-file no-fsync; do
            [[ $workload == big && $mode == per-file ]] && continue
            lines=$(grep "^$fs $workload $mode " "$w/results.txt")
            s=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<< "$lines" | median)
            wl=$(sed -n 's/.* wall=\([0-9.]*\).*/\1/p' <<< "$lines" | median)
            fl=$(sed -n 's/.* flush_ms=\([0-9]*\).*/\1/p' <<< "$lines" | median)
            echo "MEDIAN $fs ($base) $workload $mode: seconds=$s wall=$wl flush_ms=${fl:-0}"
        done
    done
    rm -rf "$w/root/dest"
    [[ -n ${KEEP:-} ]] || rm -rf "$w"
done
