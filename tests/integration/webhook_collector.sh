#!/bin/sh
# Collector mode: an edge inquestd (--collector --forward) with no store
# receives webhooks and forwards them over the acknowledged ZeroMQ
# protocol to a central inquestd; the edge answers 200 only once the
# central ingest acknowledged, duplicates are reported as such, and while
# the central ingest is down the edge answers 503 (the sender retries).
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/webhooks/wh_lib.sh"
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0
port=$IQ_ZMQ_PORT
central=$IQ_DAEMON_PID
"$IQD" --collector --forward "tcp://127.0.0.1:$port" --listen-http "127.0.0.1:0" \
  --ports-file "$d/edge.ports" --http-timeout 2s --http-threads 3 >"$d/edge.log" 2>&1 &
EDGE=$!
trap 'kill "$EDGE" 2>/dev/null || true; iq_cleanup' EXIT INT TERM
iq_wait_until 30 iq_daemon_ready "$d/edge.ports" "$EDGE" "$d/edge.log"
hport=$(iq_ports_value "$d/edge.ports" http_port)
[ ! -e "./inquest-data" ] || [ -d "./inquest-data" ] || fail "unexpected data path"
IQ_HTTP_PORT=$hport

c=$(wh_post /hooks/alertmanager "$WH_DATA/alertmanager/firing.group-2-alerts.json")
[ "$c" = 200 ] && grep -q '"stored":2' "$WH_RESP" || fail "forward: $c $(cat "$WH_RESP")"
c=$(wh_post /hooks/alertmanager "$WH_DATA/alertmanager/firing.group-2-alerts.json")
[ "$c" = 200 ] && grep -q '"duplicates":2' "$WH_RESP" || fail "forward repeat: $c $(cat "$WH_RESP")"
# several concurrent deliveries through the pool threads
pids=""
for f in "$WH_DATA"/pagerduty/*.json; do
  wh_post /hooks/pagerduty "$f" >"$d/code.$(basename "$f")" & pids="$pids $!"
done
for p in $pids; do wait "$p"; done
for f in "$d"/code.*; do [ "$(cat "$f")" = 200 ] || fail "concurrent forward $(basename "$f"): $(cat "$f")"; done
n=$(wh_events "$d/data" | wc -l); [ "$n" -eq 8 ] || fail "central stored $n events, want 8"

# central ingest down: the edge cannot make the events durable, answers 503
iq_stop_daemon
c=$(wh_post /hooks/opsgenie "$WH_DATA/opsgenie/create.json")
[ "$c" = 503 ] || fail "central down: want 503, got $c $(cat "$WH_RESP")"
# back up: the same delivery (the sender's retry) is stored
iq_start_daemon "$d/data" "$port"
c=$(wh_post /hooks/opsgenie "$WH_DATA/opsgenie/create.json")
[ "$c" = 200 ] || fail "after restart: $c $(cat "$WH_RESP")"
n=$(wh_events "$d/data" | wc -l); [ "$n" -eq 9 ] || fail "central stored $n events, want 9"
kill -TERM "$EDGE"; st=0; wait "$EDGE" || st=$?
[ "$st" -eq 0 ] || { cat "$d/edge.log" >&2; fail "collector exit status $st"; }
iq_stop_daemon
