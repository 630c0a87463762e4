#!/usr/bin/env bash
# Install the external tools that benches and tests compare against, only if
# they are missing. Idempotent: a second run with everything present does
# nothing (no apt-get update, no network).
#
# Usage: scripts/install-tools.sh TOOL...
#   TOOL is a command name: rsync iperf3 wg wireguard-go ip mkfs.xfs ping setfattr
#   (the Debian package names wireguard-tools, iproute2 and attr are accepted too).
#
# Exit codes: 0 all present (or installed), 1 something missing and we are not
# root (the exact command to run is printed), 2 usage error or install failed.
set -euo pipefail

log() { printf 'install-tools: %s\n' "$*" >&2; }

usage() {
  log "usage: $0 TOOL...   (TOOL: rsync iperf3 wg wireguard-go ip mkfs.xfs ping setfattr)"
  exit 2
}

# Command name -> Debian package. Prints "COMMAND PACKAGE".
resolve() {
  case "$1" in
    rsync) echo "rsync rsync" ;;
    iperf3) echo "iperf3 iperf3" ;;
    wg | wireguard-tools) echo "wg wireguard-tools" ;;
    wireguard-go) echo "wireguard-go wireguard-go" ;;
    ip | iproute2) echo "ip iproute2" ;;
    mkfs.xfs | xfsprogs) echo "mkfs.xfs xfsprogs" ;;
    ping | iputils-ping) echo "ping iputils-ping" ;;
    setfattr | attr) echo "setfattr attr" ;;
    *) return 1 ;;
  esac
}

[[ $# -gt 0 ]] || usage

missing=()
for tool in "$@"; do
  if ! mapping=$(resolve "$tool"); then
    log "unknown tool '$tool'"
    usage
  fi
  cmd=${mapping%% *}
  pkg=${mapping##* }
  if command -v "$cmd" >/dev/null 2>&1; then
    log "$cmd: present ($(command -v "$cmd"))"
  else
    # Do not list the same package twice (e.g. "wg wireguard-tools").
    already=0
    for p in "${missing[@]+"${missing[@]}"}"; do
      [[ $p == "$pkg" ]] && already=1
    done
    [[ $already -eq 1 ]] || missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  log "missing packages: ${missing[*]}"
  log "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  echo "sudo apt-get install -y ${missing[*]}"
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "apt-get not found; install these packages by hand: ${missing[*]}"
  exit 2
fi

log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2 || { log "apt-get update failed"; exit 2; }
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || {
  log "apt-get install failed for: ${missing[*]}"
  exit 2
}

# Check that every requested command now exists.
rc=0
for tool in "$@"; do
  mapping=$(resolve "$tool")
  cmd=${mapping%% *}
  if command -v "$cmd" >/dev/null 2>&1; then
    log "$cmd: installed ($(command -v "$cmd"))"
  else
    log "$cmd: still missing after installing ${mapping##* }"
    rc=2
  fi
done
exit "$rc"
