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
tport=$(iq_free_port)

# bound_by PID PORT: PORT is listened on by process PID.
bound_by() { ss -Htlnp "( sport = :$2 )" 2>/dev/null | grep -q "pid=$1,"; }
# start_tool LOG PORT CMD...: CMD (which listens on PORT) in the background
# (STARTED_PID); 0 once it listens, 1 when it exited because something else
# took PORT after iq_free_port chose it (the caller tries another port).
start_tool() {
  _log=$1; _port=$2; shift 2
  "$@" >"$_log" 2>&1 &
  STARTED_PID=$!
  _n=0
  while [ "$_n" -lt 300 ]; do
    bound_by "$STARTED_PID" "$_port" && return 0
    if ! kill -0 "$STARTED_PID" 2>/dev/null; then
      wait "$STARTED_PID" 2>/dev/null || true
      grep -qi "address already in use" "$_log" && return 1
      cat "$_log" >&2
      fail "$1 exited before listening on $_port"
    fi
    sleep 0.1; _n=$((_n + 1))
  done
  fail "$1 not listening on $_port after 30 s"
}

cat >"$d/rules.yml" <<EOF2
groups:
  - name: inquest-test
    rules:
      - alert: TargetDown
        expr: up{job="checkout-api"} == 0
        labels: { severity: critical }
        annotations: { summary: "checkout-api scrape target is down" }
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
for try in 1 2 3 4 5; do
  am_port=$(iq_free_port)
  start_tool "$d/am.log" "$am_port" prometheus-alertmanager --config.file="$d/alertmanager.yml" \
    --storage.path="$d/am" --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= &&
    break
  [ "$try" -lt 5 ] || fail "alertmanager found no free port in 5 tries"
done
AM_PID=$STARTED_PID
# prometheus.yml for the target at $tport (rewritten, and Prometheus
# reloaded, if that port is taken when the target starts)
write_prom_yml() {
  cat >"$d/prometheus.yml" <<EOF2
global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 500ms }
rule_files: [ "$d/rules.yml" ]
alerting:
  alertmanagers: [ { static_configs: [ { targets: [ "127.0.0.1:$am_port" ] } ] } ]
scrape_configs:
  - job_name: checkout-api
    static_configs: [ { targets: [ "127.0.0.1:$tport" ] } ]
EOF2
}
write_prom_yml
for try in 1 2 3 4 5; do
  prom_port=$(iq_free_port)
  start_tool "$d/prom.log" "$prom_port" prometheus --config.file="$d/prometheus.yml" \
    --storage.tsdb.path="$d/prom" --web.listen-address="127.0.0.1:$prom_port" && break
  [ "$try" -lt 5 ] || fail "prometheus found no free port in 5 tries"
done
PROM_PID=$STARTED_PID

# wait_action ACTION SECONDS: until a stored TargetDown event has it
wait_action() {
  n=$(( $2 * 4 ))
  while [ "$n" -gt 0 ]; do
    wh_events "$d/data" | grep '"alertname":"TargetDown"' | grep -q "\"action\":\"$1\"" && return 0
    sleep 0.25; n=$((n - 1))
  done
  tail -n 20 "$d/am.log" "$d/prom.log" "$d/target.log" >&2 2>/dev/null
  fail "no $1 TargetDown alert stored after $2 s"
}
wait_action firing 90
for try in 1 2 3 4 5; do
  start_tool "$d/target.log" "$tport" "$IQD" --data "$d/target" --listen-zmq "tcp://127.0.0.1:0" \
    --listen-http "127.0.0.1:$tport" && break
  [ "$try" -lt 5 ] || fail "the target found no free port in 5 tries"
  tport=$(iq_free_port)
  write_prom_yml
  kill -HUP "$PROM_PID"
done
TGT_PID=$STARTED_PID
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
