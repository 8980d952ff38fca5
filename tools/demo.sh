#!/bin/sh
# make demo: start a real inquestd on a temporary data directory, send the
# bundled sample incident (examples/incident-checkout.ndjson, with the
# correlator settings of examples/inquestd.json), print what
# was stored and the incident the correlator derived, stop the daemon,
# print the drafted postmortem, write the HTML draft with its visual
# timeline, and the timeline alone as SVG, under BUILD/demo/ (printing
# both paths: open the HTML in a browser), then finish the draft by a
# scripted edit (action items, one done), sync it back (inquest
# postmortems sync) and print the follow-ups (inquest followups).
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IQ="$ROOT/$BUILD/inquest"; IQD="$ROOT/$BUILD/inquestd"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/inquest-demo.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM
export INQUEST_SCHEMAS="$ROOT/schemas"

free_port() {
  while :; do
    p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
    [ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ] && { echo "$p"; return; }
  done
}
wait_port() {
  n=200
  while [ "$n" -gt 0 ] && [ -z "$(ss -Htln "( sport = :$1 )" 2>/dev/null)" ]; do
    sleep 0.05; n=$((n - 1))
  done
  [ "$n" -gt 0 ]
}

ZPORT=$(free_port)
FLAGS="--config $ROOT/examples/inquestd.json --data $TMP/data --listen-zmq tcp://127.0.0.1:$ZPORT --log-level error"
if "$IQD" --help | grep -q listen_http; then
  HPORT=$(free_port); FLAGS="$FLAGS --listen-http 127.0.0.1:$HPORT"
fi
echo "== inquestd on $TMP/data (ingest tcp://127.0.0.1:$ZPORT)"
# shellcheck disable=SC2086
"$IQD" $FLAGS &
PID=$!
wait_port "$ZPORT" || { echo "demo: inquestd did not start" >&2; exit 1; }

echo "== inquest send examples/incident-checkout.ndjson"
"$IQ" --zmq "tcp://127.0.0.1:$ZPORT" send "$ROOT/examples/incident-checkout.ndjson"
echo "== the same again (deduplicated by id)"
"$IQ" --zmq "tcp://127.0.0.1:$ZPORT" send "$ROOT/examples/incident-checkout.ndjson"
echo
echo "== inquest events (stored, UTC)"
"$IQ" --data "$TMP/data" events

# the correlator reflects new events within a second
sleep 2
kill -TERM "$PID"; wait "$PID"; PID=""
echo "== inquestd stopped cleanly"
echo
echo "== inquest incidents"
"$IQ" --data "$TMP/data" incidents
ID=$("$IQ" --data "$TMP/data" incidents --json | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$ID" ] || { echo "demo: no incident was derived" >&2; exit 1; }
echo
echo "== inquest draft $ID  (Markdown; --format html|json, --template pagerduty|ja)"
echo
"$IQ" --data "$TMP/data" draft "$ID"
OUT="$ROOT/$BUILD/demo"
mkdir -p "$OUT"
"$IQ" --quiet --data "$TMP/data" draft "$ID" --format html -o "$OUT/$ID.html"
"$IQ" --quiet --data "$TMP/data" draft "$ID" --format svg -o "$OUT/$ID.svg"
echo
echo "== the HTML draft, with its visual timeline: $OUT/$ID.html"
echo "== the visual timeline alone (SVG):          $OUT/$ID.svg"

# Close the loop (docs/followups.md): the team finishes the draft (here a
# scripted edit: owner, status, root cause, and the action items as a task
# list with one done), keeps it with the others, and inquest reads it back.
echo
echo "== the team finishes the draft: owner, root cause, action items (one done)"
mkdir -p "$TMP/postmortems"
PM="$TMP/postmortems/$ID.md"
"$IQ" --quiet --data "$TMP/data" draft "$ID" -o "$TMP/draft.md"
awk '
  /^status: draft$/ && !fm { print "status: in-review"; print "owner: \"@dana\""; next }
  /^---$/ { fm = fm + (NR > 1) }
  /^## Root cause$/ { print; print ""; print "Deploy 8f3c2 shrank the connection pool to payments; nothing checked the pool size against the service'"'"'s concurrency."; skip = 1; next }
  /^## Action items$/ { print; print "";
    print "- [x] Add a CI check that rejects pool sizes below the declared concurrency (owner: @sam, due 2026-11-04, CHK-101)";
    print "- [ ] Roll back automatically when the checkout error rate exceeds 5% after a deploy (owner: @dana, due 2026-11-30, CHK-102)";
    print "- [ ] Add the pool settings to the release checklist (owner: @lee, due 2027-03-31)";
    skip = 1; next }
  /^## / { skip = 0 }
  !skip { print }
' "$TMP/draft.md" >"$PM"
sed -n '1,8p' "$PM"
echo "..."
sed -n '/^## Action items/,/^## /p' "$PM" | sed '$d'
echo "== inquest postmortems sync $TMP/postmortems"
"$IQ" --data "$TMP/data" postmortems sync "$TMP/postmortems"
echo
echo "== inquest followups"
"$IQ" --data "$TMP/data" followups
