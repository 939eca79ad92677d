#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make bench`: Tocsin against the real peers on this machine, same data, one run, ratios.
# Evaluator ingest + query_range vs Prometheus (remote-write receiver), notifier vs Alertmanager.
# Asserts nothing; prints a markdown table and writes it to $BUILD/bench-results.md.
#   usage: test/bench/run.sh [BUILD]   (default build/rel; sizes overridable, see BENCH_* below)
set -u
ROOT=${TOCSIN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=$(cd "${1:-${TOCSIN_BUILD:-$ROOT/build/rel}}" && pwd)
BIN=$BUILD/bin
LOAD=$BUILD/test/bench/bench_load
OUT=$BUILD/bench-results.md

SERIES=${BENCH_SERIES:-10000}     # remote-write series (90% counters, 10% histogram buckets)
SAMPLES=${BENCH_SAMPLES:-120}     # samples per series
STEP_MS=${BENCH_STEP_MS:-15000}   # scrape interval of the generated data
PER_REQ=${BENCH_PER_REQ:-2000}    # samples per remote-write request (Prometheus default)
RW_CONNS=${BENCH_RW_CONNS:-5}     # remote-write shards/connections
ALERTS=${BENCH_ALERTS:-50000}     # alerts in the measured ingest phase
BATCH=${BENCH_ALERT_BATCH:-100}   # alerts per POST
AM_CONNS=${BENCH_AM_CONNS:-4}     # connections posting alerts
RUNS=${BENCH_RUNS:-5}             # timed runs per query_range (median)
GRUNS=${BENCH_GROUP_RUNS:-11}     # timed runs per alerts/groups GET (median)

TMP=$(mktemp -d /tmp/tocsin-bench.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { echo "# $*" >&2; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_ready URL PID: polls URL until 200 (30 s); returns 1 if the process died or timed out.
wait_ready() {
    for _ in $(seq 300); do
        kill -0 "$2" 2>/dev/null || return 1
        curl -sf -o /dev/null "$1" && return 0
        sleep 0.1
    done
    return 1
}

stop() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

kv() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p; s/^$1=\([^[:space:]]*\).*/\1/p" | head -1; }

# calc EXPR: awk arithmetic, "n/a" when an input is missing or a divisor is zero.
calc() {
    local r
    r=$(awk "BEGIN { r = $1; printf(\"%.6f\\n\", r) }" 2>/dev/null)
    case "$r" in
    "" | *inf* | *nan*) echo "n/a" ;;
    *) echo "$r" ;;
    esac
}

ratio() { # ratio A B: A/B or n/a
    awk -v a="$1" -v b="$2" -v f="%.2f" 'BEGIN {
        if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a";
        else printf(f "x\n", a / b) }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a";
    else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 |"); }

# ---------------------------------------------------------------------------------------------
echo "== PromQL engine micro-benchmark (test/bench/promql.sh)"
"$ROOT/test/bench/promql.sh" "$BUILD" || note "promql.sh exited non-zero (ignored: benchmarks assert nothing)"
echo

if [ ! -x "$LOAD" ] || [ ! -x "$BIN/tocsin-evaluator" ] || [ ! -x "$BIN/tocsin-notifier" ]; then
    echo "bench: $LOAD or $BIN/tocsin-* not built (run make bench)"
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# 1. remote-write ingest: tocsin-evaluator vs prometheus --web.enable-remote-write-receiver
have_prom=0
command -v prometheus >/dev/null && have_prom=1
EP=$(free_port)
mkdir -p "$TMP/eval" "$TMP/prom"
"$BIN/tocsin-evaluator" --web.listen-address="127.0.0.1:$EP" --storage.path="$TMP/eval" \
    --config.file=/dev/null --log.level=warn >"$TMP/eval.log" 2>&1 &
EPID=$!
PIDS+=("$EPID")
if ! wait_ready "http://127.0.0.1:$EP/-/ready" "$EPID"; then
    echo "bench: tocsin-evaluator did not start:"
    tail -5 "$TMP/eval.log"
    exit 0
fi
PPID_=0
if [ $have_prom = 1 ]; then
    PP=$(free_port)
    printf 'global:\n  scrape_interval: 15s\n' >"$TMP/prom.yml"
    prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/prom" \
        --web.listen-address="127.0.0.1:$PP" --web.enable-remote-write-receiver \
        --log.level=warn >"$TMP/prom.log" 2>&1 &
    PPID_=$!
    PIDS+=("$PPID_")
    if ! wait_ready "http://127.0.0.1:$PP/-/ready" "$PPID_"; then
        note "prometheus did not start; peer columns will be n/a"
        tail -5 "$TMP/prom.log" >&2
        have_prom=0
    fi
fi
sleep 2
NOW_MS=$(date +%s%3N)
T0_MS=$((NOW_MS - SAMPLES * STEP_MS))
TOTAL=$((SERIES * SAMPLES))
echo "== remote-write ingest: $SERIES series x $SAMPLES samples ($TOTAL), $PER_REQ samples/request, $RW_CONNS connections"

ingest() { # ingest NAME URL PID -> sets ING_<NAME>_{sps,spc,wall,cpu,rss_series,rss_sample}
    local name=$1 url=$2 pid=$3 rss0 rss1 line
    rss0=$(rss_kb "$pid")
    line=$("$LOAD" rw "$url" "$pid" "$SERIES" "$SAMPLES" "$PER_REQ" "$RW_CONNS" "$T0_MS" "$STEP_MS")
    echo "  $name: $line"
    sleep 3
    rss1=$(rss_kb "$pid")
    local wall cpu failed
    wall=$(echo "$line" | kv wall_s)
    cpu=$(echo "$line" | kv cpu_s)
    failed=$(echo "$line" | kv failed)
    [ "${failed:-1}" = 0 ] || note "$name: $failed requests failed"
    eval "ING_${name}_sps=\$(calc \"$TOTAL / $wall\")"
    eval "ING_${name}_spc=\$(calc \"$TOTAL / $cpu\")"
    eval "ING_${name}_wall=$wall ING_${name}_cpu=$cpu ING_${name}_failed=${failed:-?}"
    eval "ING_${name}_rss=\$(calc \"($rss1 - $rss0) / 1024\")"
    eval "ING_${name}_rss0=\$(calc \"$rss0 / 1024\") ING_${name}_rss1=\$(calc \"$rss1 / 1024\")"
    eval "ING_${name}_bser=\$(calc \"($rss1 - $rss0) * 1024 / $SERIES\")"
    eval "ING_${name}_bsmp=\$(calc \"($rss1 - $rss0) * 1024 / $TOTAL\")"
}
ING_prom_sps=n/a ING_prom_spc=n/a ING_prom_bser=n/a ING_prom_bsmp=n/a ING_prom_rss=n/a
ING_prom_wall=n/a ING_prom_cpu=n/a ING_prom_rss0=n/a ING_prom_rss1=n/a
ingest eval "http://127.0.0.1:$EP/api/v1/write" "$EPID"
[ $have_prom = 1 ] && ingest prom "http://127.0.0.1:$PP/api/v1/write" "$PPID_"
BPS=$(curl -s "http://127.0.0.1:$EP/metrics" | awk '/^tocsin_tsdb_bytes_per_sample/ {print $2}')
ms() { awk -v v="$1" 'BEGIN { if (v == "n/a" || v == "") print "n/a"; else printf("%.1f\n", v * 1000) }'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "n/a" || v == "") print "n/a"; else printf(f "\n", v) }'; }

