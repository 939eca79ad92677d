#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Rule reloads of the evaluator, driven the way Kubernetes updates a mounted ConfigMap: the
# files are symlinks into `..data`, itself a symlink that is swapped atomically.
#  1. an invalid rule file swapped in: rejected; the old rules keep running (still evaluated),
#     tocsin_rule_reload_failures_total 1, tocsin_config_last_reload_successful 0;
#  2. POST /-/reload and SIGHUP with the invalid set: 500 / still the old rules;
#  3. a valid change swapped in: the new rule appears in /api/v1/rules without a request,
#     the unchanged group keeps its alert (same activeAt);
#  4. an invalid config at start: exit 1 with file:line.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd curl python3
EV=$(free_port)
C=$T_WORK/conf
mkdir -p "$C/..v1" "$C/..v2" "$C/..v3"
cat >"$C/..v1/rules.yml" <<'YAML'
groups:
  - name: base
    interval: 1s
    rules:
      - alert: Base
        expr: vector(1)
YAML
cat >"$C/..v2/rules.yml" <<'YAML'
groups:
  - name: base
    interval: 1s
    rules:
      - alert: Base
        expr: vector(1)
      - alert: Broken
        expr: sum(rate(x[5m])
YAML
cat >"$C/..v3/rules.yml" <<'YAML'
groups:
  - name: base
    interval: 1s
    rules:
      - alert: Base
        expr: vector(1)
  - name: added
    interval: 1s
    rules:
      - record: added:one
        expr: vector(1)
YAML
ln -s ..v1 "$C/..data"
ln -s ..data/rules.yml "$C/rules.yml"
cat >"$T_WORK/evaluator.yml" <<'YAML'
global: {evaluation_interval: 1s}
rule_files: [conf/rules.yml]
YAML
bg_start evaluator "$TOCSIN_BIN/tocsin-evaluator" --web.listen-address=127.0.0.1:$EV \
    --storage.path="$T_WORK/data" --config.file="$T_WORK/evaluator.yml" --rules.watch-interval=1s
EV_PID=$BG_PID
if ! wait_http "http://127.0.0.1:$EV/-/ready" 20; then
    t_fail start "$(tail -n 5 "$T_WORK/evaluator.log")"
    t_done
fi
t_ok start
metric() {
    curl -s "http://127.0.0.1:$EV/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
rules() { # "group:rule ..." in order
    curl -s "http://127.0.0.1:$EV/api/v1/rules" | python3 -c '
import json, sys
print(" ".join(g["name"] + ":" + r["name"] for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]))'
}
last_eval() {
    curl -s "http://127.0.0.1:$EV/api/v1/rules" | python3 -c '
import json, sys
print(json.load(sys.stdin)["data"]["groups"][0]["lastEvaluation"])'
}
active_at() {
    curl -s "http://127.0.0.1:$EV/api/v1/alerts" | python3 -c '
import json, sys
print(" ".join(a["activeAt"] for a in json.load(sys.stdin)["data"]["alerts"]))'
}
sleep 2
a0=$(active_at)

# swap (like kubelet: new symlink, rename over ..data)
swap() {
    ln -s "$1" "$C/..data_tmp"
    mv -T "$C/..data_tmp" "$C/..data"
}
swap ..v2
for ((i = 0; i < 60; i++)); do
    [ "$(metric tocsin_rule_reload_failures_total)" = 1 ] && break
    sleep 0.1
done
t_check invalid-swap-counted [ "$(metric tocsin_rule_reload_failures_total)" = 1 ]
t_check invalid-swap-last-reload-0 [ "$(metric tocsin_config_last_reload_successful)" = 0 ]
t_check invalid-swap-old-rules-kept [ "$(rules)" = "base:Base" ]
if grep -q 'rules.yml:8:.*Broken.*unclosed left parenthesis' "$T_WORK/evaluator.log"; then
    t_ok invalid-swap-logged-with-position
else
    t_fail invalid-swap-logged-with-position "$(grep -i error "$T_WORK/evaluator.log" | tail -n 2)"
fi
e1=$(last_eval)
sleep 1.5
e2=$(last_eval)
t_check old-rules-still-evaluated [ "$e1" != "$e2" ]
code=$(curl -s -o "$T_WORK/reload.out" -w '%{http_code}' -X POST "http://127.0.0.1:$EV/-/reload")
if [ "$code" = 500 ] && grep -q Broken "$T_WORK/reload.out"; then
    t_ok post-reload-invalid-500
else
    t_fail post-reload-invalid-500 "$code $(cat "$T_WORK/reload.out")"
fi
kill -HUP "$EV_PID"
sleep 0.5
t_check sighup-invalid-old-rules-kept [ "$(rules)" = "base:Base" ]
t_check failures-counted-per-attempt [ "$(metric tocsin_rule_reload_failures_total)" = 3 ]

swap ..v3
got=""
for ((i = 0; i < 60; i++)); do
    got=$(rules)
    [ "$got" = "base:Base added:added:one" ] && break
    sleep 0.1
done
t_check valid-swap-new-rule-listed [ "$got" = "base:Base added:added:one" ]
t_check valid-swap-last-reload-1 [ "$(metric tocsin_config_last_reload_successful)" = 1 ]
a1=$(active_at)
t_check unchanged-group-keeps-alert [ -n "$a0" -a "$a1" = "$a0" ]
sleep 1.5
v=$(curl -s "http://127.0.0.1:$EV/api/v1/query?query=added:one" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")')
t_check new-recording-rule-evaluated [ "$v" = 1 ]

# editing the file in place is seen too
cat >"$C/..v3/rules.yml" <<'YAML'
groups:
  - name: base
    interval: 1s
    rules:
      - alert: Base
        expr: vector(1)
      - alert: Edited
        expr: vector(0)
YAML
for ((i = 0; i < 60; i++)); do
    got=$(rules)
    [ "$got" = "base:Base base:Edited" ] && break
    sleep 0.1
done
t_check in-place-edit-reloaded [ "$got" = "base:Base base:Edited" ]
stop_pid "$EV_PID"

# invalid rules at start: exit 1 with the position
swap ..v2
"$TOCSIN_BIN/tocsin-evaluator" --web.listen-address=127.0.0.1:$EV --storage.path="$T_WORK/data2" \
    --config.file="$T_WORK/evaluator.yml" >"$T_WORK/start-invalid.log" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q 'rules.yml:8:' "$T_WORK/start-invalid.log"; then
    t_ok invalid-at-start-exit-1
else
    t_fail invalid-at-start-exit-1 "rc $rc: $(tail -n 3 "$T_WORK/start-invalid.log")"
fi
t_done
