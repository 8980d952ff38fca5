#!/bin/sh
# Scenario fixtures of the correlator (tests/data/scenarios/*.ndjson):
# recorded vendor-native webhook deliveries replayed into a real inquestd
# with `inquest replay`, checked against *.expected.json (incidents,
# milestones, durations, impact, trigger candidates) by cor_expect.
# For each scenario also: a full rebuild with the daemon stopped gives
# byte-identical incidents twice in a row and the same bytes as the live
# (incremental) correlator; and s7 (the deliveries of s2 shuffled) gives
# exactly the incidents of s2.
. "$IQ_ROOT/tests/lib.sh"
SC="$IQ_ROOT/tests/data/scenarios"
EXPECT="$IQ_BUILD/tests/helpers/cor_expect"
[ -x "$EXPECT" ] || fail "missing $EXPECT (make tests-build)"
"$IQ" --help | grep -q '^  replay ' || fail "inquest replay is missing"
CONF="$SC/config.json"
count=0
for f in "$SC"/s*.ndjson; do
  name=$(basename "$f" .ndjson)
  d=$(iq_tmpdir)
  iq_start_daemon "$d/data" 0 --config "$CONF"
  port=$IQ_ZMQ_PORT
  "$IQ" --quiet --zmq "tcp://127.0.0.1:$port" replay "$f" >"$d/replay.out" 2>&1 ||
    { cat "$d/replay.out" >&2; fail "$name: replay failed"; }
  # the live correlator must reflect the deliveries within a second or so
  ok=0; i=0
  while [ $i -lt 30 ]; do
    "$IQ" --data "$d/data" incidents --json >"$d/live.json" 2>/dev/null || true
    if "$EXPECT" "$SC/$name.expected.json" "$d/live.json" >"$d/expect.out" 2>&1; then ok=1; break; fi
    sleep 0.1; i=$((i + 1))
  done
  [ $ok -eq 1 ] || { cat "$d/expect.out" >&2; cat "$d/data.log" >&2; fail "$name: live incidents differ from $name.expected.json"; }
  iq_stop_daemon
  "$IQ" --quiet --config "$CONF" --data "$d/data" correlate --rebuild || fail "$name: rebuild failed"
  "$IQ" --data "$d/data" incidents --json >"$d/rebuild1.json" 2>/dev/null
  "$IQ" --quiet --config "$CONF" --data "$d/data" correlate --rebuild || fail "$name: second rebuild failed"
  "$IQ" --data "$d/data" incidents --json >"$d/rebuild2.json" 2>/dev/null
  cmp -s "$d/rebuild1.json" "$d/rebuild2.json" || fail "$name: two rebuilds differ"
  cmp -s "$d/live.json" "$d/rebuild1.json" || { diff "$d/live.json" "$d/rebuild1.json" >&2; fail "$name: live and rebuilt incidents differ"; }
  # the streaming rebuild with a 1 KiB budget (compacting at every event)
  sed 's/"correlate": {/"correlate": { "rebuild_memory": "1k",/' "$CONF" >"$d/small.json"
  grep -q rebuild_memory "$d/small.json" || fail "$name: no correlate section in $CONF"
  "$IQ" --quiet --config "$d/small.json" --data "$d/data" correlate --rebuild || fail "$name: small-budget rebuild failed"
  "$IQ" --data "$d/data" incidents --json >"$d/rebuild3.json" 2>/dev/null
  cmp -s "$d/live.json" "$d/rebuild3.json" || fail "$name: a rebuild with a 1 KiB budget differs"
  "$EXPECT" "$SC/$name.expected.json" "$d/rebuild1.json" || fail "$name: rebuilt incidents differ from expectations"
  cp "$d/live.json" "$IQ_TMP/$name.json"
  count=$((count + 1))
done
[ $count -ge 8 ] || fail "only $count scenarios found"
cmp -s "$IQ_TMP/s2-deploy-rollback.json" "$IQ_TMP/s7-late-out-of-order.json" ||
  { diff "$IQ_TMP/s2-deploy-rollback.json" "$IQ_TMP/s7-late-out-of-order.json" >&2; fail "shuffled delivery changed the incidents"; }
echo "$count scenarios ok"
