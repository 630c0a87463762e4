#!/usr/bin/env bash
# Receive paths side by side (splice, recv into a mapping, recv+pwrite): 1 GiB over loopback into tmpfs, three
# rounds. Builds the bench jar unless SKIP_BUILD=1; the JDK is found as bench/jmh.sh finds it.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=""
for j in "${JAVA_HOME:-}" /usr/lib/jvm/*/; do
    j=${j%/}
    [[ -n $j && -x $j/bin/java && -f $j/release ]] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$j/release")
    if ((${v:-0} >= 25)); then JAVA=$j/bin/java; break; fi
done
[[ -n $JAVA ]] || { echo "receive-paths.sh: no JDK 25 or newer under JAVA_HOME or /usr/lib/jvm" >&2; exit 1; }
if [[ -z ${SKIP_BUILD:-} ]]; then
    JAVA_HOME=${JAVA%/bin/java} MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
        ./mvnw -B -q -pl bench -am package -DskipTests
fi
exec "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -cp bench/target/benchmarks.jar io.dwcp.bench.ReceivePathTiming
