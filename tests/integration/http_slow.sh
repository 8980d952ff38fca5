#!/bin/sh
# Slow clients are cut, not waited for (issue #13), on a real inquestd:
#  1. 1,100 connections trickling one header line every 500 ms (and
#     reconnecting when cut) while a normal client posts events: each
#     post is answered within the header deadline; SIGTERM still stops
#     the daemon promptly, with the crowd still connected;
#  2. the header and body deadlines at their limit: a request whose
#     headers (or body) take half the deadline is answered, one that
#     would take twice as long is cut at the deadline, also for the next
#     request of a keep-alive connection;
#  3. per-address limits: 256 connections from one address are all kept
#     and the 257th is refused; behind a trusted proxy, 300 slow requests
#     from one X-Forwarded-For client get 256 through and 44 answered 429,
#     while other clients behind the same proxy are served;
#  4. the share kept for new clients at its limit: with 100 connections
#     and a 10 % reserve, 90 open connections cut nothing, one more cuts
#     exactly the oldest waiting one.
. "$IQ_ROOT/tests/lib.sh"
HELPERS=""
trap 'for p in $HELPERS; do kill "$p" 2>/dev/null || true; done; iq_cleanup' EXIT INT TERM
SLOW="$IQ_BUILD/tests/helpers/iq_slowhttp"
[ -x "$SLOW" ] || fail "build the test helpers first (make tests-build)"
ulimit -n 8192 2>/dev/null || true
[ "$(ulimit -n)" -ge 2600 ] || fail "needs 2600 open files (ulimit -n is $(ulimit -n))"
EV='{"id":"ID","source":"ci","kind":"deploy","action":"ok","at":"2026-01-01T00:00:00Z"}'

# until_ok SECONDS CMD...: run CMD every 50 ms until it succeeds, for at
# most SECONDS.
until_ok() {
  _end=$(( $(date +%s) + $1 )); shift
  while ! "$@"; do
    [ "$(date +%s)" -lt "$_end" ] || return 1
    sleep 0.05
  done
}
metric() { curl -s -m 5 "http://127.0.0.1:$IQ_HTTP_PORT/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
metric_is() { [ "$(metric "$1")" = "$2" ]; }
metric_ge() { v=$(metric "$1"); [ -n "$v" ] && [ "$v" -ge "$2" ]; }
last_is() { tail -n 1 "$1" 2>/dev/null | grep -q "$2"; }
# post ID [curl args]: POST one canonical event; prints "STATUS SECONDS".
post() {
  id=$1; shift
  printf '%s' "$EV" | sed "s/ID/$id/" | curl -s -o /dev/null -w '%{http_code} %{time_total}' -m 20 \
    -H 'Content-Type: application/json' --data-binary @- "$@" "http://127.0.0.1:$IQ_HTTP_PORT/hooks/events"
}
CUT='inquest_http_connections_cut_total{reason="'

# 1. a crowd of 1,100 slow connections; the normal client is served
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --http-header-timeout 3s
port=$IQ_ZMQ_PORT
"$SLOW" crowd "$IQ_HTTP_PORT" 1100 500 --spread 5 --reconnect >"$d/crowd" &
crowd=$!; HELPERS="$HELPERS $crowd"
until_ok 30 last_is "$d/crowd" "open=1100 " || fail "the crowd did not connect: $(tail -n 1 "$d/crowd")"
until_ok 30 metric_ge "${CUT}capacity\"}" 1 || fail "the crowd never filled the server"
for i in 1 2 3 4 5; do
  r=$(post "crowd-$i")
  case "$r" in 200\ [0-2].*) ;; *) fail "normal client during the crowd: $r (want 200 within 3 s)" ;; esac
done
kill -0 "$crowd" || fail "the crowd helper died"
t0=$(date +%s)
kill -TERM "$IQ_DAEMON_PID"
until_ok 10 eval '! kill -0 "$IQ_DAEMON_PID" 2>/dev/null' || fail "SIGTERM did not stop inquestd within 10 s"
st=0; wait "$IQ_DAEMON_PID" || st=$?; IQ_DAEMON_PID=""
[ "$st" -eq 0 ] || fail "inquestd exited $st on SIGTERM with the crowd connected"
echo "SIGTERM with 1,100 slow clients: stopped in $(( $(date +%s) - t0 )) s"
kill "$crowd"; wait "$crowd" || true
n=$("$IQ" --data "$d/data" events --json | grep -c '"id":"crowd-' || true)
[ "$n" -eq 5 ] || fail "stored $n of the normal client's 5 events"

