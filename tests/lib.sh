# tests/lib.sh - helpers for integration scripts (POSIX sh).  Source it:
#   . "$IQ_ROOT/tests/lib.sh"
# Provides: fail, iq_tmpdir, iq_wait_until, iq_listening, iq_free_port,
# iq_wait_port, iq_daemon_ready, iq_ports_value, iq_start_daemon,
# iq_stop_daemon, iq_kill9_daemon, iq_gen_events, iq_curve_keys,
# iq_incident_on.  Everything a test writes
# lives under $IQ_TMP, removed on exit.  Internal variables are named _iq_*
# (POSIX sh has no locals): tests must not use that prefix.
set -eu
: "${IQ_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${IQ_BUILD:=$IQ_ROOT/build}"
IQ="$IQ_BUILD/inquest"
IQD="$IQ_BUILD/inquestd"
IQ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/iq-it.XXXXXX")
IQ_DAEMON_PID=""
export INQUEST_SCHEMAS="$IQ_ROOT/schemas"

iq_cleanup() {
  [ -n "$IQ_DAEMON_PID" ] && kill -9 "$IQ_DAEMON_PID" 2>/dev/null || true
  rm -rf "$IQ_TMP"
}
trap iq_cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

iq_tmpdir() { mktemp -d "$IQ_TMP/d.XXXXXX"; }

# iq_wait_until SECONDS CMD [ARGS...]: run CMD (a command or a shell
# function, in this shell) until it succeeds, every 50 ms; when SECONDS
# have passed without success, fail naming CMD.  This is how a test orders
# its steps: wait for the condition, never for a fixed time.
iq_wait_until() {
  _iq_end=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$_iq_end" ] || fail "timed out waiting for: $*"
    sleep 0.05
  done
}

# iq_listening PORT: something listens on TCP PORT (a condition for
# iq_wait_until, for programs that cannot report the port they bound).
iq_listening() { [ -n "$(ss -Htln "( sport = :$1 )" 2>/dev/null)" ]; }

# A TCP port on 127.0.0.1 that nothing listens on now.  Only for a port
# that must be known before the program that binds it starts (a third-
# party tool, a config file naming another daemon's address): inquestd
# itself binds port 0 and reports its ports (iq_start_daemon).
iq_free_port() {
  while :; do
    _iq_p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
    if ! iq_listening "$_iq_p"; then echo "$_iq_p"; return 0; fi
  done
}

# iq_wait_port PORT [SECONDS]: wait until something listens on PORT.
iq_wait_port() { iq_wait_until "${2:-10}" iq_listening "$1"; }

# iq_daemon_ready PORTS_FILE PID LOG: the daemon wrote its ports file;
# fails at once (with its log) when the daemon exited instead.
iq_daemon_ready() {
  [ -s "$1" ] && return 0
  kill -0 "$2" 2>/dev/null || { cat "$3" >&2; fail "inquestd (pid $2) exited before it was ready"; }
  return 1
}

# iq_ports_value FILE KEY: KEY's value in an inquestd ports file.
iq_ports_value() { sed -n "s/^$2=//p" "$1"; }

# iq_start_daemon DATA_DIR ZMQ_PORT [more inquestd flags...]
# Starts inquestd in the background (log: DATA_DIR.log) on ZMQ_PORT, 0 to
# let the kernel choose (a restart passes the port first reported, so
# clients keep their endpoint), and on an HTTP port the kernel chooses
# unless --listen-http is given.  Waits for the ports file
# (DATA_DIR.ports, --ports-file) and sets IQ_DAEMON_PID, IQ_ZMQ_PORT,
# IQ_ZMQ (the endpoint) and IQ_HTTP_PORT (empty with --listen-http off).
iq_start_daemon() {
  _iq_data=$1; _iq_port=$2; shift 2
  _iq_http="--listen-http 127.0.0.1:0"
  case " $* " in *" --listen-http "*) _iq_http="" ;; esac
  rm -f "$_iq_data.ports"
  # shellcheck disable=SC2086
  "$IQD" --data "$_iq_data" --listen-zmq "tcp://127.0.0.1:$_iq_port" $_iq_http \
    --ports-file "$_iq_data.ports" "$@" >>"$_iq_data.log" 2>&1 &
  IQ_DAEMON_PID=$!
  iq_wait_until 30 iq_daemon_ready "$_iq_data.ports" "$IQ_DAEMON_PID" "$_iq_data.log"
  IQ_ZMQ_PORT=$(iq_ports_value "$_iq_data.ports" zmq_port)
  IQ_ZMQ="tcp://127.0.0.1:$IQ_ZMQ_PORT"
  IQ_HTTP_PORT=$(iq_ports_value "$_iq_data.ports" http_port)
  [ -n "$IQ_ZMQ_PORT" ] || fail "no zmq_port in $_iq_data.ports: $(cat "$_iq_data.ports")"
}

