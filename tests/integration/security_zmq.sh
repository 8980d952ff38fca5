#!/bin/sh
# ZeroMQ security (issue #13) on real processes: `inquest keygen` file
# modes and refusals; a CurveZMQ inquestd that stores events from an
# authorised key with received_from = the key's name, refuses an unknown
# key, a plain client and a wrong server key (the CLI fails within its
# timeout, naming the cause) and stores nothing from them; audit notes
# refused from a sender key and from a plain loopback sender, accepted
# from an admin key; `inquest tail` and a collector sending with their own
# keys (stopping, or keeping the events spooled, with an unknown one); and the
# hostile-frame table (huge counts and lengths, truncation, wrong frame
# counts, raw that is not JSON), after which the daemon still serves.
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/webhooks/wh_lib.sh"
d=$(iq_tmpdir); K="$d/keys"; EDGE=""
trap '[ -z "$EDGE" ] || kill "$EDGE" 2>/dev/null || true; iq_cleanup' EXIT INT TERM
raw="$IQ_BUILD/tests/helpers/iq_rawsend"
ev() { # ID [SOURCE KIND ACTION [EXTRA]]: one canonical event line
  printf '{"id":"%s","source":"%s","kind":"%s","action":"%s","at":"2026-10-21T13:42:00Z"%s}\n' \
    "$1" "${2:-cli}" "${3:-alert}" "${4:-firing}" "${5:-}"
}
within() { # SECONDS CMD...: run CMD (its status is returned); fail if it took longer
  _w=$1; shift; _s=$(date +%s); _st=0; "$@" || _st=$?
  [ $(( $(date +%s) - _s )) -le "$_w" ] || fail "took over $_w s: $*"
  return $_st
}
stored() { # ID: is an event with this id stored?
  "$IQ" --data "$1" events --json | grep -q "\"id\":\"$2\""
}

# --- keygen: modes whatever the umask, never over an existing file --------
mkdir -p "$K"
(umask 0; "$IQ" keygen "$K/loose") >"$d/out" || fail "keygen"
grep -q '^public key: ' "$d/out" || fail "keygen prints the public key"
[ "$(stat -c %a "$K/loose.key")" = 600 ] || fail "secret key mode $(stat -c %a "$K/loose.key")"
[ "$(stat -c %a "$K/loose.pub")" = 644 ] || fail "public key mode $(stat -c %a "$K/loose.pub")"
grep -q '^secret-key .\{40\}$' "$K/loose.key" || fail "secret key format"
grep -q '^public-key .\{40\}$' "$K/loose.pub" || fail "public key format"
cp "$K/loose.key" "$d/before"
st=0; "$IQ" keygen "$K/loose" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q 'exists already; not overwritten' "$d/err" || fail "keygen over a key: $st"
cmp -s "$d/before" "$K/loose.key" || fail "keygen changed an existing key"
rm "$K/loose.pub"
st=0; "$IQ" keygen "$K/loose" 2>/dev/null || st=$?
[ "$st" -eq 2 ] && [ ! -e "$K/loose.pub" ] || fail "keygen wrote half a pair"
ls "$K" | grep -v '^loose\.key$' | grep -q . && fail "keygen left files: $(ls "$K")"

iq_curve_keys "$K"
"$IQ" --quiet keygen "$K/stranger"

# --- a CurveZMQ ingest ----------------------------------------------------
W=10
# shellcheck disable=SC2086
iq_start_daemon "$d/data" 0 $IQ_CURVE_DAEMON
port=$IQ_ZMQ_PORT; Z="tcp://127.0.0.1:$port"
grep -q 'CurveZMQ: 2 keys, 1 admin' "$d/data.log" || fail "startup does not report the keys"

# an authorised key: stored, received_from is its name (a forged one is ignored)
ev ok-1 cli alert firing ',"received_from":"admin"' >"$d/ok.ndjson"
# shellcheck disable=SC2086
"$IQ" --zmq "$Z" $IQ_CURVE_SENDER send "$d/ok.ndjson" >/dev/null || fail "send with the sender key"
"$IQ" --data "$d/data" events --json | grep -q '"id":"ok-1".*"received_from":"sender"' \
  || fail "received_from: $("$IQ" --data "$d/data" events --json)"

# an unknown key: refused at the handshake, a clear message, nothing stored
ev unknown-1 >"$d/unknown.ndjson"
st=0; within "$W" "$IQ" --zmq "$Z" --zmq-key "$K/stranger.key" --zmq-server-key "$K/ingest.pub" \
  send "$d/unknown.ndjson" >/dev/null 2>"$d/err" || st=$?
[ "$st" -eq 2 ] || fail "unknown key: exit $st"
grep -q 'refused this CurveZMQ key' "$d/err" || fail "unknown key message: $(cat "$d/err")"
grep -qF "refusing CurveZMQ client at \"127.0.0.1\": key not in zmq_authorized_keys (public key $(sed -n 's/^public-key //p' "$K/stranger.pub"))" "$d/data.log" \
  || fail "the daemon does not log the refused key"
