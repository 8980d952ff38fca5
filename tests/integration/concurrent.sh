#!/bin/sh
# The concurrent corpus (tests/data/concurrent/c*.ndjson): twelve
# situations happening at once, interleaved into one stream of canonical
# events and sent with `inquest send` into a real inquestd, the way a busy
# organisation's sources deliver them: in time order, but with every
# fourth event held back and delivered late, every sixth delivered twice,
# and neighbours swapped.  Every situation's expected incidents and
# unattached evidence (c*.expected.json) must be found, each exactly once,
# in the live incidents, in GET /api/v1/unattached, and after a full
# rebuild (which must give the live bytes, twice, and again with a memory
# budget so small that the streaming rebuild compacts at every event).
. "$IQ_ROOT/tests/lib.sh"
C="$IQ_ROOT/tests/data/concurrent"
EXPECT="$IQ_BUILD/tests/helpers/cor_expect"
[ -x "$EXPECT" ] || fail "missing $EXPECT (make tests-build)"
n=$(ls "$C"/c*.expected.json | wc -l)
[ "$n" -ge 12 ] || fail "only $n situations in $C"
d=$(iq_tmpdir)

# one stream: every event of every situation in time order ...
cat "$C"/c*.ndjson | sed 's/^\(.*"at":"\([^"]*\)".*\)$/\2 \1/' | sort -s -k1,1 | cut -d' ' -f2- >"$d/stream"
[ "$(wc -l <"$d/stream")" -eq "$(cat "$C"/c*.ndjson | wc -l)" ] || fail "stream lost events"
# ... then late (held back to the end), duplicated and swapped deliveries
awk 'NR % 4 == 0 { late[++nl] = $0; next }
     { if (held != "") { print $0; print held; held = "" } else if (NR % 5 == 1) held = $0; else print $0
       if (NR % 6 == 0) print $0 }
     END { if (held != "") print held; for (i = nl; i >= 1; i--) print late[i] }' "$d/stream" >"$d/deliveries"
[ "$(sort -u "$d/deliveries" | wc -l)" -eq "$(sort -u "$d/stream" | wc -l)" ] || fail "deliveries lost events"
cmp -s "$d/stream" "$d/deliveries" && fail "deliveries are not shuffled"

iq_start_daemon "$d/data" 0 --config "$C/config.json"
port=$IQ_ZMQ_PORT; Z="tcp://127.0.0.1:$port"
head -n 40 "$d/deliveries" | "$IQ" --quiet --zmq "$Z" send - || fail "send (first part)"
tail -n +41 "$d/deliveries" | "$IQ" --quiet --zmq "$Z" send - || fail "send (late part)"

check() { # label incidents.json unattached.json
  "$EXPECT" --any "$2" "$3" "$C"/c*.expected.json >"$d/expect.out" 2>&1
}
ok=0; i=0
while [ $i -lt 50 ]; do
  "$IQ" --data "$d/data" incidents --json >"$d/live.json" 2>/dev/null || true
  curl -sf "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/unattached" >"$d/unatt.json" || echo '[]' >"$d/unatt.json"
  if check live "$d/live.json" "$d/unatt.json"; then ok=1; break; fi
  sleep 0.1; i=$((i + 1))
done
[ $ok -eq 1 ] || { cat "$d/expect.out" >&2; fail "live incidents differ from the corpus expectations"; }
"$IQ" --data "$d/data" incidents --unattached --json >"$d/unatt-cli.json" 2>/dev/null
cmp -s "$d/unatt-cli.json" /dev/null && fail "incidents --unattached printed nothing"
"$IQ" --data "$d/data" incidents --unattached 2>&1 | grep -q 'C0INCIDENTS.*ambiguous' ||
  { "$IQ" --data "$d/data" incidents --unattached >&2; fail "unattached table"; }
iq_stop_daemon

"$IQ" --quiet --config "$C/config.json" --data "$d/data" correlate --rebuild || fail "rebuild failed"
"$IQ" --data "$d/data" incidents --json >"$d/rebuild1.json" 2>/dev/null
"$IQ" --data "$d/data" incidents --unattached --json >"$d/unatt1.json" 2>/dev/null
"$IQ" --quiet --config "$C/config.json" --data "$d/data" correlate --rebuild || fail "second rebuild failed"
"$IQ" --data "$d/data" incidents --json >"$d/rebuild2.json" 2>/dev/null
cmp -s "$d/rebuild1.json" "$d/rebuild2.json" || fail "two rebuilds differ"
cmp -s "$d/live.json" "$d/rebuild1.json" ||
  { diff "$d/live.json" "$d/rebuild1.json" >&2; fail "live and rebuilt incidents differ"; }
cmp -s "$d/unatt-cli.json" "$d/unatt1.json" || fail "live and rebuilt unattached lists differ"
# a full rebuild streams: with a budget of 1 KiB it compacts at every event
# and must still give the same bytes; --diff (computed in memory) agrees
sed 's/"correlate": {/"correlate": { "rebuild_memory": "1k",/' "$C/config.json" >"$d/small.json"
"$IQ" --quiet --config "$d/small.json" --data "$d/data" correlate --rebuild || fail "small-budget rebuild failed"
"$IQ" --data "$d/data" incidents --json >"$d/rebuild3.json" 2>/dev/null
"$IQ" --data "$d/data" incidents --unattached --json >"$d/unatt3.json" 2>/dev/null
cmp -s "$d/live.json" "$d/rebuild3.json" || fail "a rebuild with a 1 KiB budget differs"
cmp -s "$d/unatt-cli.json" "$d/unatt3.json" || fail "a rebuild with a 1 KiB budget changed the unattached list"
"$IQ" --quiet --config "$C/config.json" --data "$d/data" correlate --diff >"$d/diff" ||
  { cat "$d/diff" >&2; fail "the in-memory computation differs from the streamed rebuild"; }
check rebuilt "$d/rebuild1.json" "$d/unatt1.json" || { cat "$d/expect.out" >&2; fail "rebuilt incidents differ from the corpus expectations"; }
echo "$n situations ok ($(grep -c . "$d/deliveries") deliveries of $(wc -l <"$d/stream") events)"
