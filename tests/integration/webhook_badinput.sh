#!/bin/sh
# A table of bad deliveries over real HTTP, each answered with its status
# and a JSON error naming the problem (with its JSON path where there is
# one), and nothing stored: truncated JSON, wrong types, missing required
# fields, a body over max_body (with and without Content-Length), deep
# nesting, invalid UTF-8, an empty body, a wrong content type, an unknown
# source and a wrong method.  A body of exactly max_body bytes is accepted.
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/webhooks/wh_lib.sh"
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --max-body 4k
port=$IQ_ZMQ_PORT
b="$d/body"

# case NAME STATUS MESSAGE_PART PATH [curl args]: body in $b
case_() {
  name=$1; want=$2; msg=$3; path=$4; shift 4
  got=$(wh_post "$path" "$b" "$@")
  [ "$got" = "$want" ] || fail "$name: want $want, got $got: $(cat "$WH_RESP")"
  grep -qF "\"status\":$want" "$WH_RESP" || fail "$name: no JSON error body: $(cat "$WH_RESP")"
  grep -qF -- "$msg" "$WH_RESP" || fail "$name: answer lacks '$msg': $(cat "$WH_RESP")"
}

head -c 300 "$WH_DATA/alertmanager/firing.group-2-alerts.json" >"$b"
case_ truncated 400 'malformed JSON at line' /hooks/alertmanager
printf '{"version":"4","status":"firing","alerts":"none"}' >"$b"
case_ alerts-not-array 400 '$.alerts: expected an array' /hooks/alertmanager
printf '{"alerts":[{"status":"firing","labels":{"alertname":"x"},"startsAt":"2026-01-01T00:00:00Z","fingerprint":"f1"},{"status":"firing","labels":{"alertname":"y"},"startsAt":17,"fingerprint":"f2"}]}' >"$b"
case_ time-wrong-type 400 '$.alerts[1].startsAt: not a time in format rfc3339: \"17\"' /hooks/alertmanager
printf '{"alerts":[{"status":"firing","labels":{"alertname":"x"},"fingerprint":"f1"}]}' >"$b"
case_ missing-time 400 '$.alerts[0].startsAt: missing (required for '"'id'"')' /hooks/alertmanager
printf '{"event":{"id":"E1","event_type":"incident.triggered","resource_type":"incident","occurred_at":"2026-01-01T00:00:00Z"}}' >"$b"
sed 's/"id":"E1",//' "$b" >"$b.2" && mv "$b.2" "$b"
case_ missing-id 400 '$.event.id: missing (required for '"'id'"')' /hooks/pagerduty
printf '[{"id":"a","source":"ci","kind":"deploy","action":"ok","at":5}]' >"$b"
case_ canonical-wrong-type 400 "\$[0]: field 'at'" /hooks/events
printf '{"id":"a","source":"ci","kind":"alarm","action":"ok","at":"2026-01-01T00:00:00Z"}' >"$b"
case_ canonical-bad-kind 400 "\$: field 'kind'" /hooks/events
awk 'BEGIN { for (i = 0; i < 5000; i++) printf " "; printf "{}" }' >"$b"
case_ too-large 413 'over the limit of 4096 bytes' /hooks/events
case_ too-large-chunked 413 'over the limit of 4096 bytes' /hooks/events -H 'Transfer-Encoding: chunked'
awk 'BEGIN { for (i = 0; i < 100; i++) printf "["; for (i = 0; i < 100; i++) printf "]" }' >"$b"
case_ deep-nesting 400 'nested deeper than 64 levels' /hooks/events
printf '{"id":"a\377\376","source":"ci","kind":"deploy","action":"ok","at":"2026-01-01T00:00:00Z"}' >"$b"
case_ invalid-utf8 400 'malformed JSON' /hooks/events
: >"$b"
case_ empty 400 'empty body' /hooks/events
printf '{"id":"a","source":"ci","kind":"deploy","action":"ok","at":"2026-01-01T00:00:00Z"}' >"$b"
WH_CT=text/plain case_ content-type 415 'content type \"text/plain\" is not application/json' /hooks/events
WH_CT=
case_ unknown-source 404 'no source serves /hooks/nagios' /hooks/nagios
case_ wrong-method 405 'use POST' /hooks/events -X PUT
n=$(wh_events "$d/data" | wc -l); [ "$n" -eq 0 ] || fail "bad input stored $n events"

# exactly at the limit: accepted
{ printf '{"id":"limit","source":"ci","kind":"deploy","action":"ok","at":"2026-01-01T00:00:00Z"'
  awk 'BEGIN { for (i = 0; i < 4096 - 86; i++) printf " " }'; printf '}'; } >"$b"
[ "$(wc -c <"$b")" -eq 4096 ] || fail "limit body is $(wc -c <"$b") bytes"
c=$(wh_post /hooks/events "$b"); [ "$c" = 200 ] || fail "body at the limit: $c $(cat "$WH_RESP")"
n=$(wh_events "$d/data" | wc -l); [ "$n" -eq 1 ] || fail "stored $n events, want 1"
curl -s "http://127.0.0.1:$IQ_HTTP_PORT/metrics" | grep -q '^inquest_http_requests_total{source="events",outcome="too_large"} 2$' \
  || fail "413s not counted"
iq_stop_daemon
