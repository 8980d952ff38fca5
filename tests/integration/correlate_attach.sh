#!/bin/sh
# `inquest incident attach INCIDENT EVENT_ID` against a running inquestd:
# two incidents open at once (tests/data/concurrent/c05) and a message in
# the shared incident channel that could belong to either, so it is listed
# as unattached.  An admin (CurveZMQ admin key) attaches it to one
# incident: it becomes a member and leaves the list.  Over HTTP with the
# admin token, a chat message of one incident moves to the other.  Unknown
# ids, an incident's opening event and an audit note are refused with the
# reason before anything is stored.  A full rebuild with the daemon
# stopped gives the same incidents and the same (empty) list.
. "$IQ_ROOT/tests/lib.sh"
C="$IQ_ROOT/tests/data/concurrent"
CONF="$C/config.json"
ADM=admin-token-0123456789abcdef
SHARED=slack:C0INCIDENTS:1776161160.000400
PAYCHAT=slack:C0INCPAY:1776161040.000200
PAYOPEN=alertmanager:fp-c05-pay:firing:2026-04-14T11:40:00.000Z
d=$(iq_tmpdir)
iq_curve_keys "$d"
# shellcheck disable=SC2086
INQUEST_ADMIN_TOKEN=$ADM iq_start_daemon "$d/data" 0 --config "$CONF" $IQ_CURVE_DAEMON
Z=$IQ_ZMQ
# shellcheck disable=SC2086
"$IQ" --quiet --zmq "$Z" $IQ_CURVE_SENDER send "$C/c05-chat-two-channels.ndjson" >/dev/null || fail "send"

ids() { "$IQ" --data "$d/data" incidents --json | tr ',' '\n' | sed -n 's/.*"id": "\(inc-[0-9a-f-]*\)".*/\1/p'; }
show() { "$IQ" --data "$d/data" incident show "$1" --json; }
# member ID EVENT: EVENT is in ID's event_ids
member() { show "$1" | tr -d ' \n' | sed -n 's/.*"event_ids":\[\([^]]*\)\].*/\1/p' | grep -qF "\"$2\""; }
unattached() { "$IQ" --data "$d/data" incidents --unattached --json | grep -qF "\"$1\""; }
not() { ! "$@"; }
two() { [ "$(ids | wc -l)" -eq 2 ]; }
iq_wait_until 20 two
iq_wait_until 20 unattached "$SHARED"
for id in $(ids); do
  if show "$id" | grep -q '"pay"'; then PAY=$id; else SHIP=$id; fi
done
[ -n "${PAY:-}" ] && [ -n "${SHIP:-}" ] || fail "no pay and ship incidents: $(ids)"
member "$PAY" "$SHARED" && fail "the shared-channel message joined $PAY before any note"
member "$SHIP" "$SHARED" && fail "the shared-channel message joined $SHIP before any note"

# refused before anything is sent, exit status as for `incident merge`
n0=$("$IQ" --data "$d/data" events --json | wc -l)
st=0
# shellcheck disable=SC2086
"$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident attach "$SHIP" slack:nope 2>"$d/err" || st=$?
[ $st -eq 3 ] || fail "attach of an unknown event exited $st"
grep -q 'no event "slack:nope"' "$d/err" || { cat "$d/err" >&2; fail "unknown event message"; }
st=0
# shellcheck disable=SC2086
"$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident attach inc-20990101-00000000 "$SHARED" 2>"$d/err" || st=$?
[ $st -eq 3 ] || fail "attach to an unknown incident exited $st"
grep -q 'no incident' "$d/err" || { cat "$d/err" >&2; fail "unknown incident message"; }
st=0
# shellcheck disable=SC2086
"$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident attach "$SHIP" "$PAYOPEN" 2>"$d/err" || st=$?
[ $st -eq 2 ] || fail "attach of another incident's opening event exited $st"
grep -q "opened incident $PAY" "$d/err" || { cat "$d/err" >&2; fail "opener message"; }
"$IQ" --data "$d/data" --zmq "$Z" incident attach "$SHIP" 2>/dev/null && fail "attach without an event id"
[ "$("$IQ" --data "$d/data" events --json | wc -l)" -eq "$n0" ] || fail "a refused attach stored something"

