#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The same rule file and the same remote-write data in a real Prometheus 2.42 and in the
# evaluator give the same /api/v1/alerts (labels, annotations, state, value) and /api/v1/rules
# (groups, rule names, queries, types, health, state, labels, annotations, alerts), compared
# with timestamps and durations left out. Data is current (timestamps up to now), so `for`
# durations play out within seconds.
# A second evaluator runs the same rules against a plain Prometheus receiver as its `datasource`
# and remote-writes its outputs there (as vmalert does): its alerts and rules must match too.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd prometheus promtool curl python3
RW_ENCODE=$TOCSIN_BUILD/test/tools/rw_encode
[ -x "$RW_ENCODE" ] || {
    t_skip rules_vs_prometheus "rw_encode not built"
    exit 0
}
EV=$(free_port)
PR=$(free_port)
DS=$(free_port)
PB=$(free_port)
W=$T_WORK

cat >"$W/rules.yml" <<'YAML'
groups:
  - name: cmp
    interval: 1s
    rules:
      - record: job:cmp_temp:max
        expr: max by (job) (cmp_temp)
      - alert: HighTemp
        expr: cmp_temp > 50
        for: 2s
        labels:
          severity: warning
          team: '{{ $labels.job }}-team'
        annotations:
          summary: '{{ $labels.instance }} is at {{ $value | humanize }} degrees'
          description: 'job {{ $labels.job }}: {{ printf "%.1f" $value }}'
      - alert: HotJob
        expr: job:cmp_temp:max > 50
        annotations:
          summary: 'hottest of {{ $labels.job }} is {{ $value }}'
      - alert: NeverFires
        expr: cmp_temp > 1000
      - alert: StaysPending
        expr: cmp_temp > 0
        for: 1h
        labels: {severity: info}
      - alert: KeepsFiring
        expr: cmp_temp > 90
        keep_firing_for: 10m
      - alert: BrokenTemplate
        expr: cmp_temp > 90
        annotations:
          summary: '{{ .Nope.Field }}'
  - name: cmp-second
    interval: 1s
    rules:
      - record: instance:cmp_temp:doubled
        expr: cmp_temp * 2
        labels: {source: rule}
      - alert: Doubled
        expr: instance:cmp_temp:doubled > 150
        labels: {severity: critical}
YAML
if ! promtool check rules "$W/rules.yml" >"$W/promtool.out" 2>&1; then
    t_fail promtool-accepts-rules "$(cat "$W/promtool.out")"
    t_done
fi

cat >"$W/prometheus.yml" <<'YAML'
global: {scrape_interval: 1m, evaluation_interval: 1s}
rule_files: [rules.yml]
YAML
cat >"$W/evaluator.yml" <<'YAML'
global: {evaluation_interval: 1s, external_labels: {replica: ev}}
rule_files: [rules.yml]
YAML
cat >"$W/evaluator-ds.yml" <<YAML
global: {evaluation_interval: 1s}
rule_files: [rules.yml]
datasource: {url: 'http://127.0.0.1:$PB', timeout: 10s}
remote_write: [{url: 'http://127.0.0.1:$PB/api/v1/write'}]
YAML
echo 'global: {scrape_interval: 1m}' >"$W/prometheus-b.yml"
bg_start prometheus-b prometheus --config.file="$W/prometheus-b.yml" --storage.tsdb.path="$W/promb" \
    --web.listen-address=127.0.0.1:$PB --web.enable-remote-write-receiver
bg_start evaluator-ds "$TOCSIN_BIN/tocsin-evaluator" --web.listen-address=127.0.0.1:$DS \
    --storage.path="$W/ds" --config.file="$W/evaluator-ds.yml"
bg_start prometheus prometheus --config.file="$W/prometheus.yml" --storage.tsdb.path="$W/prom" \
    --web.listen-address=127.0.0.1:$PR --web.enable-remote-write-receiver
bg_start evaluator "$TOCSIN_BIN/tocsin-evaluator" --web.listen-address=127.0.0.1:$EV \
    --storage.path="$W/ev" --config.file="$W/evaluator.yml"
if ! wait_http "http://127.0.0.1:$PR/-/ready" 30 || ! wait_http "http://127.0.0.1:$EV/-/ready" 20 ||
    ! wait_http "http://127.0.0.1:$PB/-/ready" 30 || ! wait_http "http://127.0.0.1:$DS/-/ready" 20; then
    t_fail start "$(tail -n 5 "$W/prometheus.log" "$W/evaluator.log" "$W/prometheus-b.log" "$W/evaluator-ds.log")"
    t_done
fi
t_ok start

# one body for both: four series, samples every 10 s over the last 2 minutes up to now
NOW=$(($(date +%s) * 1000))
python3 - "$NOW" >"$W/series.txt" <<'PY'
import sys
now = int(sys.argv[1])
series = {'cmp_temp{job="a",instance="i1"}': 60, 'cmp_temp{job="a",instance="i2"}': 40,
          'cmp_temp{job="b",instance="i3"}': 95, 'cmp_temp{job="c",instance="i4"}': 80.25}
for name, v in series.items():
    for k in range(12, -1, -1):
        print(f"{name} {v} {now - k * 10000}")
