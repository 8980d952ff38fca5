#!/bin/sh
# Hostile HTTP framing on a real inquestd (issue #13): each request below is
# refused with its status and a JSON error naming the problem where the
# answer is ours, nothing it carried is stored, and the daemon stays
# healthy.  Duplicate and conflicting Content-Length (a smuggling vector
# behind a proxy: libmicrohttpd alone would use the first), a negative or
# overflowing Content-Length, Transfer-Encoding other than chunked or
# beside Content-Length, chunk sizes past 64 bits, too many header
# fields (and exactly the limit, accepted).  A chunk size that fits in 64
# bits but announces more than max_body cannot be seen through
# libmicrohttpd 0.9.75's API: that connection is cut at the body deadline,
# which this test bounds.
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/webhooks/wh_lib.sh"
SLOW="$IQ_BUILD/tests/helpers/iq_slowhttp"
[ -x "$SLOW" ] || fail "build the test helpers first (make tests-build)"
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --max-body 4k --http-max-headers 20 --http-body-timeout 2s
port=$IQ_ZMQ_PORT
HEAD='POST /hooks/events HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n'
EV='{"id":"ID","source":"ci","kind":"deploy","action":"ok","at":"2026-01-01T00:00:00Z"}'
ev() { printf '%s' "$EV" | sed "s/ID/$1/"; }

# case_ NAME WANT: send the request on stdin raw, expect the status WANT.
case_() {
  got=$("$SLOW" send "$IQ_HTTP_PORT" 10000)
  [ "${got%% *}" = "$2" ] || fail "$1: want $2, got $got"
}

# json_case NAME WANT MESSAGE_PART CURL_ARGS...: the same through curl,
# whose answer body is checked.
json_case() {
  name=$1; want=$2; msg=$3; shift 3
  got=$(curl -s -o "$d/body" -w '%{http_code}' -m 10 -H 'Content-Type: application/json' \
    "$@" "http://127.0.0.1:$IQ_HTTP_PORT/hooks/events")
  [ "$got" = "$want" ] || fail "$name: want $want, got $got: $(cat "$d/body")"
  grep -qF -- "$msg" "$d/body" || fail "$name: answer lacks '$msg': $(cat "$d/body")"
}

b=$(ev dup-eq)
json_case cl-duplicate 400 'duplicate Content-Length headers' -H "Content-Length: ${#b}" \
  -H "Content-Length: ${#b}" --data-binary "$b"
json_case cl-conflicting 400 'conflicting Content-Length headers' -H "Content-Length: ${#b}" \
  -H "Content-Length: 5" --data-binary "$b"
json_case te-and-cl 400 'both Transfer-Encoding and Content-Length' \
  -H 'Transfer-Encoding: chunked' -H "Content-Length: ${#b}" --data-binary "$(ev te-cl)"
json_case te-gzip 400 'Transfer-Encoding \"gzip, chunked\" is not supported' \
  -H 'Transfer-Encoding: gzip, chunked' --data-binary "$(ev te-gzip)"
hdrs=""; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do hdrs="$hdrs -H X-H$i:v"; done
# curl sends Host, User-Agent, Accept, Content-Type and Content-Length: 21 fields
# shellcheck disable=SC2086
json_case too-many-headers 431 '21 header fields: the limit is 20' $hdrs --data-binary "$(ev hdrs21)"
hdrs=${hdrs% -H X-H16:v}
# shellcheck disable=SC2086
json_case headers-at-limit 200 '"stored":1' $hdrs --data-binary "$(ev hdrs20)"

# raw requests curl would not send
printf "${HEAD}Content-Length: -1\r\n\r\n{}" | case_ cl-negative 400
printf "${HEAD}Content-Length: +2\r\n\r\n{}" | case_ cl-plus 400
printf "${HEAD}Content-Length: 99999999999999999999999\r\n\r\n{}" | case_ cl-overflow 413
printf "${HEAD}Content-Length: 2, 2\r\n\r\n{}" | case_ cl-list 400
printf "${HEAD}Transfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n{}\r\n0\r\n\r\n" | case_ chunk-65-bits 413
printf "${HEAD}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n" | case_ chunk-not-hex 400
b=$(ev chunked-ok)
printf "${HEAD}Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" "${#b}" "$b" | case_ chunked-ok 200

# a 64-bit chunk size: libmicrohttpd waits for it; the body deadline cuts
r=$(printf "${HEAD}Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}\r\n0\r\n\r\n" |
  "$SLOW" send "$IQ_HTTP_PORT" 10000)
case "$r" in closed\ 2*) ;; *) fail "chunk size ffffffffffffffff: $r (want closed by the 2 s body deadline)" ;; esac

c=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$IQ_HTTP_PORT/healthz")
[ "$c" = 200 ] || fail "healthz after the hostile table: $c"
iq_stop_daemon
ids=$(wh_events "$d/data" | grep -o '"id":"[a-z0-9-]*"' | sort | tr '\n' ' ')
[ "$ids" = '"id":"chunked-ok" "id":"hdrs20" ' ] || fail "stored: $ids"

# a bad trusted_proxies range stops the start with a message naming it
st=0; "$IQD" --data "$d/data2" --listen-zmq "tcp://127.0.0.1:0" \
  --listen-http "127.0.0.1:0" --trusted-proxies "127.0.0.1, 10.0.0.1/8" \
  >"$d/bad.log" 2>&1 || st=$?
[ "$st" -ne 0 ] || fail "inquestd started with trusted_proxies 10.0.0.1/8"
grep -q "trusted_proxies: '10.0.0.1/8' is not an address or a range" "$d/bad.log" ||
  fail "no message for a bad range: $(cat "$d/bad.log")"
echo ok
