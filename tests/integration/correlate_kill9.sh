#!/bin/sh
# A full rebuild writes its incidents without RocksDB's write-ahead log
# and flushes them before its last, logged batch (correlate/cor_out.c):
# kill -9 of inquestd right after its start-up rebuild keeps that
# rebuild's incidents.  The restart changes the service mapping, so the
# rebuild's output differs from what was stored before it: had its
# unlogged batches been lost, the old incidents (or none) would be left.
. "$IQ_ROOT/tests/lib.sh"
SC="$IQ_ROOT/tests/data/scenarios"
d=$(iq_tmpdir)
sed 's/"Payments": "payments"/"Payments": "shop"/' "$SC/config.json" >"$d/renamed.json"
cmp -s "$SC/config.json" "$d/renamed.json" && fail "the renamed config is the same"

list() { "$IQ" --data "$1" incidents --json; }
count() { list "$d/data" | grep -c '"id": "inc-'; }
has_some() { [ "$(count)" -gt 0 ]; }
full_rebuilds() {
  curl -fsS "http://127.0.0.1:$IQ_HTTP_PORT/metrics" |
    sed -n 's/^inquest_correlator_rebuilds_total{kind="full"} \([0-9]*\)$/\1/p'
}
rebuilt() { [ "$(full_rebuilds)" = 1 ]; }

# history, correlated live with the scenarios' mapping
iq_start_daemon "$d/data" 0 --config "$SC/config.json"
"$IQ" --quiet --zmq "$IQ_ZMQ" replay "$SC/s5-concurrent.ndjson" >/dev/null || fail "replay"
"$IQ" --quiet --zmq "$IQ_ZMQ" replay "$SC/s1-alert-storm.ndjson" >/dev/null || fail "replay"
iq_wait_until 30 has_some
iq_stop_daemon
list "$d/data" >"$d/before"

# restart with another mapping: the start-up full rebuild rewrites them
iq_start_daemon "$d/data" 0 --config "$d/renamed.json"
iq_wait_until 30 rebuilt
iq_kill9_daemon
list "$d/data" >"$d/after"

# what the same rebuild gives on a copy, run to its end by the CLI
cp -a "$d/data" "$d/copy"
"$IQ" --data "$d/copy" --config "$d/renamed.json" correlate --rebuild >/dev/null || fail "rebuild"
list "$d/copy" >"$d/want"
grep -q '"shop"' "$d/want" || fail "the renamed service is in no incident"
cmp -s "$d/before" "$d/want" && fail "the rebuild changed nothing: the test could not fail"
cmp -s "$d/after" "$d/want" || {
  diff "$d/want" "$d/after" | head -20 >&2
  fail "after kill -9, the incidents are not those of the start-up rebuild"
}
echo "$(grep -c '"id": "inc-' "$d/after") incidents kept across kill -9 after a full rebuild"