PY
"$RW_ENCODE" "$W/series.txt" >"$W/body.bin"
post() {
    curl -s -o "$W/post.out" -w '%{http_code}' -X POST -H 'Content-Type: application/x-protobuf' \
        -H 'Content-Encoding: snappy' -H 'X-Prometheus-Remote-Write-Version: 0.1.0' \
        --data-binary @"$W/body.bin" "$1"
}
s1=$(post "http://127.0.0.1:$EV/api/v1/write")
s2=$(post "http://127.0.0.1:$PR/api/v1/write")
s3=$(post "http://127.0.0.1:$PB/api/v1/write")
if [ "$s1" = 204 ] && [ "$s2" = 204 ] && [ "$s3" = 204 ]; then t_ok same-data-pushed; else
    t_fail same-data-pushed "evaluator $s1, prometheus $s2, datasource $s3: $(cat "$W/post.out")"
fi

# compare until both agree (evaluation times differ by up to a second), at most 25 s
cat >"$W/cmp.py" <<'PY'
import json, re, sys, urllib.request

# Prometheus writes "error executing template NAME: " before a template error; checked on its
# own below (template-error-text) so that it does not hide other differences here
PREFIX = re.compile(r"error (executing|parsing) template __alert_[A-Za-z0-9_]+: ")

def ann(a):
    return json.dumps({k: PREFIX.sub("", v) for k, v in a.items()}, sort_keys=True)

def get(base, path):
    with urllib.request.urlopen(base + path, timeout=5) as r:
        return json.load(r)

def alerts(base):
    out = []
    for a in get(base, "/api/v1/alerts")["data"]["alerts"]:
        out.append((json.dumps(a["labels"], sort_keys=True), ann(a["annotations"]), a["state"],
                    a["value"]))
    return sorted(out)

def rules(base):
    out = []
    for g in get(base, "/api/v1/rules")["data"]["groups"]:
        rs = []
        for r in g["rules"]:
            d = {k: r.get(k) for k in ("name", "query", "type", "health", "state", "duration",
                                          "keepFiringFor", "labels", "annotations", "lastError")}
            if r["type"] == "alerting":
                d["alerts"] = sorted(
                    (json.dumps(a["labels"], sort_keys=True), ann(a["annotations"]), a["state"],
                     a["value"])
                    for a in r["alerts"])
            if not d.get("labels"):
                d["labels"] = {}
            # the JSON shape: the same keys (recording rules without labels may omit them)
            d["keys"] = sorted(set(r) - {"labels"})
            d["alert_keys"] = sorted({k for a in r.get("alerts", []) for k in a})
            rs.append(d)
        out.append({"name": g["name"], "file": g["file"], "interval": g["interval"],
                    "keys": sorted(g), "rules": rs})
    return out

what, ev, pr = sys.argv[1], sys.argv[2], sys.argv[3]
f = alerts if what == "alerts" else rules
a, b = f(ev), f(pr)
if a == b:
    sys.exit(0)
print("evaluator: " + json.dumps(a, indent=1, sort_keys=True))
print("prometheus: " + json.dumps(b, indent=1, sort_keys=True))
sys.exit(1)
PY
ready() { # both show HighTemp firing and StaysPending pending
    curl -s "http://127.0.0.1:$1/api/v1/alerts" | python3 -c '
import json, sys
st = {(a["labels"]["alertname"], a["state"]) for a in json.load(sys.stdin)["data"]["alerts"]}
sys.exit(0 if ("HighTemp", "firing") in st and ("StaysPending", "pending") in st
         and ("Doubled", "firing") in st else 1)'
}
for ((i = 0; i < 50; i++)); do
    ready "$EV" && ready "$PR" && break
    sleep 0.5
done
for pair in "$EV:" "$DS:-with-datasource"; do
    port=${pair%%:*}
    tag=${pair#*:}
    for what in alerts rules; do
        ok=0
        for ((i = 0; i < 30; i++)); do
            if python3 "$W/cmp.py" "$what" "http://127.0.0.1:$port" "http://127.0.0.1:$PR" >"$W/cmp-$what$tag.out" 2>&1; then
                ok=1
                break
            fi
            sleep 0.5
        done
        if [ "$ok" = 1 ]; then t_ok "same-$what-as-prometheus$tag"; else
            t_fail "same-$what-as-prometheus$tag" "differences (see below)"
            head -c 6000 "$W/cmp-$what$tag.out" | sed 's/^/# /'
        fi
    done
done
summary_of() {
    curl -s "http://127.0.0.1:$1/api/v1/alerts" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    if a["labels"]["alertname"] == "BrokenTemplate":
        print(a["annotations"]["summary"])'
}
a=$(summary_of "$EV")
b=$(summary_of "$PR")
if [ "$a" = "$b" ]; then
    t_ok template-error-text
else
    t_fail template-error-text "evaluator '$a' prometheus '$b'"
fi
n=$(curl -s "http://127.0.0.1:$EV/api/v1/alerts" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["alerts"]))')
t_check "alerts-compared-nonempty($n)" [ "${n:-0}" -ge 8 ]
# the recording rule's output is in the window, as in Prometheus
for q in 'job:cmp_temp:max' 'instance:cmp_temp:doubled' 'ALERTS{alertname="HighTemp"}' 'ALERTS_FOR_STATE{alertname="StaysPending"}'; do
    a=$(promtool query instant "http://127.0.0.1:$EV" "sort(count by (__name__) ($q))" 2>&1 | sed 's/ @.*//')
    b=$(promtool query instant "http://127.0.0.1:$PR" "sort(count by (__name__) ($q))" 2>&1 | sed 's/ @.*//')
    if [ -n "$a" ] && [ "$a" = "$b" ]; then t_ok "series-$q"; else t_fail "series-$q" "evaluator '$a' prometheus '$b'"; fi
done
t_done