row "ingest: samples/s (wall, $RW_CONNS conns)" "$(fmt "$ING_eval_sps" %.0f)" "$(fmt "$ING_prom_sps" %.0f)" "$(ratio "$ING_eval_sps" "$ING_prom_sps")"
row "ingest: samples per server CPU-second" "$(fmt "$ING_eval_spc" %.0f)" "$(fmt "$ING_prom_spc" %.0f)" "$(ratio "$ING_eval_spc" "$ING_prom_spc")"
row "ingest: wall s / server CPU s" "$ING_eval_wall / $ING_eval_cpu" "$ING_prom_wall / $ING_prom_cpu" ""
row "memory: RSS before -> after ingest (MiB)" "$(fmt "$ING_eval_rss0" %.1f) -> $(fmt "$ING_eval_rss1" %.1f)" "$(fmt "$ING_prom_rss0" %.1f) -> $(fmt "$ING_prom_rss1" %.1f)" "$(ratio "$ING_prom_rss1" "$ING_eval_rss1")"
row "memory: RSS growth after ingest (MiB)" "$(fmt "$ING_eval_rss" %.1f)" "$(fmt "$ING_prom_rss" %.1f)" "$(ratio "$ING_prom_rss" "$ING_eval_rss")"
row "memory: RSS growth per series (bytes)" "$(fmt "$ING_eval_bser" %.0f)" "$(fmt "$ING_prom_bser" %.0f)" "$(ratio "$ING_prom_bser" "$ING_eval_bser")"
row "memory: RSS growth per sample (bytes)" "$(fmt "$ING_eval_bsmp" %.2f)" "$(fmt "$ING_prom_bsmp" %.2f)" "$(ratio "$ING_prom_bsmp" "$ING_eval_bsmp")"
row "tocsin_tsdb_bytes_per_sample (chunks only)" "$(fmt "${BPS:-n/a}" %.2f)" "" ""

