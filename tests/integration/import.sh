#!/bin/sh
# History import through a real inquestd: a Statuspage incidents.json
# (githubstatus.com) and a Slack workspace export, each imported twice (the
# second import stores nothing), the stored events checked incident by
# incident against tests/data/import/statuspage.expected, no progress bar
# when stderr is not a terminal, and a bad document refused with its place
# named and nothing stored.
. "$IQ_ROOT/tests/lib.sh"
D="$IQ_ROOT/tests/data/import"
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0
port=$IQ_ZMQ_PORT
Z="tcp://127.0.0.1:$port"

# one line per event: incident_key at id action service (from compact JSON)
summarise() {
  while IFS= read -r l; do
    id=$(printf '%s' "$l" | sed 's/^{"id":"\([^"]*\)".*/\1/')
    k=$(printf '%s' "$l" | sed -n 's/.*"incident_key":"\([^"]*\)".*/\1/p')
    a=$(printf '%s' "$l" | sed -n 's/.*"action":"\([^"]*\)".*/\1/p')
    t=$(printf '%s' "$l" | sed -n 's/.*"at":"\([^"]*\)".*/\1/p')
    s=$(printf '%s' "$l" | sed -n 's/.*"service":"\([^"]*\)".*/\1/p')
    echo "${k:--} $t $id $a ${s:--}"
  done
}

out=$("$IQ" --zmq "$Z" import statuspage "$D/api-v2-incidents.githubstatus.json" 2>"$d/err1")
[ "$out" = "imported 18 events from $D/api-v2-incidents.githubstatus.json: stored 18, duplicates 0, rejected 0" ] \
  || fail "first statuspage import: $out"
if grep -q "$(printf '\r')" "$d/err1"; then fail "progress bar drawn on a non-terminal"; fi
out=$("$IQ" --zmq "$Z" import statuspage "$D/api-v2-incidents.githubstatus.json")
[ "$out" = "imported 18 events from $D/api-v2-incidents.githubstatus.json: stored 0, duplicates 18, rejected 0" ] \
  || fail "second statuspage import: $out"

"$IQ" --data "$d/data" events --json >"$d/all.json"
grep '"source":"statuspage"' "$d/all.json" | summarise | sort >"$d/sp.got"
diff "$D/statuspage.expected" "$d/sp.got" >&2 || fail "statuspage events differ from the expected list"
# incident by incident: updates and component changes
for inc in 69sb0f8lydp4:6:6 r3x7x31k7nn1:6:0; do
  id=${inc%%:*}; rest=${inc#*:}; nu=${rest%%:*}; nc=${rest#*:}
  u=$(grep -c "^statuspage:$id .* incident:$id:" "$d/sp.got" || true)
  c=$(grep -c "^statuspage:$id .* component:$id:" "$d/sp.got" || true)
  [ "$u" -eq "$nu" ] && [ "$c" -eq "$nc" ] || fail "incident $id: $u updates, $c component changes"
done
grep '"id":"incident:69sb0f8lydp4:gv96mtfg46fj"' "$d/all.json" | grep -q '"severity":"major".*"text":"This incident has been resolved."' \
  || fail "update event fields"
grep '"id":"component:69sb0f8lydp4:r8yz2fpy4ss8:br0l2tvcx85d"' "$d/all.json" \
  | grep -q '"severity":"critical".*"component":"Actions".*"old_status":"partial_outage"' || fail "component event fields"

# Slack export
out=$("$IQ" --zmq "$Z" import slack-export "$D/slack-export")
[ "$out" = "imported 19 events from $D/slack-export: stored 19, duplicates 0, rejected 0" ] || fail "slack import: $out"
out=$("$IQ" --zmq "$Z" import slack-export "$D/slack-export")
[ "$out" = "imported 19 events from $D/slack-export: stored 0, duplicates 19, rejected 0" ] || fail "slack reimport: $out"
"$IQ" --data "$d/data" events --json --kind note >"$d/users.json"
grep '^{"id":"slack:user:U8W3QFGQ5"' "$d/users.json" | grep -q '"action":"user".*"user_name":"Rishi"' \
  || fail "slack user directory entry"
"$IQ" --data "$d/data" events --json --kind chat >"$d/chat.json"
[ "$(wc -l <"$d/chat.json")" -eq 15 ] || fail "chat events: $(wc -l <"$d/chat.json")"
[ "$(grep -c '"channel":"C8VAHF5FX"' "$d/chat.json")" -eq 11 ] || fail "#random messages"
grep '^{"id":"slack:C8VAHF5FX:1516457212.000035"' "$d/chat.json" | grep -q '"at":"2018-01-20T14:06:52.000Z".*"actor":"U6006P1CN".*"user_name":"k._"' \
  || fail "slack message fields"
grep '^{"id":"slack:C9INC0001:1516540005.123456"' "$d/chat.json" | grep -q '"at":"2018-01-21T13:06:45.123Z".*"bot":"true"' \
  || fail "bot message"
grep -q '"text":"ディスク容量が不足しています。ログを退避しました"' "$d/chat.json" || fail "UTF-8 text"
if grep -q 'not a message entry' "$d/chat.json"; then fail "non-message entry imported"; fi

# bad input: named, nothing sent
before=$("$IQ" --data "$d/data" events --json | wc -l)
sed 's/"id": "mfrjlr89z2dk"/"idx": "mfrjlr89z2dk"/' "$D/api-v2-incidents.githubstatus.json" >"$d/bad.json"
st=0; "$IQ" --zmq "$Z" import statuspage "$d/bad.json" 2>"$d/bad.err" >/dev/null || st=$?
[ "$st" -eq 2 ] || fail "bad document: exit $st"
grep -q "bad.json: incidents\[0\].incident_updates\[1\]: not an object with an 'id'" "$d/bad.err" \
  || { cat "$d/bad.err" >&2; fail "bad document error message"; }
st=0; "$IQ" --zmq "$Z" import slack-export "$d" 2>"$d/bad2.err" >/dev/null || st=$?
[ "$st" -eq 2 ] && grep -q "no channels.json" "$d/bad2.err" || fail "not an export: exit $st"
st=0; "$IQ" --zmq "$Z" import pagerduty "$d/bad.json" 2>/dev/null || st=$?
[ "$st" -eq 2 ] || fail "unknown format accepted"
after=$("$IQ" --data "$d/data" events --json | wc -l)
[ "$before" -eq "$after" ] || fail "a refused import stored events ($before -> $after)"
iq_stop_daemon
