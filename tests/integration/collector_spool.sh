#!/bin/sh
# A collector (--collector --forward) makes each delivery durable in its
# spool and answers 200 while the central ingest is down (issue #15); once
# the central ingest is up, everything reaches it exactly once.  Then kill -9 of the collector while it forwards, and a restart:
# nothing lost, nothing stored twice.  /metrics shows the spool's depth,
# bytes and age.
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/collector/collector_lib.sh"
d=$(iq_tmpdir)

central_down "$d/central"
cport=$CENTRAL_PORT
edge_start "$d/edge" "tcp://127.0.0.1:$cport"

# 10,000 deliveries of one event each, accepted with the central ingest down
iq_gen_events 10000 out >"$d/a.ndjson"
edge_post_each "$d/a.ndjson" >"$d/a.codes"
n=$(grep -c '^200$' "$d/a.codes" || true)
[ "$n" -eq 10000 ] || fail "central down: $n of 10000 deliveries answered 200: $(sort "$d/a.codes" | uniq -c)"
[ "$(edge_metric inquest_spool_events)" -eq 10000 ] || fail "spool holds $(edge_metric inquest_spool_events) events, want 10000"
[ "$(edge_metric inquest_spool_bytes)" -gt 1000000 ] || fail "spool bytes: $(edge_metric inquest_spool_bytes)"
age_positive() { awk -v a="$(edge_metric inquest_spool_oldest_age_seconds)" 'BEGIN { exit !(a > 0) }'; }
iq_wait_until 10 age_positive
edge_metrics | grep -q '^inquest_forward_events_total{outcome="stored"} 0$' || fail "forwarded with the central ingest down"

# central up: the spool drains, every event stored once
iq_start_daemon "$d/central" "$cport"
iq_wait_until 60 edge_spool_empty
[ "$(edge_metric inquest_spool_bytes)" -eq 0 ] || fail "drained spool still counts $(edge_metric inquest_spool_bytes) bytes"
[ "$(edge_metric inquest_spool_oldest_age_seconds)" = 0.000 ] || fail "drained spool has an age"
iq_stop_daemon
central_ids "$d/central" >"$d/got"
ids_of "$d/a.ndjson" >"$d/want"
cmp -s "$d/got" "$d/want" || fail "central holds $(wc -l <"$d/got") ids, want the 10000 sent once each"

# kill -9 while forwarding: 100,000 more events spooled (in deliveries of
# 1000), central up, the collector killed once some but not all went out
iq_gen_events 100000 k9 >"$d/b.ndjson"
edge_post_arrays "$d/b.ndjson" 1000 >"$d/b.codes"
[ "$(grep -c '^200$' "$d/b.codes")" -eq 100 ] || fail "deliveries of 1000: $(sort "$d/b.codes" | uniq -c)"
iq_start_daemon "$d/central" "$cport"
forwarding() {
  s=$(edge_metric inquest_spool_events)
  [ "$s" -gt 0 ] && [ "$s" -lt 100000 ] && return 0
  [ "$s" -gt 0 ] || fail "the spool drained before the kill: no kill mid-forward"
  return 1
}
iq_wait_until 60 forwarding
kill -9 "$EDGE"; wait "$EDGE" 2>/dev/null || true; EDGE=""
left=$(sed -n 's/^inquest_spool_events //p' "$IQ_TMP/edge.metrics")
echo "killed the collector with $left events still spooled"
edge_start "$d/edge" "tcp://127.0.0.1:$cport"
iq_wait_until 60 edge_spool_empty
iq_stop_daemon
central_ids "$d/central" >"$d/got"
{ ids_of "$d/a.ndjson"; ids_of "$d/b.ndjson"; } | sort >"$d/want"
[ "$(wc -l <"$d/got")" -eq 110000 ] || fail "central holds $(wc -l <"$d/got") events, want 110000"
cmp -s "$d/got" "$d/want" || fail "central ids differ from the ids sent"
edge_stop
