#!/usr/bin/env bash
# Pre-copy live migration of a VM's memory over the frame-stream API (io.dwcp.bench.migration.VmMigration):
# a sender and a receiver thread over a loopback TCP socket, a seeded guest memory in 2 MiB chunks keyed by chunk
# index, round 1 whole, later rounds the dirtied chunks as XOR deltas until the dirty set is small; prints bytes on
# the wire per round against the full size and checks the destination's memory equals the source's.
#
#   bench/vm-migration.sh                                2 GiB guest, cache = guest size at each end
#   bench/vm-migration.sh --memory-gib 1 --cache-mib 256    a smaller cache: evicted chunks go whole
#   bench/vm-migration.sh --help                         every option
#
# Memory: the guest twice (source and destination) plus each end's cache, all off-heap. Builds the bench jar unless
# SKIP_BUILD=1; the JDK is JAVA_HOME when it is 25+, else the newest 25+ under /usr/lib/jvm.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=""
for j in "${JAVA_HOME:-}" /usr/lib/jvm/*/; do
    j=${j%/}
    [[ -n $j && -x $j/bin/java && -f $j/release ]] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$j/release")
    if ((${v:-0} >= 25)); then JAVA=$j/bin/java; break; fi
done
[[ -n $JAVA ]] || { echo "vm-migration.sh: no JDK 25 or newer under JAVA_HOME or /usr/lib/jvm" >&2; exit 1; }
if [[ -z ${SKIP_BUILD:-} && " $* " != *" --help "* ]]; then
    JAVA_HOME=${JAVA%/bin/java} MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
        ./mvnw -B -q -pl bench -am package -DskipTests
fi
# Everything large is off-heap (guest memory, caches, buffers): a small heap is enough.
exec "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx256m \
    -cp bench/target/benchmarks.jar io.dwcp.bench.migration.VmMigration "$@"
