#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# GET /api/v2/alerts/groups latency of tocsin-notifier alone, the same load as `make bench`:
# 1k then 10k groups of 1 alert; prints the median of 21 timed GETs (after one warm-up) for each.
#   usage: test/bench/groups.sh [BUILD]   (default build/rel; BENCH_GROUP_RUNS overrides 21)
set -u
ROOT=${TOCSIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=$(cd "${1:-${TOCSIN_BUILD:-$ROOT/build/rel}}" && pwd)
RUNS=${BENCH_GROUP_RUNS:-21}
TMP=$(mktemp -d /tmp/tocsin-groups.XXXXXX)
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
cat >"$TMP/am.yml" <<'YML'
route:
  receiver: sink
  group_by: [alertname]
  group_wait: 1h
  group_interval: 1h
  repeat_interval: 4h
receivers:
  - name: sink
    webhook_configs:
      - url: http://127.0.0.1:9/closed
        send_resolved: false
YML
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BUILD/bin/tocsin-notifier" --web.listen-address="127.0.0.1:$PORT" --storage.path="$TMP/st" \
    --config.file="$TMP/am.yml" --log.level=warn --no-storage.fsync >"$TMP/n.log" 2>&1 &
PID=$!
for _ in $(seq 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/-/ready" && break
    sleep 0.1
done
URL="http://127.0.0.1:$PORT/api/v2/alerts"
median_ms() {
    for i in $(seq 0 "$RUNS"); do
        t=$(curl -s -o "$TMP/g.json" -w '%{time_total}' "$URL/groups")
        [ "$i" -gt 0 ] && echo "$t"
    done | sort -g | awk '{ v[NR] = $1 } END { printf("%.2f\n", 1000 * v[int((NR + 1) / 2)]) }'
}
"$BUILD/test/bench/bench_load" am "$URL" "$PID" 0 1000 100 4 1000000 >/dev/null
echo "groups GET at 1k groups: $(median_ms) ms ($(jq length "$TMP/g.json") groups)"
"$BUILD/test/bench/bench_load" am "$URL" "$PID" 1000 9000 100 4 1000000 >/dev/null
echo "groups GET at 10k groups: $(median_ms) ms ($(jq length "$TMP/g.json") groups)"