# ---------------------------------------------------------------------------------------------
# 2. query_range over the loaded window, 1000 steps, median of $RUNS runs after one warm-up
# Steps are offset by half of a 1.5 s step from the samples' timestamps so that no range
# boundary falls exactly on a sample: there Prometheus 2.42 (closed range) and Prometheus 3 /
# Tocsin (left-open range) rightly differ, and the answers are compared below.
QSTEP_MS=$(((SAMPLES * STEP_MS - 300000) / 1000 / 10 * 10))
[ "$QSTEP_MS" -ge 10 ] || QSTEP_MS=10
START_S=$(calc "($T0_MS + 300000 + $QSTEP_MS / 2) / 1000")
END_S=$(calc "$START_S + 999 * $QSTEP_MS / 1000")
QSTEP=$(calc "$QSTEP_MS / 1000")
echo "== query_range: start=$START_S end=$END_S step=${QSTEP}s (1000 steps), median of $RUNS"
QUERIES=(
    'rate(bench_counter{job="job-1",path="/api/v0/item"}[5m])'
    'sum by (job) (rate(bench_counter[5m]))'
    'sum by (job) (rate(bench_counter[5m])) / on() group_left sum(rate(bench_counter[5m]))'
    'histogram_quantile(0.9, sum by (le) (rate(bench_hist_bucket[5m])))'
    'max by (instance) (max_over_time(bench_counter[10m]))'
)
qonce() { # qonce BASEURL QUERY OUTFILE -> seconds, or "fail" (reason on stderr)
    local t
    t=$(curl -s -G -o "$3" -w '%{http_code} %{time_total}' "$1/api/v1/query_range" \
        --data-urlencode "query=$2" --data-urlencode "start=$START_S" \
        --data-urlencode "end=$END_S" --data-urlencode "step=$QSTEP")
    if [ "${t%% *}" != 200 ]; then
        note "query failed ($1): $t $(head -c 200 "$3")"
        echo fail
        return
    fi
    echo "${t#* }"
}
shape() { # shape FILE -> series/points of a query_range answer
    echo "$(jq '.data.result | length' "$1" 2>/dev/null)/$(jq '[.data.result[].values | length] | add // 0' "$1" 2>/dev/null)"
}
# Runs alternate between the two servers (one warm-up each first) so that load from other
# tenants of the machine hits both alike.
for q in "${QUERIES[@]}"; do
    tte="" ttp="" fe=0 fp=0
    for i in $(seq 0 "$RUNS"); do
        t=$(qonce "http://127.0.0.1:$EP" "$q" "$TMP/qe.json")
        [ "$t" = fail ] && fe=1
        [ "$i" -gt 0 ] && tte+="$t"$'\n'
        if [ $have_prom = 1 ]; then
            t=$(qonce "http://127.0.0.1:$PP" "$q" "$TMP/qp.json")
            [ "$t" = fail ] && fp=1
            [ "$i" -gt 0 ] && ttp+="$t"$'\n'
        fi
    done
    te=n/a tp=n/a ne=n/a np=n/a
    [ $fe = 0 ] && te=$(printf '%s' "$tte" | median) ne=$(shape "$TMP/qe.json")
    [ $have_prom = 1 ] && [ $fp = 0 ] && tp=$(printf '%s' "$ttp" | median) np=$(shape "$TMP/qp.json")
    echo "  $q: tocsin ${te}s ($ne series/points) prometheus ${tp}s ($np)"
    [ "$ne" = "$np" ] || note "result shapes differ for $q: tocsin $ne, prometheus $np"
    same="answers not compared"
    if [ $fe = 0 ] && [ $have_prom = 1 ] && [ $fp = 0 ]; then
        same="same answer"
        # same answer? compare the sums of all values (relative difference)
        se=$(jq '[.data.result[].values[][1] | tonumber] | add // 0' "$TMP/qe.json")
        sp=$(jq '[.data.result[].values[][1] | tonumber] | add // 0' "$TMP/qp.json")
        awk -v a="$se" -v b="$sp" 'BEGIN { d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a);
            if (d > 1e-6 * (m > 1 ? m : 1)) exit 1 }' ||
            { note "values differ for $q: sum tocsin $se, prometheus $sp"; same="ANSWERS DIFFER"; }
    fi
    [ "$ne" = "$np" ] || same="ANSWERS DIFFER"
    row "query_range ms: \`$q\` ($ne series/points, $same)" "$(ms "$te")" "$(ms "$tp")" \
        "$(ratio "$tp" "$te")"
