#!/usr/bin/env bash
# iperf3 TCP through a DWCP tunnel pair and through a wireguard-go pair, same two namespaces joined by one veth
# pair, alternating in one run (needs root): the DWCP pair once per offload step (off: a packet per TUN read and
# write; tso: TSO super-packets read from the TUN device and segmented in userspace; coalesce: also TCP segments
# coalesced into GSO super-packets for the receiving TUN device; full: also UDP GSO sends). Prints one line per run
# and the medians; appends a Markdown table row per tool to $RESULTS.
#
#   bench/tunnel-bench.sh                                   RUNS=5 SECONDS_PER_RUN=10, MODES="full coalesce tso off"
#   RUNS=3 MODES="full full:1" RESULTS=bench/RESULTS-TUNNEL.md bench/tunnel-bench.sh   (:N = N crypto workers)
#   SEND_MIB=2048 also times dwcp send of a file that size (tmpfs to tmpfs) from namespace A to a server in B,
#   through the tunnel (serve --tunnel, tunnel up) and over plain TCP on the veth (--plain-tcp --token-file),
#   alternating, RUNS times each; SEND_MIB=0 skips it (the default).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
SECS=${SECONDS_PER_RUN:-10}
RESULTS=${RESULTS:-}
MODES=${MODES:-full coalesce tso off}
SEND_MIB=${SEND_MIB:-0}
DWCP=${DWCP:-./dwcp}
[[ $(id -u) -eq 0 ]] || { echo "tunnel-bench.sh: needs root (namespaces, TUN devices)" >&2; exit 1; }
scripts/install-tools.sh wg wireguard-go iperf3 ip >/dev/null
"$DWCP" --help >/dev/null 2>&1 || { echo "tunnel-bench.sh: building dwcp failed (run $DWCP --help)" >&2; exit 1; }

