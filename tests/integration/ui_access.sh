#!/bin/sh
# ui_access.sh - who may see the web UI, from a real inquestd with tokens.
#
# The UI has the read access of the incidents API (http/http_access.c):
#  - without a credential every page, the stylesheet and the root's
#    redirect are 401 with a Bearer challenge (a browser reaches them
#    through a reverse proxy that adds the header, docs/ui.md);
#  - a read or admin token sees them (200, the root 302 to /ui/);
#  - a write token (a sender) is 403: write does not imply read;
#  - an external-audience token is 403 on every UI path, with a message
#    that says why, while it still gets its external draft.
# The sample incident is stored first so that the incident page has
# something to show.
. "$IQ_ROOT/tests/lib.sh"
D="$IQ_ROOT/tests/data/render"
command -v curl >/dev/null || fail "curl is required (make deps-test)"
R=read-token-0123456789abcdef
X=external-token-0123456789abcdef
A=admin-token-0123456789abcdef
W=write-token-0123456789abcdef
cat >"$IQ_TMP/conf.json" <<EOF
{"access": {"tokens": [
  {"name": "grafana", "token": "$R", "role": "read"},
  {"name": "status-page", "token": "$X", "role": "read", "audience": "external"},
  {"name": "ops", "token": "$A", "role": "admin"},
  {"name": "collector", "token": "$W", "role": "write"}]},
 "correlate": {"components": {"Checkout API": "checkout"}}}
EOF
iq_start_daemon "$IQ_TMP/data" 0 --config "$IQ_TMP/conf.json"
U="http://127.0.0.1:$IQ_HTTP_PORT"
{ printf '['; paste -sd, "$D/sample-events.ndjson"; printf ']'; } >"$IQ_TMP/sample.json"
[ "$(curl -s -o "$IQ_TMP/body" -w '%{http_code}' -H "Authorization: Bearer $W" \
  -H 'Content-Type: application/json' --data-binary "@$IQ_TMP/sample.json" "$U/hooks/events")" = 200 ] \
  || fail "send the sample: $(cat "$IQ_TMP/body")"
derived() { curl -s -H "Authorization: Bearer $R" "$U/api/v1/incidents" | grep -q '"id"'; }
iq_wait_until 20 derived
id=$(curl -s -H "Authorization: Bearer $R" "$U/api/v1/incidents" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$id" ] || fail "no incident derived"

code() { # PATH [TOKEN]: the status of GET PATH, the answer in $IQ_TMP/body, headers in $IQ_TMP/head
  if [ -n "${2:-}" ]; then
    curl -s -D "$IQ_TMP/head" -o "$IQ_TMP/body" -w '%{http_code}' -H "Authorization: Bearer $2" "$U$1"
  else
    curl -s -D "$IQ_TMP/head" -o "$IQ_TMP/body" -w '%{http_code}' "$U$1"
  fi
}
for p in / /ui /ui/ "/ui/incidents/$id" /ui/query /ui/assets/ui.css "/ui/?status=open"; do
  [ "$(code "$p")" = 401 ] || fail "GET $p without a token: $(cat "$IQ_TMP/body")"
  grep -qi '^www-authenticate: Bearer' "$IQ_TMP/head" || fail "GET $p: 401 without a Bearer challenge"
  [ "$(code "$p" "$X")" = 403 ] || fail "GET $p with the external token: $(cat "$IQ_TMP/body")"
  grep -q 'web UI' "$IQ_TMP/body" || fail "GET $p, external token: the 403 does not say why: $(cat "$IQ_TMP/body")"
  [ "$(code "$p" "$W")" = 403 ] || fail "GET $p with a write token: $(cat "$IQ_TMP/body")"
done
for t in "$R" "$A"; do
  for p in /ui/ "/ui/incidents/$id" /ui/query; do
    [ "$(code "$p" "$t")" = 200 ] || fail "GET $p with a read or admin token: $(head -c 300 "$IQ_TMP/body")"
    grep -qi "^content-security-policy: default-src 'self'" "$IQ_TMP/head" || fail "GET $p: no policy"
  done
  [ "$(code /ui/assets/ui.css "$t")" = 200 ] || fail "the stylesheet with a token"
  [ "$(code / "$t")" = 302 ] || fail "GET / with a token"
  grep -qi '^location: /ui/' "$IQ_TMP/head" || fail "GET /: no Location /ui/"
done
[ "$(code "/ui/incidents/$id" "$R")" = 200 ] && grep -q 'data-milestone="detected"' "$IQ_TMP/body" \
  || fail "the incident page with a read token has no timeline"
# the external token keeps what it has: its external draft
[ "$(code "/api/v1/incidents/$id/draft.md" "$X")" = 200 ] || fail "external draft: $(cat "$IQ_TMP/body")"
iq_stop_daemon
echo "ui access: 401 without a token, 403 for external and write tokens, 200 for read and admin"