done
stop "$EPID"
[ $have_prom = 1 ] && stop "$PPID_"

# ---------------------------------------------------------------------------------------------
# 3. notifier vs alertmanager: POST /api/v2/alerts throughput, GET /api/v2/alerts/groups latency
cat >"$TMP/am.yml" <<'EOF'
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
EOF
echo "== notifier: groups GET at 1k and 10k groups (1 alert each), then $ALERTS alerts in batches of $BATCH over $AM_CONNS connections"
glat() { # glat URL -> "median_seconds groups"
    local t times=""
    for i in $(seq 0 "$GRUNS"); do
        t=$(curl -s -o "$TMP/g.json" -w '%{http_code} %{time_total}' "$1/api/v2/alerts/groups")
        [ "${t%% *}" = 200 ] || { note "groups GET failed: $t"; echo "n/a n/a"; return; }
        [ "$i" -gt 0 ] && times+="${t#* }"$'\n'
    done
    echo "$(printf '%s' "$times" | median) $(jq length "$TMP/g.json")"
}
notifier_run() { # notifier_run NAME CMD...: sets AM_<NAME>_{g1k,g10k,aps,apc}
    local name=$1 port pid line wall cpu
    shift
    port=$(free_port)
    mkdir -p "$TMP/$name"
    "$@" --web.listen-address="127.0.0.1:$port" --storage.path="$TMP/$name" \
        --config.file="$TMP/am.yml" >"$TMP/$name.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    if ! wait_ready "http://127.0.0.1:$port/-/ready" "$pid"; then
        note "$name did not start"
        tail -5 "$TMP/$name.log" >&2
        eval "AM_${name}_g1k=n/a AM_${name}_g10k=n/a AM_${name}_aps=n/a AM_${name}_apc=n/a"
        return
    fi
    local url="http://127.0.0.1:$port/api/v2/alerts" g1 g10 n1 n10
    "$LOAD" am "$url" "$pid" 0 1000 "$BATCH" "$AM_CONNS" 1000000 >/dev/null
    read -r g1 n1 <<<"$(glat "http://127.0.0.1:$port")"
    "$LOAD" am "$url" "$pid" 1000 9000 "$BATCH" "$AM_CONNS" 1000000 >/dev/null
    read -r g10 n10 <<<"$(glat "http://127.0.0.1:$port")"
    line=$("$LOAD" am "$url" "$pid" 10000 "$ALERTS" "$BATCH" "$AM_CONNS" 10000)
    echo "  $name: groups GET ${g1}s ($n1 groups), ${g10}s ($n10 groups); ingest $line"
    wall=$(echo "$line" | kv wall_s)
    cpu=$(echo "$line" | kv cpu_s)
    eval "AM_${name}_g1k=$g1 AM_${name}_g10k=$g10 AM_${name}_n1=$n1 AM_${name}_n10=$n10"
    eval "AM_${name}_aps=\$(calc \"$ALERTS / $wall\") AM_${name}_apc=\$(calc \"$ALERTS / $cpu\")"
    eval "AM_${name}_wall=$wall AM_${name}_cpu=$cpu"
    stop "$pid"
}
notifier_run tf "$BIN/tocsin-notifier" --log.level=warn
notifier_run tn "$BIN/tocsin-notifier" --log.level=warn --no-storage.fsync
AM_am_g1k=n/a AM_am_g10k=n/a AM_am_aps=n/a AM_am_apc=n/a AM_am_wall=n/a AM_am_cpu=n/a
if command -v prometheus-alertmanager >/dev/null; then
    notifier_run am prometheus-alertmanager --cluster.listen-address= --log.level=warn
