#!/bin/sh
# make demo: start a real inquestd on a temporary data directory, send the
# bundled sample incident (examples/incident-checkout.ndjson, with the
# correlator settings of examples/inquestd.json), print what
# was stored and the incident the correlator derived, stop the daemon,
# print the drafted postmortem, and write the HTML draft with its visual
# timeline, and the timeline alone as SVG, under BUILD/demo/ (printing
# both paths: open the HTML in a browser).
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