# a plain client: refused, told to use keys
st=0; within "$W" "$IQ" --zmq "$Z" send "$d/unknown.ndjson" >/dev/null 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q 'requires CurveZMQ' "$d/err" || fail "plain client: $st $(cat "$d/err")"
# a wrong server key: the handshake never completes; fails at --give-up, saying so
st=0; within "$W" "$IQ" --zmq "$Z" --zmq-key "$K/sender.key" --zmq-server-key "$K/sender.pub" \
  send --give-up 2s "$d/unknown.ndjson" >/dev/null 2>"$d/err" || st=$?
[ "$st" -eq 4 ] && grep -q 'handshakes with the ingest failed.*--zmq-server-key' "$d/err" \
  || fail "wrong server key: $st $(cat "$d/err")"
# a secret key others may read is refused before connecting
cp "$K/stranger.key" "$K/open.key"; chmod 644 "$K/open.key"
st=0; "$IQ" --zmq "$Z" --zmq-key "$K/open.key" --zmq-server-key "$K/ingest.pub" \
  send "$d/unknown.ndjson" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q 'permissions 0644 are too open' "$d/err" || fail "open key: $(cat "$d/err")"
# swapped files are named as such
st=0; "$IQ" --zmq "$Z" --zmq-key "$K/sender.pub" --zmq-server-key "$K/ingest.pub" \
  send "$d/unknown.ndjson" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q 'holds a public-key, not a secret-key' "$d/err" || fail "swapped: $(cat "$d/err")"
stored "$d/data" unknown-1 && fail "an unauthenticated event was stored"

# audit notes: refused per event from a sender key, accepted from an admin key
{ ev note-1 inquest note set ',"labels":{"incident":"inc-x","field":"title","value":"forged"}'
  ev ok-2; } >"$d/note.ndjson"
st=0; "$IQ" --zmq "$Z" $IQ_CURVE_SENDER send "$d/note.ndjson" >"$d/out" 2>"$d/err" || st=$?
[ "$st" -eq 1 ] || fail "note from a sender key: exit $st"
grep -q '^line 1: rejected: audit note refused: key "sender" has the sender role' "$d/err" \
  || fail "note refusal reason: $(cat "$d/err")"
[ "$(cat "$d/out")" = "sent 2, stored 1, duplicates 0, rejected 1" ] || fail "summary: $(cat "$d/out")"
a=$(IQ_RAWSEND_KEY="$K/sender.key" IQ_RAWSEND_SERVER_KEY="$K/ingest.pub" "$raw" "$Z" note)
case "$a" in "ack 0 0 0:audit note refused: key \"sender\""*) ;; *) fail "raw note, sender key: $a" ;; esac
stored "$d/data" note-1 && fail "a refused note was stored"
stored "$d/data" raw-hostile && fail "a refused raw note was stored"
# shellcheck disable=SC2086
"$IQ" --zmq "$Z" $IQ_CURVE_ADMIN send "$d/note.ndjson" >/dev/null || fail "note from the admin key"
"$IQ" --data "$d/data" events --json --kind note | grep -q '"id":"note-1".*"received_from":"admin"' \
  || fail "admin note not stored with its key name"
# `inquest tail` sends with the sender key; with the stranger's it stops, saying why
printf '10.0.0.1 - - [21/Oct/2026:13:42:00 +0000] "GET /a HTTP/1.1" 503 10 "-" "probe/1.0"\n' >"$d/access.log"
# shellcheck disable=SC2086
"$IQ" --quiet --zmq "$Z" $IQ_CURVE_SENDER tail --once --no-state --service shop-web "$d/access.log" \
  || fail "tail with the sender key"
"$IQ" --data "$d/data" events --json | grep -q '"source":"tail".*"received_from":"sender"' \
  || fail "tail event lacks received_from"
st=0; within "$W" "$IQ" --quiet --zmq "$Z" --zmq-key "$K/stranger.key" --zmq-server-key "$K/ingest.pub" \
  tail --once --no-state "$d/access.log" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q 'refused this CurveZMQ key' "$d/err" || fail "tail, stranger: $(cat "$d/err")"

# a collector forwards with its own key; with an unknown key its events
# stay in its spool and it logs why
edge() { # KEY: start a collector forwarding to $Z with KEY
  rm -f "$d/edge.ports"
  "$IQD" --collector --forward "$Z" --data "$d/edge" --listen-http "127.0.0.1:0" \
    --ports-file "$d/edge.ports" --zmq-key "$1" --zmq-server-key "$K/ingest.pub" >"$d/edge.log" 2>&1 &
  EDGE=$!
  iq_wait_until 30 iq_daemon_ready "$d/edge.ports" "$EDGE" "$d/edge.log"
  hport=$(iq_ports_value "$d/edge.ports" http_port); IQ_HTTP_PORT=$hport
}
edge_stop() { kill -TERM "$EDGE"; wait "$EDGE" || fail "collector exit status"; EDGE=""; }
spooled() { curl -sf "http://127.0.0.1:$hport/metrics" | awk '$1 == "inquest_spool_events" { print $2 }'; }
spool_empty() { [ "$(spooled)" = 0 ]; }
refusal_logged() { grep -q 'refused this CurveZMQ key' "$d/edge.log"; }
edge "$K/sender.key"
c=$(wh_post /hooks/alertmanager "$WH_DATA/alertmanager/firing.group-2-alerts.json")
[ "$c" = 200 ] && grep -q '"stored":2' "$WH_RESP" || fail "collector: $c $(cat "$WH_RESP")"
iq_wait_until 30 spool_empty
[ "$("$IQ" --data "$d/data" events --json --kind alert | grep -c '"source":"alertmanager".*"received_from":"sender"')" -eq 2 ] \
  || fail "forwarded events lack received_from"