# the ambiguous message, attached with the admin CurveZMQ key
# shellcheck disable=SC2086
"$IQ" --quiet --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident attach "$SHIP" "$SHARED" || fail "attach"
iq_wait_until 20 member "$SHIP" "$SHARED"
iq_wait_until 20 not unattached "$SHARED"
member "$PAY" "$SHARED" && fail "the attached message is also in $PAY"
show "$SHIP" | tr -d ' \n' | grep -q '"overrides":\["inquest-note-[0-9]*-[0-9a-f]*-attach"\]' \
  || fail "overrides of $SHIP: $(show "$SHIP" | tr -d ' \n' | sed -n 's/.*\("overrides":[^]]*]\).*/\1/p')"
show "$SHIP" | tr -d ' \n' | grep -q '"chat":2' || fail "$SHIP does not count the attached chat"
# shellcheck disable=SC2086
"$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident attach "$SHIP" "$SHARED" 2>"$d/err" \
  && fail "attach of a member again"
grep -q 'already a member' "$d/err" || { cat "$d/err" >&2; fail "already-a-member message"; }

# over HTTP with the admin token: a message of the pay incident moves
U="http://127.0.0.1:$IQ_HTTP_PORT/api/v1/incidents"
post() { curl -s -o "$d/resp" -w '%{http_code}' -H "Authorization: Bearer $ADM" \
  -H 'Content-Type: application/json' --data-binary "$2" "$U/$1/notes"; }
code=$(post "$SHIP" '{"action":"attach","event":"slack:nope"}')
[ "$code" = 404 ] || fail "HTTP attach of an unknown event: $code $(cat "$d/resp")"
grep -q 'no event' "$d/resp" || fail "404 does not say why: $(cat "$d/resp")"
code=$(post "$SHIP" '{"action":"attach"}')
[ "$code" = 400 ] || fail "HTTP attach without event: $code"
code=$(post "$SHIP" '{"action":"attach","event":"'"$PAYCHAT"'"}')
[ "$code" = 201 ] || fail "HTTP attach: $code $(cat "$d/resp")"
iq_wait_until 20 member "$SHIP" "$PAYCHAT"
iq_wait_until 20 not member "$PAY" "$PAYCHAT"
show "$PAY" | tr -d ' \n' | grep -q '"overrides":\["inquest-note-[0-9]*-[0-9a-f]*-attach"\]' \
  || fail "the incident the message left does not list the note"
show "$PAY" | tr -d ' \n' | grep -q '"chat":1' || fail "$PAY still counts the moved chat"
# a later alert makes a partial update, which must keep both attachments
printf '%s\n' '{"id":"c05-late","source":"alertmanager","kind":"alert","action":"firing","at":"2026-04-14T12:20:00.000Z","service":"auth","severity":"critical","title":"AuthErrors","labels":{"fingerprint":"fp-c05-auth"}}' >"$d/late.ndjson"
# shellcheck disable=SC2086
"$IQ" --quiet --zmq "$Z" $IQ_CURVE_SENDER send "$d/late.ndjson" >/dev/null || fail "send late"
three() { [ "$(ids | wc -l)" -eq 3 ]; }
iq_wait_until 20 three
member "$SHIP" "$SHARED" && member "$SHIP" "$PAYCHAT" || fail "a partial update lost an attachment"
"$IQ" --data "$d/data" incidents --json >"$d/live.json"
"$IQ" --data "$d/data" incidents --unattached --json >"$d/live-u.json"

# a rebuild from the stored events reproduces both attachments
iq_stop_daemon
"$IQ" --quiet --config "$CONF" --data "$d/data" correlate --rebuild || fail "rebuild"
"$IQ" --data "$d/data" incidents --json >"$d/rebuilt.json"
"$IQ" --data "$d/data" incidents --unattached --json >"$d/rebuilt-u.json"
cmp -s "$d/live.json" "$d/rebuilt.json" || { diff "$d/live.json" "$d/rebuilt.json" >&2; fail "rebuild lost the attachments"; }
cmp -s "$d/live-u.json" "$d/rebuilt-u.json" || fail "rebuild changed the unattached list"
member "$SHIP" "$SHARED" && member "$SHIP" "$PAYCHAT" || fail "rebuilt $SHIP lacks the attached events"
echo ok
