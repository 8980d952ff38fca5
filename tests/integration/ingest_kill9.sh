#!/bin/sh
# kill -9 of inquestd while `inquest send` streams 200,000 events; restart;
# the send completes and every event is present exactly once (ids compared).
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
iq_gen_events 200000 k9 >"$d/ev.ndjson"
iq_start_daemon "$d/data" 0
port=$IQ_ZMQ_PORT; ep="tcp://127.0.0.1:$port"
"$IQ" --zmq "$ep" send "$d/ev.ndjson" >"$d/out" 2>"$d/err" &
sender=$!
# kill once some but not all events are stored
some_stored() { [ "$(du -sk "$d/data" | cut -f1)" -gt 2000 ]; }
iq_wait_until 30 some_stored
iq_kill9_daemon
# The thing under test, not an ordering: ingest stays down for a second,
# so the sender must wait and retry through an outage, not just reconnect.
sleep 1
iq_start_daemon "$d/data" "$port"
st=0; wait "$sender" || st=$?
[ "$st" -eq 0 ] || { cat "$d/err"; fail "send exited $st"; }
grep -q "^sent 200000, stored [0-9]*, duplicates [0-9]*, rejected 0$" "$d/out" || fail "summary: $(cat "$d/out")"
iq_stop_daemon
"$IQ" --data "$d/data" events --json | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort >"$d/got"
sed 's/^{"id":"\([^"]*\)".*/\1/' "$d/ev.ndjson" | sort >"$d/want"
[ "$(wc -l <"$d/got")" -eq 200000 ] || fail "stored $(wc -l <"$d/got") events, want 200000"
cmp -s "$d/got" "$d/want" || fail "stored ids differ from sent ids"
echo "$(cat "$d/out")"
