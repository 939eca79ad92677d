# SPDX-License-Identifier: Apache-2.0
# Helpers for integration scripts: result lines, free loopback ports, background processes that
# are always cleaned up, readiness polling. Source it: . "$TOCSIN_ROOT/test/integration/lib.sh"
set -u
: "${TOCSIN_ROOT:?run through test/run.sh}"
: "${TOCSIN_BIN:?run through test/run.sh}"
TOCSIN_SHARED=${TOCSIN_SHARED:-$TOCSIN_ROOT/../shared}
T_FAILED=0
T_PIDS=""
T_WORK=$(mktemp -d "${TMPDIR:-/tmp}/tocsin-it.XXXXXX")

t_ok() { echo "ok $1"; }
t_fail() {
    echo "not ok $1: $2"
    T_FAILED=1
}
t_skip() { echo "skip $1: $2"; }
# t_check NAME CONDITION_COMMAND... : ok when the command succeeds
t_check() {
    local name=$1
    shift
    if "$@"; then t_ok "$name"; else t_fail "$name" "check failed: $*"; fi
}

# free_port: prints a TCP port that was free on 127.0.0.1 a moment ago
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# bg_start NAME CMD... : starts CMD in the background, output to $T_WORK/NAME.log; sets BG_PID
bg_start() {
    local name=$1
    shift
    "$@" >"$T_WORK/$name.log" 2>&1 &
    BG_PID=$!
    T_PIDS="$T_PIDS $BG_PID"
}

# stop_pid PID [SIGNAL]: signal (default TERM), wait up to 10 s, then SIGKILL; returns exit status
stop_pid() {
    local pid=$1 sig=${2:-TERM} i
    kill -"$sig" "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null
}

t_cleanup() {
    local p rev=""
    for p in $T_PIDS; do rev="$p $rev"; done
    for p in $rev; do stop_pid "$p" >/dev/null 2>&1; done
    if [ "${KEEP_WORK:-0}" = 1 ] || [ "$T_FAILED" != 0 ]; then
        echo "# work dir kept: $T_WORK" >&2
    else
        rm -rf "$T_WORK"
    fi
}
trap t_cleanup EXIT

# wait_http URL [seconds]: polls until URL answers 2xx
wait_http() {
    local url=$1 secs=${2:-15} i
    for ((i = 0; i < secs * 10; i++)); do
        curl -sf -o /dev/null --max-time 2 "$url" && return 0
        sleep 0.1
    done
    return 1
}

# need_cmd CMD... : skip the whole script (exit 0) when a command is missing
need_cmd() {
    local c
    for c in "$@"; do
        if ! command -v "$c" >/dev/null 2>&1; then
            t_skip "$(basename "$0" .sh)" "$c not installed"
            exit 0
        fi
    done
}

# need_shared: skip the whole script when ../shared is absent
need_shared() {
    if [ ! -d "$TOCSIN_SHARED/conformance" ]; then
        t_skip "$(basename "$0" .sh)" "../shared not found (reference data lives there; CI has it)"
        exit 0
    fi
}

t_done() { exit "$T_FAILED"; }
