#!/bin/sh
# A real sender: Debian's prometheus and prometheus-alertmanager on
# loopback with short intervals (scrape and evaluation every 1 s,
# group_wait 1 s), a rule that fires while a scrape target is down, and a
# webhook receiver pointing at inquestd (bearer token read from a
# credentials_file with a trailing newline, as deploy/ ships it).  The target (a
# second inquestd's /metrics) is down at first, then brought up: the firing
# and the resolved alert arrive and are each stored exactly once.
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/webhooks/wh_lib.sh"
command -v prometheus >/dev/null || fail "prometheus is required (Debian package prometheus)"
command -v prometheus-alertmanager >/dev/null || fail "prometheus-alertmanager is required"
d=$(iq_tmpdir)
PROM_PID=""; AM_PID=""; TGT_PID=""
stop_all() {
  for p in $PROM_PID $AM_PID $TGT_PID; do kill "$p" 2>/dev/null || true; done
  for p in $PROM_PID $AM_PID $TGT_PID; do wait "$p" 2>/dev/null || true; done
}
trap 'stop_all; iq_cleanup' EXIT INT TERM
echo '{"sources": {"alertmanager": {"token": "am-token"}}}' >"$d/conf.json"
iq_start_daemon "$d/data" 0 --config "$d/conf.json"
port=$IQ_ZMQ_PORT
tport=$(iq_free_port); tzmq=$(iq_free_port); am_port=$(iq_free_port); prom_port=$(iq_free_port)

cat >"$d/rules.yml" <<EOF2
groups:
  - name: inquest-test
    rules:
      - alert: TargetDown
        expr: up{job="checkout-api"} == 0
        labels: { severity: critical }
        annotations: { summary: "checkout-api scrape target is down" }
EOF2
cat >"$d/prometheus.yml" <<EOF2
global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 500ms }
rule_files: [ "$d/rules.yml" ]
alerting:
  alertmanagers: [ { static_configs: [ { targets: [ "127.0.0.1:$am_port" ] } ] } ]
scrape_configs:
  - job_name: checkout-api
    static_configs: [ { targets: [ "127.0.0.1:$tport" ] } ]
EOF2
cat >"$d/alertmanager.yml" <<EOF2
route: { receiver: inquest, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h }
receivers:
  - name: inquest
    webhook_configs:
      - url: http://127.0.0.1:$IQ_HTTP_PORT/hooks/alertmanager
        send_resolved: true
        http_config: { authorization: { credentials_file: $d/am-token } }
EOF2
printf 'am-token\n' >"$d/am-token"
prometheus-alertmanager --config.file="$d/alertmanager.yml" --storage.path="$d/am" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$d/am.log" 2>&1 &
AM_PID=$!
prometheus --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/prom" \
  --web.listen-address="127.0.0.1:$prom_port" >"$d/prom.log" 2>&1 &
PROM_PID=$!

# wait_action ACTION SECONDS: until a stored TargetDown event has it
wait_action() {
  n=$(( $2 * 4 ))
  while [ "$n" -gt 0 ]; do
    wh_events "$d/data" | grep '"alertname":"TargetDown"' | grep -q "\"action\":\"$1\"" && return 0
    sleep 0.25; n=$((n - 1))
  done
  tail -n 20 "$d/am.log" "$d/prom.log" >&2
  fail "no $1 TargetDown alert stored after $2 s"
}
wait_action firing 90
"$IQD" --data "$d/target" --listen-zmq "tcp://127.0.0.1:$tzmq" --listen-http "127.0.0.1:$tport" >"$d/target.log" 2>&1 &
TGT_PID=$!
wait_action resolved 90
# An observation window, not an ordering: repeats or retries that come in
# these 3 s must not be stored again.
sleep 3
wh_events "$d/data" | grep '"alertname":"TargetDown"' >"$d/ev"
[ "$(grep -c '"action":"firing"' "$d/ev")" -eq 1 ] || fail "firing stored $(grep -c '"action":"firing"' "$d/ev") times"
[ "$(grep -c '"action":"resolved"' "$d/ev")" -eq 1 ] || fail "resolved stored $(grep -c '"action":"resolved"' "$d/ev") times"
grep '"action":"firing"' "$d/ev" | grep -q '"service":"checkout-api"' || fail "firing event: $(cat "$d/ev")"
grep '"action":"resolved"' "$d/ev" | grep -q '"ends_at":"' || fail "resolved event has no ends_at"
grep -q '"title":"TargetDown: checkout-api scrape target is down"' "$d/ev" || fail "title: $(cat "$d/ev")"
stop_all
PROM_PID=""; AM_PID=""; TGT_PID=""
iq_stop_daemon
