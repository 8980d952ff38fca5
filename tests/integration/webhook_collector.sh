#!/bin/sh
# Collector mode: an edge inquestd (--collector --forward) with no store
# receives webhooks, answers 200 once their events are in its spool, and
# forwards them over the acknowledged ZeroMQ protocol to a central
# inquestd; a repeated delivery is stored once there (ingest's dedup), and
# a delivery made while the central ingest is down reaches it once it is
# back.  (The spool itself: collector_spool.sh, collector_spool_full.sh.)
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/webhooks/wh_lib.sh"
. "$IQ_ROOT/tests/data/collector/collector_lib.sh"
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0
port=$IQ_ZMQ_PORT
edge_start "$d/edge" "tcp://127.0.0.1:$port" --http-threads 3
[ -d "$d/edge/spool" ] || fail "no spool in the collector's data directory"
[ "$(stat -c %a "$d/edge")" = 700 ] || fail "collector data directory is not private"
IQ_HTTP_PORT=$EDGE_PORT
forwarded() { [ "$(edge_metrics | sed -n 's/^inquest_forward_events_total{outcome="\(stored\|duplicate\)"} //p' |
  awk '{ n += $1 } END { print n + 0 }')" -ge "$1" ]; }

c=$(wh_post /hooks/alertmanager "$WH_DATA/alertmanager/firing.group-2-alerts.json")
[ "$c" = 200 ] && grep -q '"stored":2' "$WH_RESP" || fail "forward: $c $(cat "$WH_RESP")"
c=$(wh_post /hooks/alertmanager "$WH_DATA/alertmanager/firing.group-2-alerts.json")
[ "$c" = 200 ] || fail "forward repeat: $c $(cat "$WH_RESP")"
# several concurrent deliveries through the pool threads
pids=""
for f in "$WH_DATA"/pagerduty/*.json; do
  wh_post /hooks/pagerduty "$f" >"$d/code.$(basename "$f")" & pids="$pids $!"
done
for p in $pids; do wait "$p"; done
for f in "$d"/code.*; do [ "$(cat "$f")" = 200 ] || fail "concurrent forward $(basename "$f"): $(cat "$f")"; done
iq_wait_until 30 forwarded 10
iq_wait_until 30 edge_spool_empty
edge_metrics | grep -q '^inquest_forward_events_total{outcome="duplicate"} 2$' ||
  fail "the repeated delivery: $(grep inquest_forward_events_total "$IQ_TMP/edge.metrics")"
n=$(wh_events "$d/data" | wc -l); [ "$n" -eq 8 ] || fail "central stored $n events, want 8"

# central ingest down: the edge still answers 200 (spooled); back up, the
# event reaches the central store
iq_stop_daemon
c=$(wh_post /hooks/opsgenie "$WH_DATA/opsgenie/create.json")
[ "$c" = 200 ] || fail "central down: want 200 (spooled), got $c $(cat "$WH_RESP")"
[ "$(edge_metric inquest_spool_events)" -eq 1 ] || fail "spool: $(grep inquest_spool "$IQ_TMP/edge.metrics")"
iq_start_daemon "$d/data" "$port"
iq_wait_until 30 edge_spool_empty
iq_stop_daemon
n=$(wh_events "$d/data" | wc -l); [ "$n" -eq 9 ] || fail "central stored $n events, want 9"
edge_stop
