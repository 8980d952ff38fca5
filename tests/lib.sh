# tests/lib.sh - helpers for integration scripts (POSIX sh).  Source it:
#   . "$IQ_ROOT/tests/lib.sh"
# Provides: fail, iq_tmpdir, iq_free_port, iq_wait_port, iq_start_daemon,
# iq_stop_daemon, iq_kill9_daemon, iq_gen_events, iq_curve_keys.  Everything a test writes
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

# A TCP port on 127.0.0.1 that nothing listens on now.
iq_free_port() {
  while :; do
    _iq_p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
    if [ -z "$(ss -Htan "( sport = :$_iq_p )" 2>/dev/null)" ]; then echo "$_iq_p"; return 0; fi
  done
}

# iq_wait_port PORT [SECONDS]: wait until something listens on PORT.
iq_wait_port() {
  _iq_n=$(( ${2:-10} * 20 ))
  while [ "$_iq_n" -gt 0 ]; do
    [ -n "$(ss -Htln "( sport = :$1 )" 2>/dev/null)" ] && return 0
    sleep 0.05; _iq_n=$((_iq_n - 1))
  done
  return 1
}

# iq_start_daemon DATA_DIR ZMQ_PORT [more inquestd flags...]
# Starts inquestd in the background (log: DATA_DIR.log), waits for its
# ingest port, sets IQ_DAEMON_PID and IQ_HTTP_PORT (when the daemon has an
# HTTP listener, on a free port unless --listen-http is given).
iq_start_daemon() {
  _iq_data=$1; _iq_port=$2; shift 2
  _iq_http=""
  if "$IQD" --help 2>/dev/null | grep -q listen_http; then
    case " $* " in *" --listen-http "*) ;; *)
      IQ_HTTP_PORT=$(iq_free_port); _iq_http="--listen-http 127.0.0.1:$IQ_HTTP_PORT" ;;
    esac
  fi
  # shellcheck disable=SC2086
  "$IQD" --data "$_iq_data" --listen-zmq "tcp://127.0.0.1:$_iq_port" $_iq_http "$@" \
    >>"$_iq_data.log" 2>&1 &
  IQ_DAEMON_PID=$!
  iq_wait_port "$_iq_port" 15 || { cat "$_iq_data.log" >&2; fail "inquestd did not listen on $_iq_port"; }
  if [ -n "$_iq_http" ]; then
    iq_wait_port "$IQ_HTTP_PORT" 15 || fail "no HTTP on $IQ_HTTP_PORT"
  fi
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
