#!/bin/sh
# Invalid input: NDJSON lines rejected with line numbers and reasons while
# valid ones are stored; hostile frames refused by ingest with a reason
# (invalid event inside a batch, wrong protocol version, garbage, several
# frames, a frame over max_frame); the daemon keeps serving.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --max-frame 64k
port=$IQ_ZMQ_PORT; ep="tcp://127.0.0.1:$port"
cat >"$d/mix.ndjson" <<'NDJSON'
{"id":"ok-1","source":"cli","kind":"alert","action":"firing","at":"2026-10-21T13:42:00+02:00"}
{"id":"bad-time","source":"cli","kind":"alert","action":"firing","at":"yesterday"}

{"id":"bad-kind","source":"cli","kind":"alarm","action":"firing","at":"2026-10-21T13:42:00Z"}
{"id":"ok-2","source":"cli","kind":"deploy","action":"succeeded","at":"2026-10-21T13:40:00Z","service":"checkout-api"}
{"id":"bad-json","source":
{"id":"bad-type","source":"cli","kind":"chat","action":"posted","at":"2026-10-21T13:42:00Z","labels":{"n":1}}
{"source":"cli","kind":"chat","action":"posted","at":"2026-10-21T13:42:00Z"}
NDJSON
st=0; "$IQ" --zmq "$ep" send "$d/mix.ndjson" >"$d/out" 2>"$d/err" || st=$?
[ "$st" -eq 1 ] || fail "exit status $st, want 1"
[ "$(cat "$d/out")" = "sent 7, stored 2, duplicates 0, rejected 5" ] || fail "summary: $(cat "$d/out")"
grep -qx "line 2: rejected: field 'at': not an RFC 3339 time with offset: \"yesterday\"" "$d/err" || fail "line 2"
grep -q "^line 4: rejected: field 'kind': unknown kind \"alarm\"" "$d/err" || fail "line 4"
grep -q "^line 6: rejected: invalid JSON at column" "$d/err" || fail "line 6"
grep -qx "line 7: rejected: field 'labels.n': expected a string, got a number" "$d/err" || fail "line 7"
grep -qx "line 8: rejected: field 'id': required" "$d/err" || fail "line 8"
n=$("$IQ" --data "$d/data" events --json | wc -l)
[ "$n" -eq 2 ] || fail "$n events stored, want 2"

raw="$IQ_BUILD/tests/helpers/iq_rawsend"
a=$("$raw" "$ep" mixed)
case "$a" in "ack 1 0 1:field 'kind': unknown kind \"alarm\""*) ;; *) fail "mixed: $a" ;; esac
a=$("$raw" "$ep" version)
[ "$a" = "error frame: protocol version 2, this peer speaks 1" ] || fail "version: $a"
a=$("$raw" "$ep" garbage)
case "$a" in "error frame: not one complete msgpack value"*) ;; *) fail "garbage: $a" ;; esac
a=$("$raw" "$ep" multiframe)
[ "$a" = "error expected exactly one frame per message" ] || fail "multiframe: $a"
a=$("$raw" "$ep" oversize 100000)
[ "$a" = "error frame of 100018 bytes, over the limit of 65536 (max_frame)" ] || fail "oversize: $a"
a=$("$raw" "$ep" ack)
[ "$a" = "error expected a batch" ] || fail "ack as request: $a"
# a frame far over the hard limit: libzmq drops the peer, the daemon lives on
a=$("$raw" "$ep" oversize 400000 || true)
[ "$a" = "timeout" ] || fail "hard limit: $a"
a=$("$raw" "$ep" mixed)
case "$a" in "ack 0 1 1:"*) ;; *) fail "after hostile frames: $a" ;; esac
iq_stop_daemon