edge_stop
edge "$K/stranger.key"
c=$(wh_post /hooks/opsgenie "$WH_DATA/opsgenie/create.json")
[ "$c" = 200 ] || fail "collector with an unknown key, spooling: $c $(cat "$WH_RESP")"
iq_wait_until 30 refusal_logged
[ "$(spooled)" = 1 ] || fail "the refused event left the spool: $(spooled)"
edge_stop
"$IQ" --data "$d/data" events --json | grep -q '"source":"opsgenie"' && fail "stored via an unknown key"
iq_stop_daemon
grep -q '2 audit notes refused), CurveZMQ handshakes [0-9]* allowed, [1-9][0-9]* refused' \
  "$d/data.log" || fail "stop line: $(tail -3 "$d/data.log")"

# a key given twice, a bad key name, one setting without the other: no start
mkdir -p "$K/dup/admin"; cp "$K/sender.pub" "$K/dup/"; cp "$K/sender.pub" "$K/dup/admin/other.pub"
st=0; "$IQD" --data "$d/x" --listen-http off --zmq-curve-key "$K/ingest.key" \
  --zmq-authorized-keys "$K/dup" 2>"$d/err" || st=$?
[ "$st" -ne 0 ] && grep -q 'are the same key' "$d/err" || fail "duplicate key: $(cat "$d/err")"
st=0; "$IQD" --data "$d/x" --listen-http off --zmq-curve-key "$K/ingest.key" 2>"$d/err" || st=$?
[ "$st" -ne 0 ] && grep -q "'zmq_curve_key' needs 'zmq_authorized_keys'" "$d/err" || fail "half config"

# --- a plain (loopback) ingest: notes refused, hostile frames survived ----
iq_start_daemon "$d/plain" 0 --max-frame 64k
port=$IQ_ZMQ_PORT; Z="tcp://127.0.0.1:$port"
st=0; "$IQ" --zmq "$Z" send "$d/note.ndjson" >/dev/null 2>"$d/err" || st=$?
[ "$st" -eq 1 ] && grep -q '^line 1: rejected: audit note refused: unauthenticated sender' "$d/err" \
  || fail "plain note: $st $(cat "$d/err")"
a=$("$raw" "$Z" note)
case "$a" in "ack 0 0 0:audit note refused: unauthenticated sender"*) ;; *) fail "raw note: $a" ;; esac
"$IQ" --data "$d/plain" events --json --kind note | grep -q . && fail "a plain note was stored"
stored "$d/plain" ok-2 || fail "the event beside the note was not stored"
"$IQ" --data "$d/plain" events --json | grep -q received_from && fail "plain events have received_from"

check() { # CASE [ARG] EXPECTED-PREFIX
  _a=$("$raw" "$Z" "$@" | head -c 300 || true)
  shift $(($# - 1))
  case "$_a" in "$1"*) ;; *) fail "hostile frame: got \"$_a\", want \"$1\"" ;; esac
}
F='error frame: not one complete msgpack value'
check hugearray "$F (17 bytes): offset 12: array of 3722304989 elements, only 0 bytes follow"
check hugemap "$F (21 bytes): offset 13: map of 4294967295 entries, only 3 bytes follow"
check hugestr "$F (21 bytes): offset 14: string of 4294967280 bytes, only 2 bytes follow"
check neglen "$F (23 bytes): offset 17: string of 2147483648 bytes, only 1 bytes follow"
check deep "$F (54 bytes): offset 19: nested deeper than 8 levels"
check empty "$F (0 bytes): offset 0: truncated (no value)"
check truncated 1 "$F (1 bytes): offset 0: array of 5 elements, only 0 bytes follow"
check truncated 7 "$F (7 bytes): offset 5: string of 5 bytes, only 1 bytes follow"
check truncated 20 "$F (20 bytes): offset 13: map of 5 entries, only 6 bytes follow"
for n in 31 60; do check truncated "$n" "$F ($n bytes): offset $n: truncated (a container"; done
check multiframe 'error expected exactly one frame per message'
check emptykey "ack 0 0 0:unknown field ''"
check rawjunk "ack 0 0 0:field 'raw': not JSON text"
stored "$d/plain" raw-hostile && fail "a hostile event was stored"
# the daemon lives on and still stores
check mixed 'ack 1 0 1:'
stored "$d/plain" raw-ok || fail "nothing stored after the hostile frames"
iq_stop_daemon
echo ok
