#!/bin/sh
# A full spool: with the central ingest down, a collector whose spool_max
# is reached answers 503 with Retry-After and says why (also on /readyz
# and /metrics), spools nothing of the refused delivery, and takes it once
# the central ingest drained the spool.  Every event ends in the central
# store exactly once, a delivery sent twice (a retry) included.
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/collector/collector_lib.sh"
d=$(iq_tmpdir)
central_down "$d/central"
cport=$CENTRAL_PORT
edge_start "$d/edge" "tcp://127.0.0.1:$cport" --spool-max 1M
url="http://127.0.0.1:$EDGE_PORT"

# deliveries of 200 events until one is refused
iq_gen_events 20000 full >"$d/all.ndjson"
split -l 200 -a 3 "$d/all.ndjson" "$d/part."
: >"$d/accepted.ndjson"
refused=""
for p in "$d"/part.*; do
  { printf '['; paste -sd, "$p"; printf ']'; } >"$p.json"
  c=$(curl -s -D "$d/hdr" -o "$d/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
      --data-binary @"$p.json" "$url/hooks/events")
  if [ "$c" = 503 ]; then refused=$p; break; fi
  [ "$c" = 200 ] || fail "delivery $p: $c $(cat "$d/resp")"
  cat "$p" >>"$d/accepted.ndjson"
done
[ -n "$refused" ] || fail "spool_max 1M never reached with 20000 events"
n=$(wc -l <"$d/accepted.ndjson")
[ "$n" -gt 1000 ] || fail "only $n events spooled before the spool was full"
grep -qi '^Retry-After: [0-9]' "$d/hdr" || fail "503 without Retry-After: $(cat "$d/hdr")"
grep -q 'spool full' "$d/resp" || fail "503 without the reason: $(cat "$d/resp")"
c=$(curl -s -o "$d/ready" -w '%{http_code}' "$url/readyz")
[ "$c" = 503 ] && grep -q '"busy":"spool_full"' "$d/ready" || fail "/readyz: $c $(cat "$d/ready")"
edge_metrics | grep -q '^inquest_store_busy{reason="spool_full"} 1$' || fail "no spool_full gauge"
[ "$(edge_metric inquest_spool_events)" -eq "$n" ] || fail "spool holds $(edge_metric inquest_spool_events), want $n"
max=$(edge_metric inquest_spool_max_bytes)
[ "$max" -eq 1048576 ] || fail "spool_max_bytes $max"
[ "$(edge_metric inquest_spool_bytes)" -le "$max" ] || fail "spool past its bound"
# the sender retries while full: refused again, nothing of it spooled
c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$refused.json" "$url/hooks/events")
[ "$c" = 503 ] || fail "retry while full: $c"
[ "$(edge_metric inquest_spool_events)" -eq "$n" ] || fail "a refused delivery was spooled"

# central up: the spool drains and takes deliveries again; the refused
# delivery is retried, and an accepted one is sent a second time
iq_start_daemon "$d/central" "$cport"
iq_wait_until 60 edge_spool_empty
c=$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")
[ "$c" = 200 ] || fail "/readyz after the drain: $c"
for p in "$refused" "$d/part.aaa"; do
  c=$(curl -s -o "$d/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
      --data-binary @"$p.json" "$url/hooks/events")
  [ "$c" = 200 ] || fail "after the drain: $c $(cat "$d/resp")"
done
cat "$refused" >>"$d/accepted.ndjson"
iq_wait_until 60 edge_spool_empty
iq_stop_daemon
central_ids "$d/central" >"$d/got"
ids_of "$d/accepted.ndjson" >"$d/want"
cmp -s "$d/got" "$d/want" || fail "central holds $(wc -l <"$d/got") ids, want the $(wc -l <"$d/want") accepted, once each"
edge_metrics | grep -q '^inquest_forward_events_total{outcome="duplicate"} 200$' ||
  fail "the delivery sent twice: $(grep inquest_forward_events_total "$IQ_TMP/edge.metrics")"
edge_stop
