# tests/data/collector/collector_lib.sh - helpers of the collector tests
# (tests/integration/collector_*.sh); sourced after tests/lib.sh.
# Provides: central_down, edge_start, edge_stop, edge_metrics, edge_metric,
# edge_spool_empty, edge_post_each, edge_post_arrays, central_ids, ids_of.
command -v curl >/dev/null || fail "curl is required (make deps-test)"
EDGE=""
trap '[ -z "$EDGE" ] || kill -9 "$EDGE" 2>/dev/null; iq_cleanup' EXIT INT TERM

# central_down DATA: a central inquestd on DATA started once (its port
# chosen by the kernel) and stopped, so that its port is known and nothing
# listens there: sets CENTRAL_PORT; iq_start_daemon DATA $CENTRAL_PORT
# brings it back.
central_down() {
  iq_start_daemon "$1" 0
  CENTRAL_PORT=$IQ_ZMQ_PORT
  iq_stop_daemon
}

# edge_start DATA ENDPOINT [inquestd flags...]: a collector on DATA (log:
# DATA.log) forwarding to ENDPOINT, its HTTP port chosen by the kernel;
# waits for its ports file and sets EDGE (pid) and EDGE_PORT.
edge_start() {
  _e_data=$1; _e_fwd=$2; shift 2
  rm -f "$_e_data.ports"
  "$IQD" --collector --forward "$_e_fwd" --data "$_e_data" --listen-http 127.0.0.1:0 \
    --ports-file "$_e_data.ports" "$@" >>"$_e_data.log" 2>&1 &
  EDGE=$!
  iq_wait_until 30 iq_daemon_ready "$_e_data.ports" "$EDGE" "$_e_data.log"
  EDGE_PORT=$(iq_ports_value "$_e_data.ports" http_port)
}

# edge_stop: SIGTERM; the collector must exit 0.
edge_stop() {
  kill -TERM "$EDGE"; _e_st=0; wait "$EDGE" || _e_st=$?; EDGE=""
  [ "$_e_st" -eq 0 ] || fail "collector exited with status $_e_st on SIGTERM"
}

# edge_metrics: the collector's /metrics (also kept in $IQ_TMP/edge.metrics).
edge_metrics() {
  curl -sf "http://127.0.0.1:$EDGE_PORT/metrics" >"$IQ_TMP/edge.metrics" ||
    fail "GET /metrics of the collector failed"
  cat "$IQ_TMP/edge.metrics"
}

# edge_metric NAME: the value of the sample NAME (no labels).
edge_metric() { edge_metrics | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print "missing" }'; }

edge_spool_empty() { [ "$(edge_metric inquest_spool_events)" = 0 ]; }

# _e_post CONFIG: run the curl config (one transfer per entry, 8 at a
# time), printing one status code per line.
_e_post() { curl -s --parallel --parallel-max 8 -K "$1" 2>"$IQ_TMP/curl.err" || { cat "$IQ_TMP/curl.err" >&2; fail "curl -K $1 failed"; }; }

# _e_config URL: a curl config from lines of data-binary values on stdin
# (already quoted), one transfer each.
_e_config() {
  awk -v url="$1" '{
    if (NR > 1) print "next"
    printf "silent\nurl = \"%s\"\ndata-binary = %s\n", url, $0
    printf "header = \"Content-Type: application/json\"\noutput = \"/dev/null\"\n"
    printf "write-out = \"%%{http_code}\\n\"\n"
  }'
}

# edge_post_each FILE: POST each line of FILE (one canonical event) as
# its own delivery to /hooks/events; one status code per line.
edge_post_each() {
  awk '{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); print "\"" $0 "\"" }' "$1" |
    _e_config "http://127.0.0.1:$EDGE_PORT/hooks/events" >"$IQ_TMP/each.curl"
  _e_post "$IQ_TMP/each.curl"
}

# edge_post_arrays FILE N: POST the lines of FILE as JSON arrays of N
# events, one delivery each; one status code per line.
edge_post_arrays() {
  _e_dir=$(mktemp -d "$IQ_TMP/arrays.XXXXXX")
  awk -v n="$2" -v dir="$_e_dir" '{
    f = sprintf("%s/%06d.json", dir, int((NR - 1) / n))
    printf "%s%s", ((NR - 1) % n ? "," : "["), $0 > f
    if (NR % n == 0) { print "]" > f; close(f) }
  } END { if (NR % n) print "]" > f }' "$1"
  for _e_f in "$_e_dir"/*.json; do echo "\"@$_e_f\""; done |
    _e_config "http://127.0.0.1:$EDGE_PORT/hooks/events" >"$_e_dir.curl"
  _e_post "$_e_dir.curl"
}

# central_ids DATA: the ids stored in a (stopped) central ingest, sorted.
central_ids() { "$IQ" --data "$1" events --json | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort; }

# ids_of FILE: the ids of an NDJSON file of events, sorted.
ids_of() { sed 's/^{"id":"\([^"]*\)".*/\1/' "$1" | sort; }
