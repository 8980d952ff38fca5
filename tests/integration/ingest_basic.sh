#!/bin/sh
# 10,000 events sent and all stored (ids compared); the same sent again and
# none stored twice; events readable while the daemon runs and after a
# graceful SIGTERM stop.  The plain log lines wake no correlator rebuild;
# one firing alert does, and its incident appears.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0
port=$IQ_ZMQ_PORT
iq_gen_events 10000 basic >"$d/ev.ndjson"

out=$("$IQ" --zmq "tcp://127.0.0.1:$port" send "$d/ev.ndjson")
[ "$out" = "sent 10000, stored 10000, duplicates 0, rejected 0" ] || fail "first send: $out"
out=$("$IQ" --zmq "tcp://127.0.0.1:$port" send <"$d/ev.ndjson")
[ "$out" = "sent 10000, stored 0, duplicates 10000, rejected 0" ] || fail "second send: $out"

# read beside the running daemon; compare the id sets exactly
"$IQ" --data "$d/data" events --json | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort >"$d/got"
sed 's/^{"id":"\([^"]*\)".*/\1/' "$d/ev.ndjson" | sort >"$d/want"
cmp -s "$d/got" "$d/want" || fail "stored ids differ from sent ids"

# filters
n=$("$IQ" --data "$d/data" events --json --since 2026-10-21T13:00:05Z --until 2026-10-21T13:00:06Z | wc -l)
[ "$n" -eq 1000 ] || fail "time window returned $n events, want 1000"
n=$("$IQ" --data "$d/data" events --json --service nope | wc -l)
[ "$n" -eq 0 ] || fail "unknown service returned $n events"
"$IQ" --data "$d/data" events --since 2026-10-21T13:00:00Z --until 2026-10-21T13:00:00.002Z \
  | grep -q "2026-10-21T13:00:00.001Z  cli           log    posted                checkout-api" || fail "table output"

echo '{"id":"basic-alert","source":"cli","kind":"alert","action":"firing","at":"2026-10-21T13:00:30Z","service":"checkout-api","severity":"critical","title":"HighErrorRate"}' >"$d/alert.ndjson"
"$IQ" --zmq "tcp://127.0.0.1:$port" send "$d/alert.ndjson" >/dev/null || fail "send alert"
i=0; until "$IQ" --data "$d/data" incidents --json 2>/dev/null | grep -q HighErrorRate; do
  i=$((i + 1)); [ "$i" -lt 50 ] || fail "the alert's incident did not appear"; sleep 0.1; done

iq_stop_daemon
grep -q "stopped: 10001 events stored, 10000 duplicates, 0 rejected; zmq: 21 batches, 10001 stored, 10000 duplicates, 0 rejected" "$d/data.log" \
  || { cat "$d/data.log"; fail "shutdown summary"; }
grep -q "correlate.*stopped: 10001 events, 1 partial and 1 full rebuilds" "$d/data.log" \
  || { grep correlate "$d/data.log"; fail "log lines must not wake the correlator"; }
# and offline, after the stop
n=$("$IQ" --data "$d/data" events --json | wc -l)
[ "$n" -eq 10001 ] || fail "offline read found $n events"