fi
for m in tf tn; do
    label=$([ $m = tf ] && echo "fsync" || echo "no fsync")
    eval "aps=\$AM_${m}_aps apc=\$AM_${m}_apc g1=\$AM_${m}_g1k g10=\$AM_${m}_g10k w=\$AM_${m}_wall c=\$AM_${m}_cpu"
    row "alerts POST: alerts/s (wall), tocsin $label" "$(fmt "$aps" %.0f)" "$(fmt "$AM_am_aps" %.0f)" "$(ratio "$aps" "$AM_am_aps")"
    row "alerts POST: alerts per server CPU-s, tocsin $label" "$(fmt "$apc" %.0f)" "$(fmt "$AM_am_apc" %.0f)" "$(ratio "$apc" "$AM_am_apc")"
    row "alerts POST: wall s / server CPU s, tocsin $label" "$w / $c" "$AM_am_wall / $AM_am_cpu" ""
    row "GET groups ms at 1k groups, tocsin $label" "$(ms "$g1")" "$(ms "$AM_am_g1k")" "$(ratio "$AM_am_g1k" "$g1")"
    row "GET groups ms at 10k groups, tocsin $label" "$(ms "$g10")" "$(ms "$AM_am_g10k")" "$(ratio "$AM_am_g10k" "$g10")"
done

# ---------------------------------------------------------------------------------------------
{
    echo "# Tocsin benchmark results"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) CPUs, $(awk '/MemTotal/ {printf("%.1f GiB", $2 / 1048576)}' /proc/meminfo); $(uname -sr)"
    echo "- tocsin $(cat "$ROOT/VERSION" 2>/dev/null) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)); $(prometheus --version 2>&1 | head -1); $(prometheus-alertmanager --version 2>&1 | head -1)"
    echo "- ingest: $SERIES series x $SAMPLES samples, $PER_REQ samples/request, $RW_CONNS connections; queries: 1000 steps, median of $RUNS; alerts: $ALERTS in batches of $BATCH over $AM_CONNS connections"
    echo "- advantage: how many times better tocsin is (>1 = tocsin better): tocsin/peer for rates, peer/tocsin for memory and latencies"
    echo
    echo "| measure | tocsin | peer | advantage |"
    echo "|---|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
} >"$OUT"
echo
cat "$OUT"
echo
echo "(written to $OUT)"
exit 0
