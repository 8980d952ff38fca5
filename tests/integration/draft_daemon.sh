#!/bin/sh
# draft_daemon.sh - inquestd drafts closed incidents by itself.
#
# A real inquestd (config section "drafts" pointing its webhooks at
# tests/helpers/rnd_hook_sink, which answers 503 to the first request so a
# retry happens) receives the sample incident's events over ZeroMQ; its
# correlator derives and closes the incident (the events are in the past);
# the draft watcher must write DATA/drafts/ID.md, ID.html and ID.svg (the
# visual timeline, which ID.md references by that file name) and post one
# Slack-shaped and one generic notice.  The daemon is then restarted: no
# notice may be sent twice.  The Markdown the HTTP API serves must be the
# file written, but for that reference (timeline.svg, the route beside it).
. "$IQ_ROOT/tests/lib.sh"
"$IQD" --help 2>/dev/null | grep -q '^# drafts:' || fail "inquestd has no \"drafts\" configuration section"
SINK="$IQ_BUILD/tests/helpers/rnd_hook_sink"
[ -x "$SINK" ] || fail "missing $SINK (make tests-build)"
D="$IQ_ROOT/tests/data/render"
mkdir -p "$IQ_TMP/hooks"
"$SINK" "$IQ_TMP/sink.port" "$IQ_TMP/hooks" 1 &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null; iq_cleanup' EXIT INT TERM
iq_wait_until 10 test -s "$IQ_TMP/sink.port"
hp=$(cat "$IQ_TMP/sink.port")
cat >"$IQ_TMP/config.json" <<JSON
{"drafts": {"webhooks": "slack=http://127.0.0.1:$hp/slack, generic=http://127.0.0.1:$hp/generic",
            "poll": "100ms", "retries": 3, "retry_backoff": "50ms"}}
JSON
data="$IQ_TMP/data"
iq_start_daemon "$data" 0 --config "$IQ_TMP/config.json"
port=$IQ_ZMQ_PORT
"$IQ" --quiet --zmq "tcp://127.0.0.1:$port" send "$D/sample-events.ndjson" >/dev/null || fail "send"

notices() { [ "$(ls "$IQ_TMP/hooks" | grep -c '\.json$')" -ge 2 ]; }
iq_wait_until 20 notices
md=$(ls "$data"/drafts/inc-*.md 2>/dev/null | head -1)
[ -n "$md" ] || { cat "$data.log" >&2; fail "no draft written to $data/drafts"; }
id=$(basename "$md" .md)
[ -s "$data/drafts/$id.html" ] || fail "no HTML draft"
[ -s "$data/drafts/$id.svg" ] || fail "no visual timeline beside the draft"
grep -q "^!\[Visual timeline (SVG)\]($id.svg)\$" "$md" || fail "the draft does not reference $id.svg"
grep -q '<svg xmlns="http://www.w3.org/2000/svg" class="iq-timeline"' "$data/drafts/$id.html" \
  || fail "the HTML draft has no inline visual timeline"
grep -q '^# Postmortem: ' "$md" || fail "draft content"
grep -q '^| Item | Type | Owner | Due | Ticket |$' "$md" || fail "draft has no action items table"
[ "$(ls "$IQ_TMP/hooks" | grep -c '\.json$')" -eq 2 ] || fail "want 2 notices, got $(ls "$IQ_TMP/hooks")"
grep -l '/slack' "$IQ_TMP"/hooks/*.path >/dev/null || fail "no Slack notice"
s=$(grep -l '/slack' "$IQ_TMP"/hooks/*.path | sed 's/\.path$/.json/')
g=$(grep -l '/generic' "$IQ_TMP"/hooks/*.path | sed 's/\.path$/.json/')
grep -q "\"text\":\"Postmortem draft ready for <http://127.0.0.1:$IQ_HTTP_PORT/api/v1/incidents/$id/draft.html|$id>" "$s" \
  || { cat "$s" >&2; fail "Slack notice text"; }
grep -q "\"type\":\"inquest.draft.ready\"" "$g" && grep -q "\"id\":\"$id\"" "$g" || { cat "$g" >&2; fail "generic notice"; }

code=$(curl -s -o "$IQ_TMP/served.md" -w '%{http_code}' "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/incidents/$id/draft.md" || true)
[ "$code" = 200 ] || fail "GET /api/v1/incidents/$id/draft.md answered $code"
grep -q '^!\[Visual timeline (SVG)\](timeline.svg)$' "$IQ_TMP/served.md" || fail "served draft: no timeline.svg reference"
# the same document but for the time each was generated (front matter)
sed -n '1,2p' "$md" | tr '\n' '|' | grep -q "^---|incident: $id|$" || fail "written draft has no front matter"
grep -q '^generated_at: 20[0-9-]*T' "$md" || fail "written draft has no generated_at"
grep -v '^generated_at: ' "$md" >"$IQ_TMP/written.md"
grep -v '^generated_at: ' "$IQ_TMP/served.md" | sed "s#(timeline.svg)#($id.svg)#" >"$IQ_TMP/served-nt.md"
cmp -s "$IQ_TMP/served-nt.md" "$IQ_TMP/written.md" || fail "served draft differs from the written one"

iq_stop_daemon
iq_start_daemon "$data" "$port" --config "$IQ_TMP/config.json"
# An observation window, not an ordering: nothing may be sent again during
# 10 polls of the restarted watcher (poll 100ms).
sleep 1
iq_stop_daemon
[ "$(ls "$IQ_TMP/hooks" | grep -c '\.json$')" -eq 2 ] || fail "notice sent again after a restart"
echo "draft daemon: $id drafted and notified"
