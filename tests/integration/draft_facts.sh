#!/bin/sh
# draft_facts.sh - a draft states the facts of real-format deliveries
# consistently (issue #12 item 7 and the draft side of item 6).
#
# tests/data/draft-facts/deliveries.ndjson holds GitHub deployment and
# deployment_status, Alertmanager, Statuspage (component and incident
# updates) and Slack Events API deliveries built from the vendor payloads
# of tests/data/webhooks/ (times, ids and names changed): a deploy, an
# outage on the status page, chat in the incident channel (one author
# named by the message's user_profile, one only by id, one mentioned by
# id), a rollback and the return to normal.  A real inquestd stores them
# (inquest replay), a slack-export import adds the user directory,
# `inquest correlate --rebuild` derives the incident and `inquest draft`
# renders it with each template.  Checked in every template:
#   - the Impact table's deploy count is the number of deploys the
#     Trigger section names plus those during the incident;
#   - the status-page components row names the component, with the time
#     it spent in its state; customer impact and TTM rows are present;
#   - no raw Slack id anywhere; the display names from the event, the
#     import and the configured map are there;
#   - no api.github.com link; the deploy links to its commit page and the
#     rollback to its log_url;
#   - the pseudonymised draft names nobody.
. "$IQ_ROOT/tests/lib.sh"
D="$IQ_ROOT/tests/data/draft-facts"
data="$IQ_TMP/data"
iq_start_daemon "$data" 0 --listen-http off
port=$IQ_ZMQ_PORT
"$IQ" --quiet --zmq "tcp://127.0.0.1:$port" replay --sources "$IQ_ROOT/schemas/sources" \
  "$D/deliveries.ndjson" >"$IQ_TMP/replay" 2>&1 || { cat "$IQ_TMP/replay" >&2; fail "replay"; }
"$IQ" --quiet --zmq "tcp://127.0.0.1:$port" import slack-export "$D/slack-export" >"$IQ_TMP/import" 2>&1 \
  || { cat "$IQ_TMP/import" >&2; fail "slack-export import"; }
iq_stop_daemon
"$IQ" --data "$data" --config "$D/config.json" correlate --rebuild >/dev/null || fail "correlate --rebuild"
"$IQ" --data "$data" incidents --json >"$IQ_TMP/incidents.json" || fail "incidents"
id=$(grep -o '"id": *"inc-[0-9]*-[0-9a-f]*"' "$IQ_TMP/incidents.json" | sed 's/.*"\(inc-[^"]*\)"/\1/' | sort -u)
[ "$(echo "$id" | wc -w)" -eq 1 ] || fail "expected one incident, got: $id"

for t in default pagerduty ja; do
  out="$IQ_TMP/$t.md"
  "$IQ" --data "$data" --config "$D/config.json" draft "$id" --template "$t" >"$out" 2>"$out.err" \
    || { cat "$out.err" >&2; fail "draft --template $t"; }
  # no raw Slack id, display names from the event, the import and the config
  if grep -En '\bU0[A-Z0-9]{6,}' "$out" >&2; then fail "$t: a raw Slack user id is shown"; fi
  for name in "Ana Responder" "Sam Export" "@Kai Config"; do
    grep -q "$name" "$out" || fail "$t: '$name' missing"
  done
  # links: pages, never the API
  if grep -n 'api\.github\.com' "$out" >&2; then fail "$t: a link to api.github.com"; fi
  grep -q '(https://github.com/Codertocat/Hello-World/commit/f95f852bd8fca8fcc58a9a2d6c842781e32a215e)' "$out" \
    || fail "$t: the deploy does not link to its commit page"
  grep -q '(https://github.com/Codertocat/Hello-World/actions/runs/4242)' "$out" \
    || fail "$t: the rollback does not link to its log_url"
done

md="$IQ_TMP/default.md"
# the message the webhook delivered and the import carried again is one row
[ "$(grep -c '^| 10:05 | .*Sam Export: Looking at it' "$md")" -eq 1 ] || fail "imported message not deduplicated"
# the deploys the Trigger section names are the ones the Impact table counts
named=$(sed -n '/^## Trigger/,/^## Timeline/p' "$md" | grep -c '^- deploy ')
[ "$named" -ge 1 ] || fail "no deploy named under Trigger"
grep -q "^| Deploys | 2 ($named named under Trigger, 1 during the incident) |$" "$md" \
  || { grep '^| Deploys' "$md" >&2; fail "Impact deploy count disagrees with Trigger ($named named)"; }
pd="$IQ_TMP/pagerduty.md"
grep -q "^| Deploys | 2 ($named named under Trigger, 1 during the incident) |$" "$pd" || fail "pagerduty: deploys"
grep -q "^| デプロイ | 2 件 (うちトリガー候補 $named 件) |$" "$IQ_TMP/ja.md" || fail "ja: deploys"
# status page: the component, and its 30 minutes of major outage (10:02 to 10:32)
grep -q '^| Status-page components | Hello World API |$' "$md" || fail "components row"
grep -q '^| Status page, Hello World API | major outage 30 min |$' "$md" || fail "component state durations"
grep -q '^| Status page, Hello World API | major outage 30 min |$' "$pd" || fail "pagerduty: component states"
grep -q '^| ステータスページ、Hello World API | major outage 30 min |$' "$IQ_TMP/ja.md" || fail "ja: component states"
# customer impact (durations.impact) and time to mitigate, both shown
grep -q '^| Customer impact (start to end of impact) | [0-9]' "$md" || fail "customer impact row"
grep -q '^| Time to mitigate (TTM) | 20 min |$' "$md" || fail "TTM row"

# pseudonyms: nobody named, ids still hidden
for t in default ja; do
  out="$IQ_TMP/$t-pseudo.md"
  "$IQ" --data "$data" --config "$D/config.json" draft "$id" --template "$t" --pseudonymize >"$out" \
    || fail "draft --pseudonymize ($t)"
  if grep -En 'Ana|Sam|Kai|Codertocat\b[^/]|\bU0[A-Z0-9]{6,}' "$out" >&2; then fail "$t: a real name or id in the pseudonymised draft"; fi
  grep -q 'responder A' "$out" || fail "$t: no pseudonym"
done

# without the import and the map, unknown users are "a responder", never an id
"$IQ" --data "$data" draft "$id" >"$IQ_TMP/nomap.md" || fail "draft without config"
grep -q '@a responder' "$IQ_TMP/nomap.md" || fail "unresolved mention"
if grep -En '\bU0[A-Z0-9]{6,}' "$IQ_TMP/nomap.md" >&2; then fail "raw id without the configured map"; fi
echo "draft facts: deploy counts, components, names and links consistent in 3 templates"
