#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A `templates:` file that does not parse makes the configuration invalid, as in Alertmanager:
# tocsin-notifier refuses to start (one clear line naming file and line, non-zero exit), a
# reload to such a config fails and keeps the old config, and `tocsin check config` reports it
# like amtool. When amtool is installed, its verdict on the same files is compared.
. "$TOCSIN_ROOT/test/integration/lib.bash"
need_cmd curl python3 jq
NP=$(free_port)
HP=$(free_port)
REQ=$T_WORK/http.jsonl
touch "$REQ"
mkdir -p "$T_WORK/tmpl"
printf '{{ define "ok.text" }}good {{ .Status }}{{ end }}\n' >"$T_WORK/tmpl/a.tmpl"
write_config() { # RECEIVER_NAME
    cat >"$T_WORK/am.yml" <<YAML
templates: ['tmpl/*.tmpl']
route: {receiver: $1, group_wait: 1s, group_interval: 2s}
receivers:
  - name: $1
    webhook_configs: [{url: 'http://127.0.0.1:$HP/hook/x'}]
YAML
}

# ---- a broken template file at startup ----
write_config first
printf 'line one\n{{ define "broken" }}{{ if }}{{ end }}{{ end }}\n' >"$T_WORK/tmpl/b.tmpl"
"$TOCSIN_BIN/tocsin-notifier" --config.file="$T_WORK/am.yml" --web.listen-address=127.0.0.1:$NP \
    --storage.path="$T_WORK/data0" >"$T_WORK/start.out" 2>"$T_WORK/start.err" &
pid=$!
for ((i = 0; i < 100; i++)); do
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
if kill -0 $pid 2>/dev/null; then
    t_fail startup-refused "still running with a broken template"
    stop_pid $pid
else
    wait $pid
    st=$?
    lines=$(grep -c 'error' "$T_WORK/start.err")
    if [ "$st" != 0 ] && [ "$lines" = 1 ] &&
        grep -q "^tocsin-notifier: error: failed to parse templates: $T_WORK/tmpl/b.tmpl: template: b.tmpl:2:" "$T_WORK/start.err"; then
        t_ok startup-refused
    else t_fail startup-refused "exit $st, $lines lines: $(cat "$T_WORK/start.err")"; fi
fi

out=$("$TOCSIN_BIN/tocsin" check config "$T_WORK/am.yml")
st=$?
if [ "$st" = 1 ] && printf '%s\n' "$out" | grep -q '^  FAILED: failed to parse templates: .*b.tmpl:2:'; then
    t_ok check-config-fails
else t_fail check-config-fails "exit $st: $out"; fi
if command -v amtool >/dev/null 2>&1; then
    amtool check-config "$T_WORK/am.yml" >/dev/null 2>&1
    [ $? != 0 ] && t_ok amtool-agrees-broken || t_fail amtool-agrees-broken "amtool accepted it"
fi

# ---- valid templates: start, then reload into a broken one ----
rm "$T_WORK/tmpl/b.tmpl"
out=$("$TOCSIN_BIN/tocsin" check config "$T_WORK/am.yml")
st=$?
if [ "$st" = 0 ] && printf '%s\n' "$out" | grep -q '^ - 1 templates$' &&
    [ "$(printf '%s\n' "$out" | grep -c 'SUCCESS$')" = 2 ]; then
    t_ok check-config-valid-templates
else t_fail check-config-valid-templates "exit $st: $out"; fi
bg_start http python3 "$TOCSIN_ROOT/test/integration/stand_ins/http_stand_in.py" "$HP" "$REQ"
bg_start notifier "$TOCSIN_BIN/tocsin-notifier" --config.file="$T_WORK/am.yml" \
    --web.listen-address=127.0.0.1:$NP --storage.path="$T_WORK/data"
if ! wait_http "http://127.0.0.1:$NP/-/ready" 20; then
    t_fail notifier-start "$(tail -n 5 "$T_WORK/notifier.log")"
    t_done
fi
t_ok notifier-start
receivers() { curl -s "http://127.0.0.1:$NP/api/v2/receivers" | jq -r '[.[].name] | join(",")'; }

write_config second
printf '{{ define "broken" }}{{ if }}{{ end }}\n' >"$T_WORK/tmpl/c.tmpl"
code=$(curl -s -o "$T_WORK/reload.out" -w '%{http_code}' -X POST "http://127.0.0.1:$NP/-/reload")
if [ "$code" = 500 ] && grep -q 'failed to parse templates: .*c.tmpl' "$T_WORK/reload.out"; then
    t_ok reload-refused
else t_fail reload-refused "HTTP $code: $(cat "$T_WORK/reload.out")"; fi
v=$(receivers)
[ "$v" = first ] && t_ok old-config-kept || t_fail old-config-kept "receivers: $v"
v=$(curl -s "http://127.0.0.1:$NP/metrics" | grep '^tocsin_config_last_reload_successful ')
[ "$v" = "tocsin_config_last_reload_successful 0" ] && t_ok reload-metric ||
    t_fail reload-metric "$v"
# the old config still delivers
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
    "http://127.0.0.1:$NP/api/v2/alerts" -d '[{"labels":{"alertname":"StillWorks"}}]'
for ((i = 0; i < 100; i++)); do
    [ -s "$REQ" ] && break
    sleep 0.1
done
v=$(jq -r '.body | fromjson | .receiver' "$REQ" | head -n 1)
[ "$v" = first ] && t_ok old-config-delivers || t_fail old-config-delivers "$v"

rm "$T_WORK/tmpl/c.tmpl"
code=$(curl -s -o "$T_WORK/reload.out" -w '%{http_code}' -X POST "http://127.0.0.1:$NP/-/reload")
v=$(receivers)
[ "$code" = 200 ] && [ "$v" = second ] && t_ok reload-after-fix || t_fail reload-after-fix "HTTP $code, receivers $v"

t_done
