#!/bin/sh
# bench/webhook.sh - HTTP webhook throughput of inquestd with durable
# acknowledgements: wrk (2 threads, 50 keep-alive connections, 10 s) POSTs
# the Alertmanager example (2 alerts, fresh fingerprints per request) to a
# daemon on a temporary directory; prints requests/s, events/s (from the
# daemon's /metrics), the p99 latency and the daemon's CPU time per request
# (user + system; steadier than requests/s when the machine is shared).
# Baseline, in the same run: the same wrk load against bench/http_floor
# (libmicrohttpd with inquestd's settings, reading each body and answering
# a fixed JSON: HTTP alone, no product logic); the ratio is printed.
#   make BUILD=build build/inquestd && sh bench/webhook.sh [BUILD_DIR] [INQUESTD_FLAGS...]
# Not part of the test suite.  Target: >= 20,000 requests/s on 2 cores.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}; [ $# -eq 0 ] || shift; EXTRA="$*"   # EXTRA: more inquestd flags
IQD="$ROOT/$BUILD/inquestd"
FLOOR="$ROOT/$BUILD/bench/http_floor"
command -v wrk >/dev/null || { echo "webhook bench: wrk is required (Debian package wrk)" >&2; exit 2; }
[ -x "$IQD" ] && [ -x "$FLOOR" ] || { echo "webhook bench: build $IQD and $FLOOR first (make bench)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iq-bench.XXXXXX")
port=$(( 20000 + $$ % 20000 )); zport=$((port + 1)); fport=$((port + 2))
export WH_FIXTURE="$ROOT/tests/data/webhooks/alertmanager/firing.group-2-alerts.json"
wrk_run() { wrk -t2 -c50 -d10s --latency -s "$ROOT/bench/webhook.lua" "http://127.0.0.1:$1" >"$2"; }

# baseline: HTTP alone
"$FLOOR" "$fport" &
fpid=$!
i=0; until curl -s -o /dev/null -X POST "http://127.0.0.1:$fport/"; do
  i=$((i + 1)); [ "$i" -lt 100 ] || { kill "$fpid"; exit 1; }; sleep 0.05; done
wrk_run "$fport" "$tmp.floor"
kill "$fpid"; wait "$fpid" 2>/dev/null || true
floor_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp.floor"); rm -f "$tmp.floor"
# shellcheck disable=SC2086
"$IQD" --data "$tmp/data" --listen-zmq "tcp://127.0.0.1:$zport" --listen-http "127.0.0.1:$port" \
  --sources-dir "$ROOT/schemas/sources" --log-level warn $EXTRA >"$tmp/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
i=0; until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
  i=$((i + 1)); [ "$i" -lt 100 ] || { cat "$tmp/log" >&2; exit 1; }; sleep 0.05; done
events() { curl -s "http://127.0.0.1:$port/metrics" |
  awk '/^inquest_http_events_total\{source="alertmanager",outcome="(stored|duplicate)"\}/ { n += $2 } END { print n + 0 }'; }
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }   # clock ticks
tck=$(getconf CLK_TCK)
e0=$(events); c0=$(cpu)
wrk_run "$port" "$tmp/wrk.out"
e1=$(events); c1=$(cpu)
rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out")
errs=$(awk '/Non-2xx|Socket errors/' "$tmp/wrk.out")
reqs=$(awk '/requests in/ { print $1 }' "$tmp/wrk.out")
cpu_us=$(awk -v c=$((c1 - c0)) -v t="$tck" -v r="$reqs" 'BEGIN { printf "%.0f", r ? c * 1e6 / t / r : 0 }')
echo "webhook: requests/s $rps, events/s $(( (e1 - e0) / 10 )), p99 $p99, inquestd CPU per request ${cpu_us} us (wrk -t2 -c50 -d10s${EXTRA:+, $EXTRA})"
echo "baseline (libmicrohttpd alone, same settings and load): requests/s $floor_rps"
awk -v a="$rps" -v b="$floor_rps" 'BEGIN { printf "ratio inquestd/baseline: %.2f (target: 20000 requests/s on 2 cores)\n", b ? a / b : 0 }'
[ -z "$errs" ] || echo "webhook: $errs"
