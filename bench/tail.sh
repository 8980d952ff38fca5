#!/bin/sh
# tail.sh - the log collector's throughput: an nginx access log of SIZE
# (default 1G) read, parsed and forwarded by `inquest tail --once` to a
# real inquestd; prints lines/s.  1% of lines are 5xx and become events
# (plus the error-rate signal); every line is parsed.
#   make bench BUILD=build        (builds build/bench/tail_gen)
#   sh bench/tail.sh [BUILD_DIR] [SIZE]     e.g. sh bench/tail.sh build 100M
# Needs SIZE of free space under ${TMPDIR:-/tmp}; everything is removed.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B="$ROOT/${1:-build}"
SIZE=${2:-1G}
T=$(mktemp -d "${TMPDIR:-/tmp}/iq-bench-tail.XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT INT TERM
port=$(( 30000 + $$ % 20000 ))
echo "generating $SIZE nginx access log..."
"$B/bench/tail_gen" "$T/access.log" "$SIZE"
"$B/inquestd" --data "$T/data" --listen-zmq "tcp://127.0.0.1:$port" --log-level warn &
pid=$!
sleep 1
echo "inquest tail --once (parse every line, forward 5xx lines):"
INQUEST_SCHEMAS="$ROOT/schemas" "$B/inquest" --zmq "tcp://127.0.0.1:$port" tail --once --no-state \
  --service bench-web --rule nginx_access "$T/access.log"
