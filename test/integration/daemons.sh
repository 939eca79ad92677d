#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts tocsin-evaluator and tocsin-notifier on free loopback ports and checks the shared
# daemon behaviour: lifecycle endpoints, /metrics, reload (HTTP and SIGHUP), flag and config
# errors (exit 2, one line), graceful SIGTERM, --help and --version.
set -u
BIN=${TOCSIN_BIN:?TOCSIN_BIN not set}
TMP=$(mktemp -d)
PIDS=()
FAILED=0
cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

ok() { echo "ok $1"; }
notok() {
    echo "not ok $1: $2"
    FAILED=1
}
skip() { echo "skip $1: $2"; }
check() { # check NAME CONDITION-COMMAND... (reason printed on failure)
    local name=$1
    shift
    if "$@"; then ok "$name"; else notok "$name" "failed: $*"; fi
}

# start PROG NAME ARGS... : starts PROG in the background, waits for its "listening" line and
# sets ADDR and PID.
start() {
    local prog=$1 name=$2
    shift 2
    "$BIN/$prog" "$@" 2>"$TMP/$name.log" &
    PID=$!
    PIDS+=("$PID")
    ADDR=
    for _ in $(seq 100); do
        ADDR=$(sed -n 's/.*msg=listening address=\([^ ]*\).*/\1/p' "$TMP/$name.log" | head -n1)
        [ -n "$ADDR" ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    return 1
}

# status URL [curl args...] : prints the HTTP status code
status() {
    local url=$1
    shift
    curl -s -o "$TMP/body" -w '%{http_code}' --max-time 5 "$@" "$url"
}

# stops PID with SIGTERM and checks exit status 0 within 5 s
stop_ok() {
    local name=$1 pid=$2 rc
    kill -TERM "$pid"
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        notok "$name" "still running 5 s after SIGTERM"
        return
    fi
    wait "$pid"
    rc=$?
    if [ "$rc" = 0 ]; then ok "$name"; else notok "$name" "exit status $rc after SIGTERM"; fi
}

# exit2 NAME PROG ARGS... : expects exit status 2 and exactly one line on stderr
exit2() {
    local name=$1 prog=$2 rc lines
    shift 2
    "$BIN/$prog" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -q "^$prog: error: " "$TMP/err"; then
        ok "$name"
    else
        notok "$name" "exit $rc, $lines stderr lines: $(head -c 300 "$TMP/err")"
    fi
}

for prog in tocsin-evaluator tocsin-notifier; do
    short=${prog#tocsin-}
    if [ ! -x "$BIN/$prog" ]; then
        notok "$short/binary" "$BIN/$prog missing"
        continue
    fi
    cfg=$TMP/$short.yml
    if [ "$short" = notifier ]; then
        printf 'route: {receiver: null-receiver}\nreceivers: [{name: null-receiver}]\n' >"$cfg"
    else
        echo "# $short config" >"$cfg"
    fi
    store=$TMP/$short-data/nested/dir
    if ! start "$prog" "$short" --web.listen-address=127.0.0.1:0 --storage.path="$store" \
        --config.file="$cfg" --log.level=debug; then
        notok "$short/start" "no listening line: $(tail -n 3 "$TMP/$short.log")"
        continue
    fi
    ok "$short/start"
    pid=$PID
    base=http://$ADDR
    check "$short/storage-created" test -d "$store"
    st=$(status "$base/-/healthy")
    check "$short/healthy" test "$st" = 200 -a -n "$(grep Healthy "$TMP/body")"
    st=$(status "$base/-/ready")
    check "$short/ready" test "$st" = 200 -a -n "$(grep Ready "$TMP/body")"
    st=$(status "$base/nope")
    check "$short/404" test "$st" = 404
    st=$(status "$base/metrics")
    check "$short/metrics" test "$st" = 200 -a -n "$(grep '^tocsin_build_info{' "$TMP/body")"
    check "$short/metrics-process" grep -q '^process_resident_memory_bytes ' "$TMP/body"
    if command -v promtool >/dev/null; then
        if promtool check metrics <"$TMP/body" >"$TMP/promtool" 2>&1; then
            ok "$short/promtool-check-metrics"
        else
            notok "$short/promtool-check-metrics" "$(head -c 400 "$TMP/promtool")"
        fi
    else
        skip "$short/promtool-check-metrics" "promtool not installed"
    fi
    st=$(status "$base/-/reload" -X POST)
    check "$short/reload" test "$st" = 200
    st=$(status "$base/-/reload")
    check "$short/reload-get-405" test "$st" = 405
    mv "$cfg" "$cfg.gone"
    st=$(status "$base/-/reload" -X POST)
    check "$short/reload-missing-config-500" test "$st" = 500 -a -n "$(grep 'failed to reload config' "$TMP/body")"
    status "$base/metrics" >/dev/null
    check "$short/reload-failed-metric" grep -q '^tocsin_config_last_reload_successful 0$' "$TMP/body"
    mv "$cfg.gone" "$cfg"
    before=$(grep -c 'Completed loading of configuration file' "$TMP/$short.log")
    kill -HUP "$pid"
    after=$before
    for _ in $(seq 50); do
        after=$(grep -c 'Completed loading of configuration file' "$TMP/$short.log")
        [ "$after" -gt "$before" ] && break
        sleep 0.1
    done
    check "$short/sighup-reload" test "$after" -gt "$before"
    status "$base/metrics" >/dev/null
    check "$short/reload-ok-metric" grep -q '^tocsin_config_last_reload_successful 1$' "$TMP/body"
    # a second daemon on the same port cannot listen: exit 1 with a log line
    "$BIN/$prog" --web.listen-address="$ADDR" --storage.path="$TMP/$short-other" --config.file="$cfg" 2>"$TMP/busy.log"
    rc=$?
    check "$short/port-in-use-exit-1" test "$rc" = 1 -a -n "$(grep 'Unable to start web listener' "$TMP/busy.log")"
    stop_ok "$short/sigterm-exit-0" "$pid"
    check "$short/shutdown-logged" grep -q 'exiting gracefully' "$TMP/$short.log"

    # the route prefix follows the path of --web.external-url, as in Prometheus
    if start "$prog" "$short-prefix" --web.listen-address=127.0.0.1:0 --storage.path="$TMP/$short-pfx" --config.file="$cfg" \
        --web.external-url=http://tocsin.example:8080/alerting/; then
        st=$(status "http://$ADDR/alerting/-/healthy")
        check "$short/external-url-prefix" test "$st" = 200
        st=$(status "http://$ADDR/-/healthy")
        check "$short/external-url-prefix-404" test "$st" = 404
        stop_ok "$short/prefix-sigterm-exit-0" "$PID"
    else
        notok "$short/external-url-prefix" "did not start: $(tail -n 3 "$TMP/$short-prefix.log")"
    fi

    # JSON logs: one object per line, the listening record carries the bound address
    if ! command -v jq >/dev/null; then
        skip "$short/json-log" "jq not installed"
    else
        "$BIN/$prog" --web.listen-address=127.0.0.1:0 --storage.path="$TMP/$short-json" --config.file="$cfg" --log.format=json \
            2>"$TMP/$short-json.log" &
        jpid=$!
        PIDS+=("$jpid")
        jaddr=
        for _ in $(seq 100); do
            jaddr=$(grep '"msg":"listening"' "$TMP/$short-json.log" 2>/dev/null | jq -r .address 2>/dev/null)
            [ -n "$jaddr" ] && break
            sleep 0.1
        done
        if [ -n "$jaddr" ] && [ "$(status "http://$jaddr/-/healthy")" = 200 ]; then
            ok "$short/json-log-address"
        else
            notok "$short/json-log-address" "$(head -c 300 "$TMP/$short-json.log")"
        fi
        stop_ok "$short/json-sigterm-exit-0" "$jpid"
        if jq -e . "$TMP/$short-json.log" >/dev/null 2>&1; then
            ok "$short/json-log-valid"
        else
            notok "$short/json-log-valid" "not JSON lines: $(head -c 300 "$TMP/$short-json.log")"
        fi
    fi

    exit2 "$short/bad-flag" "$prog" --no-such-flag
    exit2 "$short/bad-flag-value" "$prog" --web.listen-address=nonsense --storage.path="$TMP/x"
    exit2 "$short/bad-log-level" "$prog" --log.level=loud --storage.path="$TMP/x"
    exit2 "$short/bad-log-format" "$prog" --log.format=xml --storage.path="$TMP/x"
    exit2 "$short/bad-external-url" "$prog" --web.external-url=not-a-url --storage.path="$TMP/x"
    exit2 "$short/missing-config" "$prog" --config.file="$TMP/none.yml" --storage.path="$TMP/x"
    exit2 "$short/config-is-dir" "$prog" --config.file="$TMP" --storage.path="$TMP/x"
    touch "$TMP/afile"
    exit2 "$short/storage-is-file" "$prog" --storage.path="$TMP/afile"
    exit2 "$short/storage-under-file" "$prog" --storage.path="$TMP/afile/sub"
    "$BIN/$prog" --version >"$TMP/out" 2>&1
    rc=$?
    check "$short/version" test "$rc" = 0 -a -n "$(grep "^$prog, version " "$TMP/out")"
    "$BIN/$prog" --help >"$TMP/out" 2>&1
    rc=$?
    check "$short/help" test "$rc" = 0 -a -n "$(grep -- '--web.listen-address' "$TMP/out")"
done
exit $FAILED
