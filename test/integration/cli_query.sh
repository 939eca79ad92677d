#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `tocsin query` against a real Prometheus 2.42 must print exactly what `promtool query` prints.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd prometheus promtool curl python3
P=$(free_port)
echo 'global: {scrape_interval: 15s}' >"$T_WORK/p.yml"
bg_start prom prometheus --config.file="$T_WORK/p.yml" --storage.tsdb.path="$T_WORK/data" \
    --web.listen-address=127.0.0.1:$P --web.enable-remote-write-receiver
if ! wait_http "http://127.0.0.1:$P/-/ready" 20; then
    t_fail prometheus-start "$(tail -n 5 "$T_WORK/prom.log")"
    t_done
fi
NOW=$(date +%s)
python3 "$TOCSIN_ROOT/test/integration/rwgen.py" "$T_WORK/body.bin" $(((NOW - 1800) * 1000)) 15000 120
curl -s -o /dev/null -X POST -H 'Content-Type: application/x-protobuf' -H 'Content-Encoding: snappy' \
    --data-binary @"$T_WORK/body.bin" "http://127.0.0.1:$P/api/v1/write"
U=http://127.0.0.1:$P
T=$((NOW - 60))
compare() { # NAME ARGS... : same stdout and exit status from both tools
    local name=$1
    shift
    promtool query "$@" >"$T_WORK/want" 2>"$T_WORK/want.err"
    local want_rc=$?
    "$TOCSIN_BIN/tocsin" query "$@" >"$T_WORK/got" 2>"$T_WORK/got.err"
    local got_rc=$?
    if [ $want_rc = $got_rc ] && cmp -s "$T_WORK/want" "$T_WORK/got"; then
        t_ok "query-$name"
    else
        t_fail "query-$name" "exit $got_rc vs promtool $want_rc; diff: $(diff "$T_WORK/want" "$T_WORK/got" | head -5 | tr '\n' '|')"
    fi
}
compare instant-vector instant --time=$T $U 'rwgen_temp'
compare instant-scalar instant --time=$T $U 'scalar(sum(rwgen_temp))'
compare instant-rate instant --time=$T $U 'rate(rwgen_requests_total[5m])'
compare instant-json instant -o json --time=$T $U 'sum by (instance) (rwgen_temp)'
compare range range --start=$((T - 120)) --end=$T --step=30s $U 'rwgen_temp{instance="host-1:9100"}'
compare series series --match='rwgen_temp' $U
compare labels labels $U instance
compare parse-error instant $U 'foo{'
t_done