A=dwbA$$ B=dwbB$$ WORK=$(mktemp -d)
cleanup() {
  set +e
  jobs -p | xargs -r kill 2>/dev/null; sleep 0.5; jobs -p | xargs -r kill -9 2>/dev/null
  ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip link add vbA$$ netns "$A" type veth peer name vbB$$ netns "$B"
ip -n "$A" addr add 10.231.0.1/24 dev vbA$$; ip -n "$B" addr add 10.231.0.2/24 dev vbB$$
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set vbA$$ up; ip -n "$B" link set vbB$$ up

ka=$(wg genkey); kb=$(wg genkey); pa=$(wg pubkey <<<"$ka"); pb=$(wg pubkey <<<"$kb")
conf() { # NAME PRIV ADDR PORT PEERPUB PEERADDR PEERENDPOINT
  printf '[Interface]\nPrivateKey = %s\nAddress = %s/24\nListenPort = %s\n\n[Peer]\nPublicKey = %s\nAllowedIPs = %s/32\nEndpoint = %s\n' \
    "$2" "$3" "$4" "$5" "$6" "$7" > "$WORK/$1.conf"
}

wait_ping() { # NS ADDR
  for _ in $(seq 1 50); do ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "tunnel-bench.sh: no ping through the tunnel to $2" >&2; return 1
}

iperf() { # NS-server NS-client ADDR -> Gbit/s
  ip netns exec "$1" iperf3 -s -1 -B "$3" -p 5201 >/dev/null 2>&1 &
  local srv=$!; sleep 0.5
  timeout $((SECS + 20)) ip netns exec "$2" iperf3 -c "$3" -p 5201 -t "$SECS" -J > "$WORK/iperf.json" 2>&1 || true
  wait $srv 2>/dev/null || true
  sed -n 's/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' "$WORK/iperf.json" | tail -1 | awk '{printf "%.3f", $1/1e9}'
}

run_dwcp() {
  conf dwa "$ka" 10.232.0.1 51820 "$pb" 10.232.0.2 10.231.0.2:51820
  conf dwb "$kb" 10.232.0.2 51820 "$pa" 10.232.0.1 10.231.0.1:51820
  # MODE is an offload step, optionally with :N crypto workers per direction (full:1)
  local offload=${1%%:*} workers=-1
  [[ $1 == *:* ]] && workers=${1##*:}
  ip netns exec "$A" "$DWCP" tunnel up --offload "$offload" --crypto-workers "$workers" "$WORK/dwa.conf" 2>"$WORK/dwa.log" & local p1=$!
  ip netns exec "$B" "$DWCP" tunnel up --offload "$offload" --crypto-workers "$workers" "$WORK/dwb.conf" 2>"$WORK/dwb.log" & local p2=$!
  wait_ping "$A" 10.232.0.2
  iperf "$B" "$A" 10.232.0.2
  kill $p1 $p2; wait $p1 $p2 2>/dev/null || true
}

run_wggo() {
  ip netns exec "$A" wireguard-go wgbA$$ >/dev/null 2>&1; ip netns exec "$B" wireguard-go wgbB$$ >/dev/null 2>&1
  printf '%s' "$ka" > "$WORK/ka"; printf '%s' "$kb" > "$WORK/kb"
  ip netns exec "$A" wg set wgbA$$ private-key "$WORK/ka" listen-port 51821 peer "$pb" allowed-ips 10.233.0.2/32 endpoint 10.231.0.2:51821
  ip netns exec "$B" wg set wgbB$$ private-key "$WORK/kb" listen-port 51821 peer "$pa" allowed-ips 10.233.0.1/32 endpoint 10.231.0.1:51821
  ip -n "$A" addr add 10.233.0.1/24 dev wgbA$$; ip -n "$A" link set wgbA$$ mtu 1420 up
  ip -n "$B" addr add 10.233.0.2/24 dev wgbB$$; ip -n "$B" link set wgbB$$ mtu 1420 up
  wait_ping "$A" 10.233.0.2
  iperf "$B" "$A" 10.233.0.2
  ip -n "$A" link del wgbA$$; ip -n "$B" link del wgbB$$
}

declare -A results
tools=()
for m in $MODES; do tools+=("dwcp-$m"); done
tools+=(wireguard-go)
for r in $(seq 1 "$RUNS"); do
  for t in "${tools[@]}"; do
    # results go through a file: a command substitution would run the clean-up trap in its subshell
    if [[ $t == wireguard-go ]]; then run_wggo > "$WORK/rate"; else run_dwcp "${t#dwcp-}" > "$WORK/rate"; fi
    x=$(cat "$WORK/rate"); results[$t]+="$x "; echo "run $r $t $x Gbit/s"
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mw=$(median ${results[wireguard-go]})
for t in "${tools[@]}"; do
  m=$(median ${results[$t]})
  ratio=$(awk -v a="$m" -v b="$mw" 'BEGIN {printf "%.2f", (b > 0 ? a/b : 0)}')
  echo "median $t $m Gbit/s (${ratio}x wireguard-go)"
  if [[ -n $RESULTS ]]; then
    echo "| $(date -u '+%F %T') | $(git rev-parse --short HEAD) | $t | $RUNS x ${SECS} s | ${results[$t]}| $m | ${ratio}x |" >> "$RESULTS"
  fi
done

if ((SEND_MIB > 0)); then
  conf dwa "$ka" 10.232.0.1 51820 "$pb" 10.232.0.2 10.231.0.2:51820
  conf dwb "$kb" 10.232.0.2 51820 "$pa" 10.232.0.1 10.231.0.1:51820
  head -c 32 /dev/urandom | base64 > "$WORK/token"
  src=$(mktemp -d /dev/shm/dwcp-tb-src.XXXXXX); dst=$(mktemp -d /dev/shm/dwcp-tb-dst.XXXXXX)
  trap 'cleanup; rm -rf "$src" "$dst"' EXIT
  head -c $((SEND_MIB << 20)) /dev/urandom > "$src/file.bin"
  mkdir -p "$dst/tunnel" "$dst/plain"
  ip netns exec "$B" "$DWCP" serve --root "$dst/tunnel" --tunnel "$WORK/dwb.conf" 2>"$WORK/serve-tunnel.log" &
  ip netns exec "$B" "$DWCP" serve --root "$dst/plain" --listen 10.231.0.2:7500 --plain-tcp \
      --token-file "$WORK/token" 2>"$WORK/serve-plain.log" &
  ip netns exec "$A" "$DWCP" tunnel up "$WORK/dwa.conf" 2>"$WORK/dwa.log" &
  wait_ping "$A" 10.232.0.2
  sleep 2
  timed_send() { # TARGET [ARGS] -> seconds
    local t0 t1
    t0=$(date +%s.%N)
    ip netns exec "$A" "$DWCP" send --no-progress --json "${@:2}" "$src/file.bin" "$1" > "$WORK/send.json" 2>/dev/null \
      || { echo "tunnel-bench.sh: send to $1 failed: $(cat "$WORK/send.json")" >&2; echo 0; return; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}'
  }
  st=() sp=()
  for r in $(seq 1 "$RUNS"); do
    rm -rf "$dst/tunnel/"*/file.bin "$dst/plain/file.bin"
    x=$(timed_send 10.232.0.2:7400); st+=("$x"); echo "send $r tunnel ${x} s"
    y=$(timed_send 10.231.0.2:7500 --token-file "$WORK/token"); sp+=("$y"); echo "send $r plain-tcp ${y} s"
  done
  mt=$(median "${st[@]}"); mp=$(median "${sp[@]}")
  echo "median dwcp send ${SEND_MIB} MiB: tunnel ${mt} s, plain TCP ${mp} s ($(awk -v a="$mt" -v b="$mp" 'BEGIN {printf "%.2f", b / a}')x of plain TCP's rate)"
  if [[ -n $RESULTS ]]; then
    echo "| $(date -u '+%F %T') | $(git rev-parse --short HEAD) | dwcp send ${SEND_MIB} MiB | tunnel: ${st[*]} s | plain TCP: ${sp[*]} s | $mt s vs $mp s |" >> "$RESULTS"
  fi
fi
