#!/bin/sh
# bench/collector.sh - forward throughput of a collector's spool after an
# outage of the central ingest (issue #15), against direct ingest.
#
# In one run, on fresh temporary directories and ports chosen by the
# kernel, with the same EVENTS log-like canonical events (default
# 1,000,000):
#  1. direct ingest (the baseline): `inquest send` streams the events to a
#     central inquestd over ZeroMQ; events/s until the last acknowledgement.
#  2. outage: a collector (--collector --forward) whose central ingest is
#     down takes the events as webhook deliveries of 1000 (curl, 8 at a
#     time): events/s into the spool, and its size.
#  3. recovery: the central ingest starts (empty store); events/s from the
#     moment it listens until the collector's spool is empty (polled on
#     /metrics every 100 ms), and the CPU seconds the collector and the
#     central ingest spent meanwhile.  The central store must then hold
#     every event once.
# Prints the three rates and the ratio recovery/direct.
#   make bench && sh bench/collector.sh [BUILD_DIR] [EVENTS]
# Needs about 1 GB free under ${TMPDIR:-/tmp} for a million events, curl.
# Not part of the test suite.  bench/runs.sh repeats it for median and range.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
EVENTS=${2:-1000000}
IQD="$ROOT/$BUILD/inquestd"
IQ="$ROOT/$BUILD/inquest"
export INQUEST_SCHEMAS="$ROOT/schemas"
command -v curl >/dev/null || { echo "collector bench: curl is required" >&2; exit 2; }
[ -x "$IQD" ] && [ -x "$IQ" ] || { echo "collector bench: build $IQD first (make)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iq-bench-col.XXXXXX")
pids=""
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT INT TERM

now() { date +%s.%N; }
# cpu PID: user + system clock ticks of a running process
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
# wait_file FILE PID: until FILE exists (the daemon's ports file)
wait_file() {
  i=0; until [ -s "$1" ]; do
    kill -0 "$2" 2>/dev/null || { echo "collector bench: pid $2 exited" >&2; exit 1; }
    i=$((i + 1)); [ "$i" -lt 600 ] || { echo "collector bench: no $1" >&2; exit 1; }
    sleep 0.05
  done
}
port_of() { sed -n "s/^$2=//p" "$1"; }
# start_central DIR PORT: a central inquestd; sets CPID and CPORT
start_central() {
  "$IQD" --data "$1" --listen-zmq "tcp://127.0.0.1:$2" --listen-http off --ports-file "$1.ports" \
    >"$1.log" 2>&1 &
  CPID=$!; pids="$pids $CPID"
  wait_file "$1.ports" "$CPID"
  CPORT=$(port_of "$1.ports" zmq_port)
}
stop() { kill -TERM "$1"; wait "$1" || true; }
# stored LOG: events the central ingest stored, from its exit line
stored() { sed -n 's/.*stopped: \([0-9]*\) events stored.*/\1/p' "$1"; }

# Log-like canonical events: 40 services, message templates with varying
# numbers, a random trace id each.
awk -v n="$EVENTS" 'BEGIN {
  srand(15)
  split("checkout-api payments cart search catalog inventory shipping orders auth accounts " \
        "notifications email-sender sms-gateway pricing promotions recommendations reviews " \
        "media thumbnails cdn-edge gateway billing invoicing ledger fraud risk-scoring kyc " \
        "reporting analytics-ingest feature-flags config scheduler batch-export webhooks-out " \
        "partner-api mobile-bff web-bff session geo support-desk", svc, " ")
  split("upstream %s failed with status %d|request to %s timed out after %d ms|" \
        "circuit breaker opened for %s after %d failures|slow query on %s: %d ms|" \
        "health check of %s failed with HTTP %d|cache hit ratio dropped on %s to %d%%", tpl, "|")
  split("info info info info info warning warning error critical", sev, " ")
  for (i = 1; i <= n; i++) {
    s = svc[int(rand() * 40) + 1]; p = svc[int(rand() * 40) + 1]; v = sev[int(rand() * 9) + 1]
    t = sprintf(tpl[int(rand() * 6) + 1], p, int(rand() * 5000))
    ms = i % 1000; sec = int(i / 1000) % 60; min = int(i / 60000) % 60; h = int(i / 3600000) % 24
    printf "{\"id\":\"log-%s-%d\",\"source\":\"log\",\"kind\":\"log\",\"action\":\"%s\",", s, i * 173, v
    printf "\"severity\":\"%s\",\"at\":\"2026-10-21T%02d:%02d:%02d.%03dZ\",\"service\":\"%s\",", v, h, min, sec, ms, s
    printf "\"title\":\"%s\",\"text\":\"GET /api/v2/items/%d %d upstream=%s latency_ms=%d trace=%08x%08x\",", \
      t, int(rand() * 100000), 500 + int(rand() * 4), p, int(rand() * 30000), int(rand() * 4294967295), int(rand() * 4294967295)
    printf "\"labels\":{\"host\":\"web-%d\"}}\n", int(rand() * 200)
  }
}' >"$tmp/ev.ndjson"
bytes=$(wc -c <"$tmp/ev.ndjson")

