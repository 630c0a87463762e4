#!/usr/bin/env bash
# End-to-end comparison over loopback, tmpfs to tmpfs: dwcp (default and --io portable) against iperf3 -Z -F,
# an rsync daemon and the cp/dd floors, on a big file, a tree of small files and its identical resend, a
# seeded tree like a source or dataset tree (gen-tree: nested directories, log-normal sizes, modes, nanosecond
# mtimes, symlinks, hard links) with its re-syncs, and one file's delta against its old version and its resume
# after a crash (file-delta-*, file-resume-*). The logic is the Java harness io.dwcp.bench.e2e.TransferBench;
# this script builds it and ./dwcp, then runs it.
#
#   bench/transfer-bench.sh                                   4 GiB file, 50,000-file tree and its resend
#   SIZE_MIB="4096 1024" bench/transfer-bench.sh              also the 1 GiB file (every target in one report)
#   REAL_TREE=/usr/lib WORKLOADS="real-tree real-tree-resend" bench/transfer-bench.sh
#   FILES=100000 PER_DIR=100000 WORKLOADS="tree tree-resend" TOOLS="dwcp rsync" bench/transfer-bench.sh
#                                                             one flat directory of 100,000 small files
#   SIZE_MIB=64 FILES=500 RUNS=2 WARMUP=0 RESULTS=/tmp/r.md bench/transfer-bench.sh    a quick check
#   WORKLOADS="gen-tree gen-tree-resend gen-tree-1pct gen-tree-checksum" FILES=100000 DIRS=5000 TOOLS="dwcp rsync" \
#       bench/transfer-bench.sh                               the issue's tree: first copy (checked with rsync -aHcn),
#                                                             identical re-sync, re-sync after 1% rewritten, --checksum
#   FILES=2000 DIRS=100 RUNS=1 WARMUP=0 WORKLOADS="gen-tree gen-tree-resend gen-tree-1pct" TOOLS="dwcp rsync" \
#       RESULTS=/tmp/gen-bench.md bench/transfer-bench.sh     a quick check of those
#   WORKLOADS="file-delta-1pct file-delta-base file-resume-sender file-resume-server" SIZE_MIB=2048 TOOLS="dwcp rsync" \
#       RUNS=3 RESULTS=bench/RESULTS-DELTA.md bench/transfer-bench.sh
#                                                             the issue's deltas and resumes on one 2 GiB file (the size
#                                                             when SIZE_MIB is unset): the destination holds OLD, the source
#                                                             is NEW = OLD with 1% of its 4 KiB pages rewritten (dwcp send,
#                                                             and with --base OLD, against rsync --no-whole-file --stats);
#                                                             a send whose sender, or server, is SIGKILLed when half the file
#                                                             has arrived, then run again to its end (the fraction re-sent)
#   SIZE_MIB=256 RUNS=1 WARMUP=0 WORKLOADS="file-delta-1pct file-resume-sender" TOOLS="dwcp rsync" \
#       RESULTS=/tmp/delta-bench.md bench/transfer-bench.sh   a quick check of those
#
# The same tree by hand: java -cp bench/target/benchmarks.jar io.dwcp.bench.e2e.TreeGenerator --seed 1 \
#     --files 100000 --dirs 5000 --out DIR       (--dry-run prints its summary without writing it)
#
# Settings (environment): SIZE_MIB FILES PER_DIR DIRS SEED WORKLOADS REAL_TREE RUNS WARMUP STREAMS TOOLS DWCP DWCP_PORT
# DWCP_DATA_PORT RSYNC_PORT IPERF_PORT DWCP_SERVE_ARGS DWCP_SEND_ARGS RUN_TIMEOUT READY_TIMEOUT RESULTS
# WORKDIR_BASE KEEP_WORKDIR; defaults and meanings: bench/transfer-bench.sh --help. SKIP_BUILD=1 reuses the jars.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/benchmarks.jar

die() { echo "transfer-bench.sh: error: $*" >&2; exit 1; }

# Same JDK search as bench/jmh.sh: JAVA_HOME when it is 25+, else the newest 25+ under /usr/lib/jvm.
java_major() {
    local v
    v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
    case "$v" in 1.*) echo "${v#1.}" ;; [0-9]*) echo "${v%%.*}" ;; *) echo 0 ;; esac
}
find_java25() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && (($(java_major "$JAVA_HOME/bin/java") >= 25)); then
        echo "$JAVA_HOME/bin/java"; return 0
    fi
    local best="" best_major=0 candidate major
    for candidate in /usr/lib/jvm/*/bin/java; do
        [[ -x "$candidate" ]] || continue
        major=$(java_major "$candidate")
        if ((major >= 25 && major > best_major)); then best=$candidate; best_major=$major; fi
    done
    [[ -n "$best" ]] && echo "$best"
}
JAVA=$(find_java25) || die "no JDK 25 or newer: set JAVA_HOME to one, or install one under /usr/lib/jvm"
export JAVA_HOME=${JAVA%/bin/java}

args=()
for pair in SIZE_MIB:size-mib FILES:files PER_DIR:per-dir DIRS:dirs SEED:seed WORKLOADS:workloads REAL_TREE:real-tree RUNS:runs WARMUP:warmup \
    STREAMS:streams TOOLS:tools DWCP:dwcp DWCP_PORT:dwcp-port DWCP_DATA_PORT:dwcp-data-port RSYNC_PORT:rsync-port \
    IPERF_PORT:iperf-port DWCP_SERVE_ARGS:serve-args DWCP_SEND_ARGS:send-args RUN_TIMEOUT:run-timeout \
    READY_TIMEOUT:ready-timeout RESULTS:results WORKDIR_BASE:workdir-base KEEP_WORKDIR:keep-workdir; do
    var=${pair%%:*}
    [[ -z ${!var+x} ]] || args+=("--${pair#*:}" "${!var}")
done

if [[ -z ${SKIP_BUILD:-} && " $* " != *" --help "* ]]; then
    echo "transfer-bench.sh: building the dwcp CLI and the bench jar (JDK $JAVA_HOME)" >&2
    "${DWCP:-./dwcp}" --help >/dev/null 2>&1 || die "building dwcp failed (run ./dwcp --help for details)"
    MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ./mvnw -B -q -pl bench -am package -DskipTests ||
        die "build failed (./mvnw -B -pl bench -am package -DskipTests)"
fi
[[ -f $JAR ]] || die "$JAR not found (build with: ./mvnw -B -q -pl bench -am package -DskipTests)"
# A small heap and a serial collector: the harness must not compete with the tools it measures.
exec "$JAVA" -Xmx256m -XX:+UseSerialGC -cp "$JAR" io.dwcp.bench.e2e.TransferBench "${args[@]+"${args[@]}"}" "$@"
