#!/bin/sh
# Access control of inquestd's HTTP side, on real daemons (docs/security.md):
#  - the read API with no token, a wrong one, a read token, a write token
#    (401, 401, 200, 403); /healthz and /metrics stay open;
#  - a write token (from INQUEST_WRITE_TOKEN) stores canonical events on
#    /hooks/events; no token there is 401 and a read token 403;
#  - an external-audience token (given as its SHA-256) gets only drafts,
#    always external and pseudonymised, whatever it asks;
#  - a forged audit note (source inquest) on /hooks/events: 403 and not
#    stored, on an open loopback daemon and with write and admin tokens;
#  - POST /api/v1/incidents/ID/notes: 401/403 without an admin token,
#    201 with one (curl, and `inquest incident set` with INQUEST_TOKEN);
#    the incident and its draft change, the note carries by=<token name>;
#  - a non-loopback listener without tokens and secrets is refused with a
#    message naming what is missing, starts with --insecure (loudly), and
#    starts without it once tokens, secrets and sources_enabled are set;
#  - HTTPS with a self-signed certificate made here, checked by curl
#    --cacert and by `inquest --cacert` sending a note.
. "$IQ_ROOT/tests/lib.sh"
command -v curl >/dev/null || fail "curl is required (make deps-test)"
command -v openssl >/dev/null || fail "openssl is required (make deps-test)"

R=read-token-0123456789abcdef
W=write-token-0123456789abcdef
A=admin-token-0123456789abcdef
X=status-page-0123456789abcdef
XS=$(printf %s "$X" | openssl dgst -sha256 | sed 's/^.*= *//')
cat >"$IQ_TMP/conf.json" <<JSON
{"access": {"tokens": [
  {"name": "grafana", "token": "$R", "role": "read"},
  {"name": "status-page", "sha256": "$XS", "role": "read", "audience": "external"}]}}
JSON