# 2. deadlines at their limit
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --http-header-timeout 2s --http-body-timeout 2s
port=$IQ_ZMQ_PORT
req() {
  body=$(printf '%s' "$EV" | sed "s/ID/$1/")
  printf 'POST /hooks/events HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nContent-Length: %d\r\n\r\n%s' \
    "${#body}" "$body"
}
r=$(req in-time-h | "$SLOW" send "$IQ_HTTP_PORT" 10000 headers 1000)
case "$r" in "200 "*) ;; *) fail "headers over 1 s (deadline 2 s): $r" ;; esac
r=$(req late-h | "$SLOW" send "$IQ_HTTP_PORT" 10000 headers 4000)
case "$r" in closed\ 2*) ;; *) fail "headers over 4 s: $r (want closed at 2 s)" ;; esac
r=$(req in-time-b | "$SLOW" send "$IQ_HTTP_PORT" 10000 body 1000)
case "$r" in "200 "*) ;; *) fail "body over 1 s (deadline 2 s): $r" ;; esac
r=$(req late-b | "$SLOW" send "$IQ_HTTP_PORT" 10000 body 4000)
case "$r" in closed\ 2*) ;; *) fail "body over 4 s: $r (want closed at 2 s)" ;; esac
r=$(req again-h | "$SLOW" send "$IQ_HTTP_PORT" 10000 headers 1000 --again)
case "$r" in "200 "*) ;; *) fail "keep-alive, next headers over 1 s: $r" ;; esac
r=$(req again-h | "$SLOW" send "$IQ_HTTP_PORT" 10000 headers 4000 --again)
case "$r" in closed\ 2*) ;; *) fail "keep-alive, next headers over 4 s: $r (want closed at 2 s)" ;; esac
metric_is "${CUT}header_deadline\"}" 2 || fail "header_deadline cuts: $(metric "${CUT}header_deadline\"}")"
metric_is "${CUT}body_deadline\"}" 1 || fail "body_deadline cuts: $(metric "${CUT}body_deadline\"}")"
iq_stop_daemon
ids=$("$IQ" --data "$d/data" events --json | grep -o '"id":"[a-z-]*"' | sort | tr '\n' ' ')
[ "$ids" = '"id":"again-h" "id":"in-time-b" "id":"in-time-h" ' ] || fail "stored: $ids"
grep -q 'connections cut: request line and headers not in within http_header_timeout' "$d/data.log" ||
  fail "no warning for the header deadline"

# 3. per-address limits, direct and through a trusted proxy
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --trusted-proxies "127.0.0.1, 10.0.0.0/8"
port=$IQ_ZMQ_PORT
"$SLOW" crowd "$IQ_HTTP_PORT" 256 1000 --spread 1 >"$d/direct" &
direct=$!; HELPERS="$HELPERS $direct"
until_ok 30 metric_is inquest_http_connections 257 || fail "256 connections from one address: $(metric inquest_http_connections) open"
metric_is "${CUT}per_address\"}" 0 || fail "a connection under the per-address limit was cut"
"$SLOW" crowd "$IQ_HTTP_PORT" 1 1000 --spread 1 >"$d/one-more" &
more=$!; HELPERS="$HELPERS $more"
until_ok 10 test -s "$d/one-more" || fail "the 257th connection did not start"
until_ok 10 last_is "$d/one-more" "closed=1 answered=0" || fail "the 257th connection from one address was kept"
metric_is "${CUT}per_address\"}" 1 || fail "per_address cuts: $(metric "${CUT}per_address\"}")"
kill "$more" "$direct"; wait "$more" "$direct" || true
"$SLOW" crowd "$IQ_HTTP_PORT" 300 1000 --xff 203.0.113.7 --body 200 >"$d/proxied" &
proxied=$!; HELPERS="$HELPERS $proxied"
until_ok 30 last_is "$d/proxied" "open=256 closed=44 answered=44 s429=44 " ||
  fail "300 slow requests from 203.0.113.7 through the proxy: $(tail -n 1 "$d/proxied")"
for xff in 198.51.100.9 "203.0.113.7, 198.51.100.9" "198.51.100.9, 10.1.2.3"; do
  r=$(post "other-$(echo "$xff" | tr -dc 0-9)" -H "X-Forwarded-For: $xff")
  case "$r" in "200 "*) ;; *) fail "client $xff behind the proxy: $r (want 200)" ;; esac
done
for xff in 203.0.113.7 "198.51.100.9, 203.0.113.7" "203.0.113.7, 10.1.2.3"; do
  r=$(post busy -H "X-Forwarded-For: $xff")
  case "$r" in "429 "*) ;; *) fail "client 203.0.113.7 as '$xff': $r (want 429)" ;; esac
done
metric_ge 'inquest_http_requests_total{source="events",outcome="too_many_requests"}' 47 ||
  fail "429 answers not counted"
kill "$proxied"; wait "$proxied" || true
until_ok 10 eval '[ "$(post freed -H "X-Forwarded-For: 203.0.113.7" | cut -c1-3)" = 200 ]' ||
  fail "203.0.113.7 still refused after its requests ended"
iq_stop_daemon

# 4. the share kept for new clients, at its limit
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --http-conn-limit 100 --http-conn-reserve 10
port=$IQ_ZMQ_PORT
"$SLOW" crowd "$IQ_HTTP_PORT" 89 1000 --spread 3 >"$d/first" &
first=$!; HELPERS="$HELPERS $first"
until_ok 30 metric_is inquest_http_connections 90 || fail "89 waiting connections: $(metric inquest_http_connections) open"
"$SLOW" crowd "$IQ_HTTP_PORT" 1 1000 --spread 4 >"$d/newest" &
newest=$!; HELPERS="$HELPERS $newest"
until_ok 10 last_is "$d/newest" "open=1 " || fail "the newest connection did not connect"
until_ok 30 metric_is "${CUT}capacity\"}" 1 || fail "91 connections of 100 with 10 reserved: nothing cut"
until_ok 10 last_is "$d/first" "open=88 closed=1 " || fail "the oldest waiting connection was not the one cut"
metric_is "${CUT}capacity\"}" 1 || fail "cut more than one: $(metric "${CUT}capacity\"}")"
last_is "$d/newest" "open=1 closed=0" || fail "the newest connection was cut: $(cat "$d/newest")"
kill "$first" "$newest"; wait "$first" "$newest" || true
iq_stop_daemon
echo "ok"
