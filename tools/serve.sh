#!/bin/sh
# make serve: run a real inquestd on a temporary data directory with the
# bundled sample incident (examples/incident-checkout.ndjson and the
# correlator settings of examples/inquestd.json, as make demo feeds it),
# print the web UI's URL, and keep serving until Ctrl-C; then stop the
# daemon and remove the directory.
#   sh tools/serve.sh [BUILD_DIR]      SERVE_PORT=7700 (0: any free port)
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IQ="$ROOT/$BUILD/inquest"; IQD="$ROOT/$BUILD/inquestd"
PORT=${SERVE_PORT:-7700}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/inquest-serve.XXXXXX")
PID=""
export INQUEST_SCHEMAS="$ROOT/schemas"

cleanup() {
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo; echo "== stopped"; exit 0' INT TERM

# until CMD succeeds, every 50 ms, for at most 30 s
wait_for() {
  n=600
  until "$@"; do
    kill -0 "$PID" 2>/dev/null || { cat "$TMP/inquestd.log" >&2
      echo "serve: inquestd exited (is 127.0.0.1:$PORT taken? SERVE_PORT=0 picks a free port)" >&2; exit 1; }
    n=$((n - 1)); [ "$n" -gt 0 ] || { echo "serve: timed out waiting for: $*" >&2; exit 1; }
    sleep 0.05
  done
}
ready() { [ -s "$TMP/ports" ]; }
derived() { "$IQ" --quiet --data "$TMP/data" incidents --json 2>/dev/null | grep -q '"id"'; }

"$IQD" --config "$ROOT/examples/inquestd.json" --data "$TMP/data" --log-level warn \
  --listen-zmq tcp://127.0.0.1:0 --listen-http "127.0.0.1:$PORT" --ports-file "$TMP/ports" \
  >"$TMP/inquestd.log" 2>&1 &
PID=$!
wait_for ready
ZMQ=$(sed -n 's/^zmq=//p' "$TMP/ports"); URL=$(sed -n 's/^http=//p' "$TMP/ports")
"$IQ" --quiet --zmq "$ZMQ" send "$ROOT/examples/incident-checkout.ndjson"
wait_for derived
ID=$("$IQ" --quiet --data "$TMP/data" incidents --json | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -n 1)
echo "== inquestd serves the sample incident (data $TMP/data)"
echo "   web UI:   $URL/ui/"
echo "   incident: $URL/ui/incidents/$ID"
echo "   charts:   $URL/ui/query"
echo "== Ctrl-C to stop"
wait "$PID" || true
PID=""