d=$(iq_tmpdir)
INQUEST_WRITE_TOKEN=$W INQUEST_ADMIN_TOKEN=$A iq_start_daemon "$d/data" 0 --config "$IQ_TMP/conf.json"
port=$IQ_ZMQ_PORT
U="http://127.0.0.1:$IQ_HTTP_PORT"
RESP="$IQ_TMP/resp"
# get PATH [curl args]: prints the status, the body in $RESP
get() { p=$1; shift; curl -s -o "$RESP" -w '%{http_code}' "$@" "$U$p"; }
# post PATH FILE [curl args]
post() { p=$1; f=$2; shift 2; curl -s -o "$RESP" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$f" "$@" "$U$p"; }
bearer() { echo "Authorization: Bearer $1"; }
want() { # want CODE GOT [WHAT]
  [ "$2" = "$1" ] || fail "${3:-request}: want $1, got $2: $(cat "$RESP")"
}
stored_ids() { "$IQ" --data "$d/data" events --json | sed -n 's/^{"id":"\([^"]*\)".*/\1/p'; }

# canonical events over HTTP with the write token
{ printf '['; paste -sd, "$IQ_ROOT/tests/data/render/sample-events.ndjson"; printf ']'; } >"$IQ_TMP/sample.json"
want 401 "$(post /hooks/events "$IQ_TMP/sample.json")" "events without a token"
grep -q 'write token' "$RESP" || fail "401 on /hooks/events does not say a write token is needed"
want 403 "$(post /hooks/events "$IQ_TMP/sample.json" -H "$(bearer "$R")")" "events with a read token"
[ -z "$(stored_ids)" ] || fail "refused deliveries were stored"
want 200 "$(post /hooks/events "$IQ_TMP/sample.json" -H "$(bearer "$W")")" "events with the write token"
grep -q '"stored":16' "$RESP" || fail "not all sample events stored: $(cat "$RESP")"

# the read API
want 401 "$(get /api/v1/incidents -D "$IQ_TMP/hdr")" "no token"
grep -qi '^WWW-Authenticate: Bearer' "$IQ_TMP/hdr" || fail "401 without a Bearer challenge"
want 401 "$(get /api/v1/incidents -H "$(bearer wrong-token-0123456789abcdef)")" "wrong token"
want 401 "$(get /api/v1/incidents -H "Authorization: Basic Zm9vOmJhcg==")" "basic credentials"
want 403 "$(get /api/v1/incidents -H "$(bearer "$W")")" "write token on the read API"
want 200 "$(get /healthz)" "/healthz"
want 200 "$(get /metrics)" "/metrics"
i=0
until [ "$(get /api/v1/incidents -H "$(bearer "$R")")" = 200 ] && grep -q '"id":"inc-' "$RESP"; do
  i=$((i + 1)); [ $i -lt 100 ] || fail "no incident listed: $(cat "$RESP")"; sleep 0.1
done
id=$(sed -n 's/.*"id":"\(inc-[0-9a-f-]*\)".*/\1/p' "$RESP" | head -1)
want 200 "$(get "/api/v1/incidents/$id" -H "$(bearer "$A")")" "admin reads"
want 200 "$(get "/api/v1/query?service=checkout" -H "$(bearer "$R")")" "query with a read token"
want 401 "$(get "/api/v1/query?service=checkout")" "query without a token"

# drafts: the internal reader sees people, the external token never does
want 200 "$(get "/api/v1/incidents/$id/draft.md" -H "$(bearer "$R")")" "internal draft"
grep -q 'checkout by alice' "$RESP" || fail "the internal draft lacks the person this test looks for"
for q in "" "?audience=internal" "?audience=internal&pseudonymize=0" "?pseudonymize=false&audience=internal"; do
  want 200 "$(get "/api/v1/incidents/$id/draft.md$q" -H "$(bearer "$X")")" "external draft$q"
  grep -q 'alice' "$RESP" && fail "external token got an internal draft with $q"
  grep -q 'responder [A-Z]' "$RESP" || fail "external draft$q is not pseudonymised"
done
want 200 "$(get "/api/v1/incidents/$id/draft.json?audience=internal" -H "$(bearer "$X")")" "external json"
grep -q '"audience": *"external"' "$RESP" || fail "draft.json for the external token: $(head -c 300 "$RESP")"
want 403 "$(get "/api/v1/incidents/$id" -H "$(bearer "$X")")" "external token on the incident JSON"
want 403 "$(get /api/v1/incidents -H "$(bearer "$X")")" "external token on the list"
want 403 "$(get "/api/v1/query?service=checkout" -H "$(bearer "$X")")" "external token on the query"

# forged audit notes on /hooks/events are refused and stored nowhere
forged() { # forged ID: a note setting the title, as the audit found it
  cat >"$IQ_TMP/forged.json" <<JSON
{"id":"$1","source":"inquest","kind":"note","action":"set","at":"2026-10-21T14:00:00Z",
 "service":"inquest","title":"set $id","labels":{"incident":"$id","field":"title",
 "value":"Outage caused by Bob's careless deploy"}}
JSON
}
forged forged-1
want 401 "$(post /hooks/events "$IQ_TMP/forged.json")" "forged note without credentials"
want 403 "$(post /hooks/events "$IQ_TMP/forged.json" -H "$(bearer "$W")")" "forged note with the write token"
grep -q 'audit notes' "$RESP" || fail "403 does not say why: $(cat "$RESP")"
want 403 "$(post /hooks/events "$IQ_TMP/forged.json" -H "$(bearer "$A")")" "note on a webhook with the admin token"
stored_ids | grep -q '^forged-1$' && fail "a forged note was stored"

# audit notes through the API: admin only
printf '{"action":"set","field":"title","value":"Checkout outage (renamed by an admin)"}' >"$IQ_TMP/note.json"
want 401 "$(post "/api/v1/incidents/$id/notes" "$IQ_TMP/note.json")" "note without a token"
want 403 "$(post "/api/v1/incidents/$id/notes" "$IQ_TMP/note.json" -H "$(bearer "$R")")" "note with a read token"
want 403 "$(post "/api/v1/incidents/$id/notes" "$IQ_TMP/note.json" -H "$(bearer "$W")")" "note with a write token"
want 404 "$(post /api/v1/incidents/inc-20990101-00000000/notes "$IQ_TMP/note.json" -H "$(bearer "$A")")" "unknown incident"
printf '{"action":"set","field":"colour","value":"red"}' >"$IQ_TMP/bad.json"
want 400 "$(post "/api/v1/incidents/$id/notes" "$IQ_TMP/bad.json" -H "$(bearer "$A")")" "bad note"
grep -q 'unknown field' "$RESP" || fail "400 does not name the problem: $(cat "$RESP")"
n_before=$(stored_ids | wc -l)
want 201 "$(post "/api/v1/incidents/$id/notes" "$IQ_TMP/note.json" -H "$(bearer "$A")")" "note with the admin token"
grep -q '"by":"env-admin"' "$RESP" || fail "answer lacks by: $(cat "$RESP")"
note=$(sed -n 's/.*"note":"\([^"]*\)".*/\1/p' "$RESP")
[ "$(stored_ids | wc -l)" -eq $((n_before + 1)) ] || fail "the note was not stored once"
"$IQ" --data "$d/data" events --json | grep "\"id\":\"$note\"" | grep -q '"by":"env-admin"' \
  || fail "stored note $note lacks the label by=env-admin"
i=0
until get "/api/v1/incidents/$id/draft.md" -H "$(bearer "$R")" >/dev/null && grep -q 'renamed by an admin' "$RESP"; do
  i=$((i + 1)); [ $i -lt 100 ] || fail "the draft does not reflect the note"; sleep 0.1
done
# the CLI with an admin token goes over HTTP (no --data, no ZeroMQ needed)
INQUEST_TOKEN=$A "$IQ" --http "$U" --zmq tcp://127.0.0.1:1 incident set "$id" identified=2026-10-21T13:50:00Z \
  >"$IQ_TMP/cli.out" 2>&1 || { cat "$IQ_TMP/cli.out" >&2; fail "inquest incident set over HTTP"; }
INQUEST_TOKEN=$R "$IQ" --http "$U" incident set "$id" identified=2026-10-21T13:51:00Z 2>"$IQ_TMP/cli.err" \
  && fail "a read token recorded a note through the CLI"
grep -q 'HTTP 403' "$IQ_TMP/cli.err" || fail "CLI refusal: $(cat "$IQ_TMP/cli.err")"
i=0
until "$IQ" --data "$d/data" incident show "$id" | grep -q 'identified     2026-10-21T13:50:00.000Z  (manual'; do
  i=$((i + 1)); [ $i -lt 100 ] || fail "the CLI's note was not applied"; sleep 0.1
done
[ "$("$IQ" --data "$d/data" events --json | grep -c '"by":"env-admin"')" -eq 2 ] || fail "two notes by env-admin expected"
iq_stop_daemon

# an open loopback daemon (the quick start) still refuses forged notes
d2=$(iq_tmpdir)
iq_start_daemon "$d2/data" 0
port2=$IQ_ZMQ_PORT
U="http://127.0.0.1:$IQ_HTTP_PORT"
forged forged-2
want 403 "$(post /hooks/events "$IQ_TMP/forged.json")" "forged note on an open daemon"
"$IQ" --data "$d2/data" events --json | grep -q forged-2 && fail "forged note stored on an open daemon"
want 200 "$(get /api/v1/incidents)" "open loopback API"
want 403 "$(post "/api/v1/incidents/$id/notes" "$IQ_TMP/note.json")" "notes on a daemon without an admin token"
iq_stop_daemon

# secure defaults: a non-loopback listener needs tokens and secrets
d3=$(iq_tmpdir)
"$IQD" --data "$d3/data" --listen-zmq "tcp://127.0.0.1:0" --listen-http "0.0.0.0:0" \
  >"$d3/refused.log" 2>&1 && fail "started on 0.0.0.0 without any auth"
grep -q 'refusing to start: the HTTP API on 0.0.0.0:0 has no token' "$d3/refused.log" || { cat "$d3/refused.log" >&2; fail "refusal message (API)"; }
grep -q 'webhook sources without a secret.*alertmanager.*github' "$d3/refused.log" || fail "refusal message (sources)"
grep -q -- '--insecure' "$d3/refused.log" || fail "refusal does not mention --insecure"
"$IQD" --data "$d3/data" --listen-zmq "tcp://0.0.0.0:0" >"$d3/zmq.log" 2>&1 && fail "started ZeroMQ on 0.0.0.0"
grep -q 'ZeroMQ ingest on tcp://0.0.0.0:.* accepts events from any sender' "$d3/zmq.log" || { cat "$d3/zmq.log" >&2; fail "ZeroMQ refusal message"; }
"$IQD" --data "$d3/data" --listen-zmq "tcp://127.0.0.1:0" --listen-http "0.0.0.0:0" --insecure \
  --ports-file "$d3/ports" >"$d3/insecure.log" 2>&1 &
IQ_DAEMON_PID=$!
iq_wait_until 30 iq_daemon_ready "$d3/ports" "$IQ_DAEMON_PID" "$d3/insecure.log"
zp=$(iq_ports_value "$d3/ports" zmq_port); hp=$(iq_ports_value "$d3/ports" http_port)
grep -q 'INSECURE (--insecure)' "$d3/insecure.log" || fail "no loud warning with --insecure"
iq_stop_daemon
# with tokens, secrets for the sources in use, and only those served: starts
cat >"$IQ_TMP/secure.json" <<JSON
{"sources_enabled": "alertmanager,events", "sources": {"alertmanager": {"token": "am-token-0123456789abcdef"}},
 "access": {"tokens": [{"name": "reader", "token": "$R", "role": "read"},
                       {"name": "sender", "token": "$W", "role": "write"}]}}
JSON
"$IQD" --config "$IQ_TMP/secure.json" --data "$d3/data" --listen-zmq "tcp://127.0.0.1:$zp" \
  --listen-http "0.0.0.0:$hp" --ports-file "$d3/ports" >"$d3/secure.log" 2>&1 &
IQ_DAEMON_PID=$!
iq_wait_until 30 iq_daemon_ready "$d3/ports" "$IQ_DAEMON_PID" "$d3/secure.log"
U="http://127.0.0.1:$hp"
want 404 "$(post /hooks/github "$IQ_TMP/sample.json")" "a source left out by sources_enabled"
want 401 "$(get /api/v1/incidents)" "secured daemon without a token"
iq_stop_daemon

# HTTPS with a self-signed certificate
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$IQ_TMP/key.pem" -out "$IQ_TMP/cert.pem" >/dev/null 2>&1 || fail "openssl req"
chmod 600 "$IQ_TMP/key.pem"
d4=$(iq_tmpdir)
INQUEST_ADMIN_TOKEN=$A iq_start_daemon "$d4/data" 0 --config "$IQ_TMP/conf.json" \
  --tls-cert-file "$IQ_TMP/cert.pem" --tls-key-file "$IQ_TMP/key.pem"
port4=$IQ_ZMQ_PORT
U="https://127.0.0.1:$IQ_HTTP_PORT"
want 200 "$(get /api/v1/incidents --cacert "$IQ_TMP/cert.pem" -H "$(bearer "$R")")" "HTTPS read"
want 401 "$(get /api/v1/incidents --cacert "$IQ_TMP/cert.pem")" "HTTPS without a token"
curl -s -o /dev/null "$U/healthz" && fail "curl trusted a self-signed certificate without --cacert"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$IQ_HTTP_PORT/healthz" || true)
[ "$code" = 200 ] && fail "plain HTTP answered on the HTTPS port"
grep -q "webhooks on https://" "$d4/data.log" || fail "start line does not say https"
"$IQ" --quiet --zmq "tcp://127.0.0.1:$port4" send "$IQ_ROOT/tests/data/render/sample-events.ndjson" >/dev/null || fail "send"
i=0
until [ "$(get /api/v1/incidents --cacert "$IQ_TMP/cert.pem" -H "$(bearer "$R")")" = 200 ] && grep -q '"id":"inc-' "$RESP"; do
  i=$((i + 1)); [ $i -lt 100 ] || fail "no incident over HTTPS"; sleep 0.1
done
id4=$(sed -n 's/.*"id":"\(inc-[0-9a-f-]*\)".*/\1/p' "$RESP" | head -1)
INQUEST_TOKEN=$A "$IQ" --quiet --http "$U" incident set "$id4" title=HTTPS 2>"$IQ_TMP/tls.err" \
  && fail "the CLI trusted a self-signed certificate without --cacert"
INQUEST_TOKEN=$A "$IQ" --quiet --http "$U" --cacert "$IQ_TMP/cert.pem" incident set "$id4" title=HTTPS-note \
  || fail "inquest --cacert over HTTPS"
i=0
until [ "$(get "/api/v1/incidents/$id4" --cacert "$IQ_TMP/cert.pem" -H "$(bearer "$R")")" = 200 ] && grep -q '"title":"HTTPS-note"' "$RESP"; do
  i=$((i + 1)); [ $i -lt 100 ] || fail "the HTTPS note was not applied: $(head -c 300 "$RESP")"; sleep 0.1
done
iq_stop_daemon
