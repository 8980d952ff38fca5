#!/bin/sh
# draft_external.sh - the external-audience draft carries no internal link,
# no chat, no name and no machine name; the internal draft says who made
# each manual change (issue #13's finding, docs/render.md).
#
# A real inquestd with tokens (read "grafana", read external-audience
# "status-page", admin "admin-alice") stores the real-format deliveries of
# tests/data/draft-facts/ (GitHub deploys with commit and CI-log pages,
# Alertmanager alerts with a generatorURL and a host label, Statuspage
# updates with their public shortlink, Slack chat) plus canonical events
# an operator would also have: an alert whose title and label name a
# machine (db-7.internal:9100), a chat message with a Slack permalink and
# a Grafana link, a PagerDuty page.  Then:
#   - the internal draft (read token) holds all of those, so each check
#     below can fail;
#   - admin-alice sets the identified milestone through the notes API; the
#     internal draft names her on the manual change's rows;
#   - the external draft, over HTTP with the external token (whatever its
#     query asks) and from `inquest draft --audience external`, holds none
#     of them, and does link to the status page;
#   - with drafts.external_links naming another host, that host's links
#     are kept and the status page's are not; a bad entry is refused.
. "$IQ_ROOT/tests/lib.sh"
command -v curl >/dev/null || fail "curl is required (make deps-test)"
D="$IQ_ROOT/tests/data/draft-facts"
R=read-token-0123456789abcdef
X=external-token-0123456789abcdef
A=admin-token-0123456789abcdef
W=write-token-0123456789abcdef
cat >"$IQ_TMP/conf.json" <<JSON
{"access": {"tokens": [
  {"name": "grafana", "token": "$R", "role": "read"},
  {"name": "status-page", "token": "$X", "role": "read", "audience": "external"},
  {"name": "admin-alice", "token": "$A", "role": "admin"},
  {"name": "collector", "token": "$W", "role": "write"}]},
 "correlate": {"components": {"Hello World API": "hello"}, "linked_channels": ["C06NRA6JLER"],
               "services": {"Codertocat/Hello-World": "hello"}},
 "drafts": {"dir": "off", "slack_users": {"U0SECOND01": "Kai Config"}}}
