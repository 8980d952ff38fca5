# tests/data/webhooks/wh_lib.sh - helpers shared by the tests/integration/webhook*.sh
# and prometheus*.sh scripts; sourced after tests/lib.sh.
WH_DATA="$IQ_ROOT/tests/data/webhooks"

command -v curl >/dev/null || fail "curl is required (make deps-test)"
command -v openssl >/dev/null || fail "openssl is required to sign test deliveries"

# wh_post PATH FILE [curl args...]: POST FILE as JSON to the daemon's HTTP
# port (Content-Type $WH_CT, default application/json); prints the status
# code, leaves the answer in $WH_RESP.
WH_RESP="$IQ_TMP/wh-resp"
wh_post() {
  path=$1; file=$2; shift 2
  curl -s -o "$WH_RESP" -w '%{http_code}' -H "Content-Type: ${WH_CT:-application/json}" \
    --data-binary @"$file" "$@" "http://127.0.0.1:$IQ_HTTP_PORT$path"
}

# wh_hmac SECRET < data: hex HMAC-SHA256.
wh_hmac() { openssl dgst -sha256 -hmac "$1" | sed 's/^.*= *//'; }

# wh_events DATA_DIR > file: stored events, one JSON line each.
wh_events() { "$IQ" --data "$1" events --json; }

# wh_expect FILE ID SUBSTRING...: exactly one stored event has this id and
# its line contains every substring.
wh_expect() {
  f=$1; id=$2; shift 2
  n=$(grep -cF "{\"id\":\"$id\"," "$f" || true)
  [ "$n" -eq 1 ] || fail "event $id stored $n times, want 1"
  line=$(grep -F "{\"id\":\"$id\"," "$f")
  for s in "$@"; do
    case "$line" in *"$s"*) ;; *) fail "event $id: missing $s in: $(printf '%s' "$line" | cut -c1-600)" ;; esac
  done
}
