#!/bin/sh
# bench/relay.sh - the cost of the plain-HTTP relay (http/http_relay.c: its
# own accept, a socketpair to libmicrohttpd, the request framing that
# answers absurd chunk sizes at once): wrk (2 threads, 50 keep-alive
# connections, 10 s, the Alertmanager delivery of bench/webhook.lua)
# against bench/http_floor (libmicrohttpd alone, inquestd's settings, no
# product logic) with and without --relay, alternating, ROUNDS times (3).
# Prints each run's requests/s, p99 and CPU time per request (user +
# system of the server process; steadier than requests/s on a shared
# machine), then the ratios relay/direct of the medians.  The relay's cost
# is what inquestd pays at most: its own work per request is far larger.
#   make build/bench/http_floor && sh bench/relay.sh [BUILD_DIR] [ROUNDS]
# Not part of the test suite.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}; ROUNDS=${2:-3}
FLOOR="$ROOT/$BUILD/bench/http_floor"
command -v wrk >/dev/null || { echo "relay bench: wrk is required (Debian package wrk)" >&2; exit 2; }
[ -x "$FLOOR" ] || { echo "relay bench: build $FLOOR first (make bench)" >&2; exit 2; }
export WH_FIXTURE="$ROOT/tests/data/webhooks/alertmanager/firing.group-2-alerts.json"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iq-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
port=$(( 20000 + $$ % 20000 ))
tck=$(getconf CLK_TCK)

# one MODE: start the floor (MODE "direct" or "relay"), run wrk, print
# "MODE requests/s p99 cpu_us_per_request" and append it to $tmp/MODE.
one() {
  flag=""; [ "$1" = relay ] && flag="--relay"
  # shellcheck disable=SC2086
  "$FLOOR" "$port" 8 $flag &
  fpid=$!
  i=0; until curl -s -o /dev/null -X POST "http://127.0.0.1:$port/"; do
    i=$((i + 1)); [ "$i" -lt 100 ] || { kill "$fpid"; exit 1; }; sleep 0.05; done
  c0=$(awk '{ print $14 + $15 }' "/proc/$fpid/stat")
  wrk -t2 -c50 -d10s --latency -s "$ROOT/bench/webhook.lua" "http://127.0.0.1:$port" >"$tmp/wrk"
  c1=$(awk '{ print $14 + $15 }' "/proc/$fpid/stat")
  kill "$fpid"; wait "$fpid" 2>/dev/null || true
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk")
  reqs=$(awk '/requests in/ { print $1 }' "$tmp/wrk")
  p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk")
  cpu=$(awk -v c=$((c1 - c0)) -v t="$tck" -v r="$reqs" 'BEGIN { printf "%.1f", r ? c * 1e6 / t / r : 0 }')
  errs=$(awk '/Non-2xx|Socket errors/' "$tmp/wrk")
  echo "$1 requests/s $rps p99 $p99 cpu/request ${cpu} us${errs:+ ($errs)}"
  echo "$rps $cpu" >>"$tmp/$1"
  port=$((port + 1))
}

r=0
while [ "$r" -lt "$ROUNDS" ]; do
  one direct; one relay; r=$((r + 1))
done
# median COLUMN FILE
median() { cut -d' ' -f"$1" "$2" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
dr=$(median 1 "$tmp/direct"); rr=$(median 1 "$tmp/relay")
dc=$(median 2 "$tmp/direct"); rc=$(median 2 "$tmp/relay")
echo "medians of $ROUNDS: direct $dr requests/s, $dc us CPU/request; relay $rr requests/s, $rc us CPU/request"
awk -v a="$rr" -v b="$dr" -v c="$rc" -v d="$dc" 'BEGIN {
  printf "ratio relay/direct: requests/s %.2f, CPU per request %.2f\n", b ? a / b : 0, d ? c / d : 0 }'
