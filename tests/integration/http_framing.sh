#!/bin/sh
# Hostile HTTP framing on a real inquestd (issue #13): each request below is
# refused with its status and a JSON error naming the problem where the
# answer is ours, nothing it carried is stored, and the daemon stays
# healthy.  Duplicate and conflicting Content-Length (a smuggling vector
# behind a proxy: libmicrohttpd alone would use the first), a negative or
# overflowing Content-Length, Transfer-Encoding other than chunked or
# beside Content-Length, too many header fields (and exactly the limit,
# accepted).  Chunked bodies (the relay in front of libmicrohttpd,
# http/http_relay.c): an absurd chunk size (4 GiB or more, up to 2^64 - 1
# and beyond) gets 400 at its crossing digit, one over max_body below that
# 413 where its line ends, a malformed one 400, and the connection closed within
# a second (the body
# deadline is 30 s), on the first chunk, a later chunk, a keep-alive
# connection's second request and the third of three pipelined requests,
# whose first two are answered; chunk extensions, trailers and leading
# zeros are accepted; refusals are counted and logged.
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/webhooks/wh_lib.sh"
SLOW="$IQ_BUILD/tests/helpers/iq_slowhttp"
[ -x "$SLOW" ] || fail "build the test helpers first (make tests-build)"
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --max-body 4k --http-max-headers 20 --http-body-timeout 30s
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
b=$(ev chunked-ok)
printf "${HEAD}Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" "${#b}" "$b" | case_ chunked-ok 200

# Chunked framing, through `iq_slowhttp talk`: parts separated by @@NEXT@@
# go on one connection, each once the previous answers are in, and the
# sending side stays open (a client that waits).  talk NAME WANT MESSAGE:
# the statuses and "closed" must be WANT, within 1 s of the last part
# (the talk itself is bounded by 5 s, the body deadline is 30 s), and the
# last answer must contain MESSAGE.
CH="${HEAD}Transfer-Encoding: chunked\r\n\r\n"
talk() {
  "$SLOW" talk "$IQ_HTTP_PORT" 5000 >"$d/talk"
  got=$(head -n 1 "$d/talk"); ms=${got##* }
  [ "${got% *}" = "$2" ] || fail "$1: want '$2', got '$got': $(tail -n 1 "$d/talk")"
  [ "$ms" -lt 1000 ] || fail "$1: answered after $ms ms (want at once)"
  grep -qF -- "$3" "$d/talk" || fail "$1: answer lacks '$3': $(tail -n 1 "$d/talk")"
}
chunked() { b=$(ev "$1"); printf "${CH}%x\r\n%s\r\n0\r\n\r\n" "${#b}" "$b"; }
OVER='chunk size is over the limit of 4096 bytes (max_body)'
ABSURD='absurd chunk size: 4 GiB or more'
printf "${CH}ffffffffffffffff\r\n" | talk chunk-2^64-first '400 closed' "$ABSURD"
printf "${CH}1001\r\n" | talk chunk-max_body+1 '413 closed' "$OVER"
printf "${CH}1ffffffffffffffff\r\n{}\r\n0\r\n\r\n" | talk chunk-65-bits '400 closed' "$ABSURD"
printf "${CH}2\r\n{}\r\n8000000000000000\r\n" | talk chunk-2^63-later '400 closed' "$ABSURD"
{ chunked ka-1; printf "@@NEXT@@${CH}ffffffffffffffff\r\n"; } |
  talk chunk-2^64-keepalive '200 400 closed' "$ABSURD"
{ chunked pipe-1; chunked pipe-2; printf "${CH}fffffffffff;x=y\r\n"; } |
  talk chunk-pipelined '200 200 400 closed' "$ABSURD"
printf "${CH}zz\r\n{}\r\n0\r\n\r\n" | talk chunk-not-hex '400 closed' 'malformed chunk size'
printf "${CH};x\r\n" | talk chunk-ext-only '400 closed' 'malformed chunk size'
printf "${CH}2 \r\n{}\r\n0\r\n\r\n" | talk chunk-size-space '400 closed' 'malformed chunk size'
printf "${CH}2\r\n{}XX" | talk chunk-no-crlf '400 closed' 'data not followed by CRLF'
printf "${HEAD}Transfer-Encoding: chunked\r\nX-A: 1\r\n folded\r\n\r\n0\r\n\r\n" |
  talk obs-fold '400 closed' 'obsolete line folding'
b=$(ev chunk-ext)
printf "${CH}%x;name=value\r\n%s\r\n0\r\nX-Trailer: t\r\n\r\n" "${#b}" "$b" |
  case_ chunk-extension-trailer 200
b=$(ev chunk-zeros)
printf "${CH}00000000000000000000%x\r\n%s\r\n0\r\n\r\n" "${#b}" "$b" | case_ chunk-leading-zeros 200
# a keep-alive connection: three requests in turn, each answered
{ chunked ka-2; printf "@@NEXT@@"; chunked ka-3; printf "@@NEXT@@"; chunked ka-4; } |
  "$SLOW" talk "$IQ_HTTP_PORT" 1000 >"$d/talk"
[ "$(head -n 1 "$d/talk" | cut -d' ' -f1-4)" = '200 200 200 open' ] ||
  fail "three keep-alive requests: $(cat "$d/talk")"
c=$(curl -s "http://127.0.0.1:$IQ_HTTP_PORT/metrics" |
  awk '$1 == "inquest_http_connections_cut_total{reason=\"bad_framing\"}" { print $2 }')
[ "$c" = 11 ] || fail "bad_framing refusals counted: '$c', want 11"

c=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$IQ_HTTP_PORT/healthz")
[ "$c" = 200 ] || fail "healthz after the hostile table: $c"
iq_stop_daemon
ids=$(wh_events "$d/data" | grep -o '"id":"[a-z0-9-]*"' | sort | tr '\n' ' ')
[ "$ids" = '"id":"chunk-ext" "id":"chunk-zeros" "id":"chunked-ok" "id":"hdrs20" "id":"ka-1" "id":"ka-2" "id":"ka-3" "id":"ka-4" "id":"pipe-1" "id":"pipe-2" ' ] ||
  fail "stored: $ids"
grep -q 'requests refused and closed for their chunked framing: a chunk size over max_body (413), absurd (4 GiB or more) or malformed (400)' \
  "$d/data.log" || fail "no warning for the refused chunked bodies: $(cat "$d/data.log")"

# a bad trusted_proxies range stops the start with a message naming it
st=0; "$IQD" --data "$d/data2" --listen-zmq "tcp://127.0.0.1:0" \
  --listen-http "127.0.0.1:0" --trusted-proxies "127.0.0.1, 10.0.0.1/8" \
  >"$d/bad.log" 2>&1 || st=$?
[ "$st" -ne 0 ] || fail "inquestd started with trusted_proxies 10.0.0.1/8"
grep -q "trusted_proxies: '10.0.0.1/8' is not an address or a range" "$d/bad.log" ||
  fail "no message for a bad range: $(cat "$d/bad.log")"
echo ok