JSON
data="$IQ_TMP/data"
iq_start_daemon "$data" 0 --config "$IQ_TMP/conf.json"
U="http://127.0.0.1:$IQ_HTTP_PORT"
RESP="$IQ_TMP/resp"
get() { p=$1; shift; curl -s -o "$RESP" -w '%{http_code}' "$@" "$U$p"; }
post() { p=$1; f=$2; shift 2; curl -s -o "$RESP" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$f" "$@" "$U$p"; }
bearer() { echo "Authorization: Bearer $1"; }

"$IQ" --quiet --zmq "$IQ_ZMQ" replay --sources "$IQ_ROOT/schemas/sources" \
  "$D/deliveries.ndjson" >"$IQ_TMP/replay" 2>&1 || { cat "$IQ_TMP/replay" >&2; fail "replay"; }
cat >"$IQ_TMP/extra.json" <<'JSON'
[{"id":"ext-alert-1","source":"prometheus","kind":"alert","action":"firing","at":"2026-04-07T10:04:00Z",
  "service":"hello","severity":"warning","title":"Disk almost full on db-7.internal:9100",
  "url":"http://prometheus.corp.example:9090/graph?g0.expr=node_filesystem_avail",
  "labels":{"alertname":"DiskFull","instance":"db-7.internal:9100","pod":"hello-api-7d9f"}},
 {"id":"ext-chat-1","source":"slack","kind":"chat","action":"message","at":"2026-04-07T10:06:00Z",
  "service":"hello","actor":"U0SECOND01","text":"hello-api-7d9f restarts, see https://grafana.corp.example/d/hello",
  "url":"https://acme.slack.com/archives/C06NRA6JLER/p1775556360000100","labels":{"channel":"C06NRA6JLER"}},
 {"id":"ext-page-1","source":"pagerduty","kind":"page","action":"triggered","at":"2026-04-07T10:03:30Z",
  "service":"hello","title":"Hello World API down","url":"https://acme.pagerduty.com/incidents/PX77"}]
JSON
[ "$(post /hooks/events "$IQ_TMP/extra.json" -H "$(bearer "$W")")" = 200 ] || fail "extra events: $(cat "$RESP")"

i=0
until [ "$(get /api/v1/incidents -H "$(bearer "$R")")" = 200 ] && grep -q '"id":"inc-' "$RESP"; do
  i=$((i + 1)); [ $i -lt 200 ] || fail "no incident listed: $(cat "$RESP")"; sleep 0.1
done
id=$(sed -n 's/.*"id":"\(inc-[0-9a-f-]*\)".*/\1/p' "$RESP" | head -1)

# an admin's manual change, named in the internal draft
printf '{"action":"set","field":"identified","value":"2026-04-07T10:12:00Z"}' >"$IQ_TMP/note.json"
[ "$(post "/api/v1/incidents/$id/notes" "$IQ_TMP/note.json" -H "$(bearer "$A")")" = 201 ] \
  || fail "note: $(cat "$RESP")"
grep -q '"by":"admin-alice"' "$RESP" || fail "the note is not by admin-alice: $(cat "$RESP")"
int="$IQ_TMP/internal.md"
i=0
until [ "$(get "/api/v1/incidents/$id/draft.md" -H "$(bearer "$R")")" = 200 ] && grep -q 'admin-alice' "$RESP"; do
  i=$((i + 1)); [ $i -lt 200 ] || { cat "$RESP" >&2; fail "the internal draft never names admin-alice"; }; sleep 0.1
done
cp "$RESP" "$int"
grep -q '^| 10:12 | \*\*IDENTIFIED\*\* evidence: Manual change: set identified to 2026-04-07T10:12:00Z, by admin-alice (rule manual) |' "$int" \
  || { grep -n 'IDENTIFIED\|Manual' "$int" >&2; fail "the milestone's evidence row does not say who set it"; }
grep -q '| Manual change: set identified to 2026-04-07T10:12:00Z, by admin-alice | inquest |' "$int" \
  || fail "the note's own timeline row does not say who made it"

# what an outsider must not see is in the internal draft (so the checks can fail)
internal_only='acme\.slack\.com\|slack\.com/archives\|grafana\.corp\|prometheus\.corp\|cobalt:9090\|github\.com\|pagerduty\.com\|db-7\.internal\|hello-api-7d9f\|Kai Config\|Ana Responder\|Sam Export\|admin-alice\|Looking at it\|restarts'
for s in 'acme.slack.com/archives' 'cobalt:9090' 'prometheus.corp.example' 'github.com/Codertocat/Hello-World/commit/' \
         'github.com/Codertocat/Hello-World/actions/runs/4242' 'acme.pagerduty.com/incidents/PX77' \
         'db-7.internal' 'hello-api-7d9f' 'Kai Config' 'Looking at it' 'grafana.corp.example' 'stspg.io/hw0001'; do
  grep -qF "$s" "$int" || fail "the internal draft lacks '$s': this test would prove nothing"
done

check_external() { # FILE WHAT
  if grep -n "$internal_only" "$1" >&2; then fail "$2: internal detail above in the external draft"; fi
  grep -q '(http://stspg.io/hw0001)' "$1" || fail "$2: no link to the status page"
  grep -q "Disk almost full on host [A-Z]:9100" "$1" || fail "$2: the alert's machine name is not replaced by a host pseudonym"
  grep -q '^> People are shown as pseudonyms' "$1" || fail "$2: not pseudonymised"
}
for q in "" "?audience=internal" "?audience=internal&pseudonymize=0"; do
  [ "$(get "/api/v1/incidents/$id/draft.md$q" -H "$(bearer "$X")")" = 200 ] || fail "external draft$q: $(cat "$RESP")"
  cp "$RESP" "$IQ_TMP/ext.md"
  check_external "$IQ_TMP/ext.md" "external token, query '$q'"
done
[ "$(get "/api/v1/incidents/$id/draft.json" -H "$(bearer "$X")")" = 200 ] || fail "external json"
if grep -n "$internal_only\|\"incident\": {" "$RESP" >&2; then fail "external JSON context holds internal details"; fi
# the visual timeline: the internal one names what the external one must not
[ "$(get "/api/v1/incidents/$id/timeline.svg" -H "$(bearer "$R")")" = 200 ] || fail "timeline.svg, read token"
grep -qF 'db-7.internal' "$RESP" && grep -qF 'Kai Config' "$RESP" || fail "the internal timeline lacks the machine or the name"
[ "$(get "/api/v1/incidents/$id/timeline.svg?audience=internal" -H "$(bearer "$X")")" = 200 ] \
  || fail "timeline.svg, external token: $(cat "$RESP")"
if grep -n "$internal_only" "$RESP" >&2; then fail "external timeline.svg: internal detail above"; fi
grep -q 'Disk almost full on host [A-Z]:9100' "$RESP" || fail "external timeline.svg: no host pseudonym"
grep -q 'data-lane="chat"' "$RESP" && fail "external timeline.svg has a chat lane"
[ "$(get "/api/v1/incidents/$id/draft.html" -H "$(bearer "$X")")" = 200 ] || fail "external html"
if grep -n "$internal_only" "$RESP" >&2; then fail "external HTML draft (with its timeline): internal detail above"; fi
[ "$(get "/api/v1/incidents/$id/draft.md?audience=external" -H "$(bearer "$R")")" = 200 ] || fail "audience=external"
cp "$RESP" "$IQ_TMP/ext-read.md"
check_external "$IQ_TMP/ext-read.md" "read token asking audience=external"
iq_stop_daemon

# the CLI, with and without an allow-list
"$IQ" --data "$data" draft "$id" --audience external >"$IQ_TMP/cli.md" || fail "inquest draft --audience external"
check_external "$IQ_TMP/cli.md" "inquest draft --audience external"
printf '{"drafts": {"external_links": ["*.pagerduty.com"]}}' >"$IQ_TMP/allow.json"
"$IQ" --data "$data" --config "$IQ_TMP/allow.json" draft "$id" --audience external >"$IQ_TMP/allow.md" \
  || fail "draft with external_links"
grep -q '(https://acme.pagerduty.com/incidents/PX77)' "$IQ_TMP/allow.md" || fail "an allowed host's link was dropped"
grep -q 'stspg.io' "$IQ_TMP/allow.md" && fail "the status page is kept although the allow-list leaves it out"
grep -q 'github.com\|slack.com' "$IQ_TMP/allow.md" && fail "a host outside the allow-list was kept"
printf '{"drafts": {"external_links": ["status-page", "https://x.example/"]}}' >"$IQ_TMP/bad.json"
st=0; "$IQ" --data "$data" --config "$IQ_TMP/bad.json" draft "$id" --audience external >/dev/null 2>"$IQ_TMP/err" || st=$?
[ "$st" -eq 2 ] && grep -q 'external_links\[1\].*not a host name' "$IQ_TMP/err" \
  || { cat "$IQ_TMP/err" >&2; fail "a bad allow-list entry was not refused (exit $st)"; }
echo "external drafts: no internal link, chat, name or host; manual changes name their admin"
