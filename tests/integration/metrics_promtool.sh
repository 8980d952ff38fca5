#!/bin/sh
# metrics_promtool.sh - /metrics after ZeroMQ, HTTP, import and log traffic
# is `promtool check metrics` clean and counts each path (#18 item 2).
#
# A real inquestd with a log collector receives canonical events over
# ZeroMQ, a webhook delivery over HTTP, a Statuspage import and error lines
# in a followed log file.  The scrape must pass promtool's linter and
# show, each from its own stage: the ZeroMQ batches, events, bytes and ack
# histogram; the webhook events; the store's write histogram and WAL
# writes and its RocksDB gauges; the correlator's rebuilds; the log
# collector's lines; the drafts counters; inquest_build_info and the
# process_* series.  /healthz and /readyz answer 200.  The alerting rules
# shipped in deploy/prometheus pass `promtool check rules` and their unit
# tests, and every metric the rules and the Grafana dashboard name exists
# in the scrape.
. "$IQ_ROOT/tests/lib.sh"
command -v promtool >/dev/null 2>&1 || { echo "promtool is not installed (make deps-test installs Debian's prometheus)"; exit 77; }
d=$(iq_tmpdir)
: >"$d/app.log"
cat >"$d/config.yml" <<YAML
logs:
  files: ["$d/app.log"]
  service: shop
  poll: 50ms
YAML
iq_start_daemon "$d/data" 0 --config "$d/config.yml"
url="http://127.0.0.1:$IQ_HTTP_PORT"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")" = 200 ] || fail "/healthz"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ] || fail "/readyz: $(curl -s "$url/readyz")"

iq_gen_events 300 zm >"$d/events.ndjson"
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$d/events.ndjson" >/dev/null || fail "ZeroMQ send"
code=$(curl -s -o "$d/hook" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data '{"id":"hook-1","source":"ci","kind":"deploy","action":"finished","at":"2026-10-21T13:00:00Z","service":"shop","title":"deploy shop v2"}' \
  "$url/hooks/events")
[ "$code" = 200 ] || fail "webhook answered $code: $(cat "$d/hook")"
"$IQ" --quiet --zmq "$IQ_ZMQ" import statuspage "$IQ_ROOT/tests/data/import/api-v2-incidents.githubstatus.json" \
  >/dev/null 2>&1 || fail "import"
printf '2026-10-21T13:00:0%s.000Z ERROR shop: upstream timed out\n' 1 2 3 >>"$d/app.log"

metric() { curl -s "$url/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
above() { v=$(metric "$1"); [ -n "$v" ] && awk -v v="$v" -v m="$2" 'BEGIN { exit !(v > m) }'; }
# 300 over ZeroMQ plus the import's 18 events
iq_wait_until 20 above 'inquest_zmq_events_total{outcome="stored"}' 317
iq_wait_until 20 above 'inquest_logs_lines_total{result="parsed"}' 2
iq_wait_until 20 above 'inquest_correlator_rebuilds_total{kind="full"}' 0
curl -s "$url/metrics" >"$d/scrape"
promtool check metrics <"$d/scrape" >"$d/lint" 2>&1 || { cat "$d/lint" >&2; fail "promtool check metrics"; }

for m in 'inquest_zmq_batches_total{outcome="acked"}' inquest_zmq_received_bytes_total \
         inquest_zmq_ack_seconds_count 'inquest_http_events_total{source="events",outcome="stored"}' \
         inquest_store_write_seconds_count inquest_store_wal_writes_total inquest_store_events \
         inquest_correlator_events_total inquest_logs_events_total inquest_logs_files \
         'inquest_build_info{version="'"$("$IQD" --version | awk '{print $2}')"'",protocol="1",data_format="1"}' \
         process_cpu_seconds_total process_resident_memory_bytes process_virtual_memory_bytes \
         process_open_fds process_max_fds process_start_time_seconds; do
  v=$(awk -v k="$m" '$1 == k { print $2 }' "$d/scrape")
  [ -n "$v" ] || fail "no $m in the scrape"
  awk -v v="$v" 'BEGIN { exit !(v > 0) }' || fail "$m is $v"
done
for m in inquest_store_pending_compaction_bytes inquest_store_sst_bytes inquest_store_memtable_bytes \
         inquest_correlator_lag_seconds inquest_drafts_written_total inquest_drafts_kept_total \
         'inquest_drafts_notifications_total{result="sent"}'; do
  grep -q "^$m " "$d/scrape" || fail "no $m in the scrape"
done

# what the rules and the dashboard use exists
R="$IQ_ROOT/deploy/prometheus"
promtool check rules "$R/inquest-rules.yml" >"$d/rules" 2>&1 || { cat "$d/rules" >&2; fail "promtool check rules"; }
(cd "$R" && promtool test rules inquest-rules.test.yml) >"$d/rtest" 2>&1 || { cat "$d/rtest" >&2; fail "promtool test rules"; }
python3 -m json.tool "$IQ_ROOT/deploy/grafana/inquest.json" >/dev/null || fail "the Grafana dashboard is not JSON"
grep -oh 'inquest_[a-z_]*\|process_[a-z_]*' "$R/inquest-rules.yml" "$IQ_ROOT/deploy/grafana/inquest.json" \
  | sed 's/_bucket$//' | sort -u >"$d/used"
while read -r m; do
  grep -q "^# TYPE $m " "$d/scrape" || fail "$m, used by the rules or the dashboard, is not exported"
done <"$d/used"
iq_stop_daemon
echo "metrics: promtool clean, $(grep -c '^# TYPE' "$d/scrape") families, $(wc -l <"$d/used") used by rules and dashboard"