# 1. direct ingest
start_central "$tmp/direct" 0
dc0=$(cpu "$CPID")
t0=$(now)
"$IQ" --zmq "tcp://127.0.0.1:$CPORT" send --timeout 300s "$tmp/ev.ndjson" >"$tmp/send.out"
t1=$(now)
dc1=$(cpu "$CPID")
stop "$CPID"
direct=$(awk -v n="$EVENTS" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
[ "$(stored "$tmp/direct.log")" = "$EVENTS" ] || { echo "direct: $(cat "$tmp/send.out")" >&2; exit 1; }

# 2. outage: a central port that nothing listens on, the collector fills its spool
start_central "$tmp/central" 0
port=$CPORT
stop "$CPID"
"$IQD" --collector --forward "tcp://127.0.0.1:$port" --data "$tmp/edge" --listen-http 127.0.0.1:0 \
  --ports-file "$tmp/edge.ports" --spool-max 4G --log-level warn >"$tmp/edge.log" 2>&1 &
EPID=$!; pids="$pids $EPID"
wait_file "$tmp/edge.ports" "$EPID"
url="http://127.0.0.1:$(port_of "$tmp/edge.ports" http_port)"
metric() { curl -s "$url/metrics" | awk -v n="$1" '$1 == n { print $2 }'; }
mkdir "$tmp/parts"
awk -v dir="$tmp/parts" '{
  f = sprintf("%s/%06d.json", dir, int((NR - 1) / 1000))
  printf "%s%s", ((NR - 1) % 1000 ? "," : "["), $0 > f
  if (NR % 1000 == 0) { print "]" > f; close(f) }
} END { if (NR % 1000) print "]" > f }' "$tmp/ev.ndjson"
for f in "$tmp"/parts/*.json; do
  printf 'next\nsilent\nurl = "%s/hooks/events"\ndata-binary = "@%s"\n' "$url" "$f"
  printf 'header = "Content-Type: application/json"\noutput = "/dev/null"\n'
  printf 'write-out = "%%{http_code}\\n"\n'
done | sed 1d >"$tmp/post.curl"
t0=$(now)
curl -s --parallel --parallel-max 8 -K "$tmp/post.curl" >"$tmp/codes" 2>"$tmp/curl.err" ||
  { cat "$tmp/curl.err" >&2; exit 1; }
t1=$(now)
[ "$(grep -vc '^200$' "$tmp/codes")" = 0 ] || { sort "$tmp/codes" | uniq -c >&2; exit 1; }
[ "$(metric inquest_spool_events)" = "$EVENTS" ] || { echo "spool: $(metric inquest_spool_events)" >&2; exit 1; }
fill=$(awk -v n="$EVENTS" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
spool_mb=$(du -sm "$tmp/edge/spool" | cut -f1)

# 3. recovery: the central ingest starts, the spool drains
start_central "$tmp/central" "$port"
ec0=$(cpu "$EPID"); cc0=$(cpu "$CPID")
t0=$(now)
until [ "$(metric inquest_spool_events)" = 0 ]; do sleep 0.1; done
t1=$(now)
ec1=$(cpu "$EPID"); cc1=$(cpu "$CPID")
dups=$(curl -s "$url/metrics" | sed -n 's/^inquest_forward_events_total{outcome="duplicate"} //p')
stop "$CPID"
stop "$EPID"
[ "$(stored "$tmp/central.log")" = "$EVENTS" ] || { echo "central stored $(stored "$tmp/central.log")" >&2; exit 1; }
drain=$(awk -v n="$EVENTS" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')

echo "bench/collector: $EVENTS events ($((bytes / EVENTS)) bytes of JSON each)"
awk -v r="$direct" -v c=$((dc1 - dc0)) -v t="$tck" 'BEGIN {
  printf "direct ingest (inquest send -> central): %s events/s (CPU central %.1f s)\n", r, c / t }'
echo "outage: webhooks into the spool (deliveries of 1000, 8 at a time): $fill events/s; spool $spool_mb MiB on disk"
awk -v n="$EVENTS" -v r="$drain" -v a="$t0" -v b="$t1" -v e=$((ec1 - ec0)) -v c=$((cc1 - cc0)) -v t="$tck" 'BEGIN {
  printf "recovery: spool forwarded to the central ingest: %s events/s (%.1f s; CPU collector %.1f s, central %.1f s)\n",
    r, b - a, e / t, c / t }'
echo "recovery: events the central ingest already had (batches sent twice): $dups"
awk -v a="$drain" -v b="$direct" 'BEGIN { printf "ratio recovery/direct: %.2f\n", a / b }'
