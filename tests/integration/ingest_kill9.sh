#!/bin/sh
# kill -9 of inquestd while `inquest send` streams 200,000 events; restart;
# the send completes and every event is present exactly once (ids compared).
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir); port=$(iq_free_port); ep="tcp://127.0.0.1:$port"
iq_gen_events 200000 k9 >"$d/ev.ndjson"
iq_start_daemon "$d/data" "$port"
"$IQ" --zmq "$ep" send "$d/ev.ndjson" >"$d/out" 2>"$d/err" &
sender=$!
# kill once some but not all events are stored
i=0
while [ "$i" -lt 200 ]; do
  sleep 0.05; i=$((i + 1))
  [ "$(du -sk "$d/data" | cut -f1)" -gt 2000 ] && break
done
iq_kill9_daemon
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