# Graceful stop (SIGTERM); fails the test if the daemon exits non-zero.
iq_stop_daemon() {
  [ -n "$IQ_DAEMON_PID" ] || return 0
  kill -TERM "$IQ_DAEMON_PID"
  _iq_st=0; wait "$IQ_DAEMON_PID" || _iq_st=$?
  IQ_DAEMON_PID=""
  [ "$_iq_st" -eq 0 ] || fail "inquestd exited with status $_iq_st on SIGTERM"
}

iq_kill9_daemon() {
  [ -n "$IQ_DAEMON_PID" ] || return 0
  kill -9 "$IQ_DAEMON_PID" 2>/dev/null || true
  wait "$IQ_DAEMON_PID" 2>/dev/null || true
  IQ_DAEMON_PID=""
}

# iq_curve_keys DIR: CurveZMQ keys under DIR (inquest keygen): the ingest's
# pair, an admin client listed in DIR/authorized/admin/ and a sender client
# in DIR/authorized/.  Sets IQ_CURVE_DAEMON (inquestd flags), and
# IQ_CURVE_ADMIN and IQ_CURVE_SENDER (global flags of inquest).
iq_curve_keys() {
  mkdir -p "$1/authorized/admin"
  for _iq_k in ingest admin sender; do
    "$IQ" --quiet keygen "$1/$_iq_k" || fail "keygen $1/$_iq_k"
  done
  cp "$1/admin.pub" "$1/authorized/admin/"
  cp "$1/sender.pub" "$1/authorized/"
  IQ_CURVE_DAEMON="--zmq-curve-key $1/ingest.key --zmq-authorized-keys $1/authorized"
  IQ_CURVE_ADMIN="--zmq-key $1/admin.key --zmq-server-key $1/ingest.pub"
  IQ_CURVE_SENDER="--zmq-key $1/sender.key --zmq-server-key $1/ingest.pub"
}

# iq_gen_events N PREFIX [SERVICE]: N canonical NDJSON events with ids PREFIX-1..N.
iq_gen_events() {
  awk -v n="$1" -v p="$2" -v s="${3:-checkout-api}" 'BEGIN {
    for (i = 1; i <= n; i++) {
      ms = i % 1000; sec = int(i / 1000) % 60; min = int(i / 60000) % 60
      printf "{\"id\":\"%s-%d\",\"source\":\"cli\",\"kind\":\"log\",\"action\":\"posted\",", p, i
      printf "\"at\":\"2026-10-21T13:%02d:%02d.%03dZ\",\"service\":\"%s\",", min, sec, ms, s
      printf "\"title\":\"request failed with status 503 on upstream pool\",\"labels\":{\"n\":\"%d\"}}\n", i
    }
  }'
}

# iq_incident_on LIST_JSON SERVICE: the id of the first incident of
# LIST_JSON (the answer of GET /api/v1/incidents) that is on SERVICE, or
# nothing.
iq_incident_on() {
  python3 -c "import json,sys; print(next((i['id'] for i in json.load(open(sys.argv[1])) if sys.argv[2] in i['services']), ''))" \
    "$1" "$2"
}
