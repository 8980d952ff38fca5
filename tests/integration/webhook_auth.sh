#!/bin/sh
# Authentication per source over real HTTP: GitHub X-Hub-Signature-256,
# Slack v0 signatures with X-Slack-Request-Timestamp (stale refused),
# PagerDuty X-PagerDuty-Signature (several v1= values), Grafana's
# X-Grafana-Alerting-Signature (over the body, or "{ts}:{body}" with its
# timestamp header; a bearer token instead), a bearer token and GitLab's
# shared-secret header, and a secret taken from the environment.
# Valid deliveries are stored; wrong, missing or stale ones get 401 with
# the reason and nothing is stored.
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/webhooks/wh_lib.sh"
d=$(iq_tmpdir)
cat >"$d/conf.json" <<'CONF'
{"sources": {"github": {"secret": "It's a Secret to Everybody"}, "pagerduty": {"secret": "pd-secret"},
             "slack": {"secret": "8f742231b10e8888abcd99yyyzzz85a5"}, "gitlab": {"token": "gl-token"},
             "grafana": {"secret": "gf-secret"}}}
CONF
INQUEST_ALERTMANAGER_TOKEN=env-token iq_start_daemon "$d/data" 0 --config "$d/conf.json"
port=$IQ_ZMQ_PORT
F=$WH_DATA
stored() { wh_events "$d/data" | wc -l; }
expect() { # expect WANT_CODE WANT_MESSAGE_PART GOT_CODE
  [ "$3" = "$1" ] || fail "want $1, got $3: $(cat "$WH_RESP")"
  [ -z "$2" ] || grep -qF "$2" "$WH_RESP" || fail "answer lacks '$2': $(cat "$WH_RESP")"
}

# GitHub
dep="$F/github/deployment.created.json"; sig=$(wh_hmac "It's a Secret to Everybody" <"$dep")
gh() { wh_post /hooks/github "$dep" -H 'X-GitHub-Event: deployment' "$@"; }
expect 401 'missing signature header x-hub-signature-256' "$(gh)"
expect 401 'signature mismatch' "$(gh -H "X-Hub-Signature-256: sha256=$(printf x | wh_hmac "It's a Secret to Everybody")")"
expect 401 'expected prefix sha256=' "$(gh -H "X-Hub-Signature-256: $sig")"
[ "$(stored)" -eq 0 ] || fail "a refused delivery was stored"
expect 200 '"stored":1' "$(gh -H "X-Hub-Signature-256: sha256=$sig")"
# the documented test vector: the signature is right, the body is not JSON
printf 'Hello, World!' >"$d/hello"
c=$(wh_post /hooks/github "$d/hello" -H 'X-GitHub-Event: ping' \
  -H 'X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17')
expect 400 'malformed JSON' "$c"

# Slack
msg="$F/slack/events-api.event_callback.message.json"
slsig() { { printf 'v0:%s:' "$1"; cat "$msg"; } | wh_hmac 8f742231b10e8888abcd99yyyzzz85a5; }
now=$(date +%s); old=$((now - 400))
sl() { wh_post /hooks/slack "$msg" "$@"; }
expect 401 'missing x-slack-request-timestamp' "$(sl -H "X-Slack-Signature: v0=$(slsig "$now")")"
expect 401 'missing x-slack-signature' "$(sl -H "X-Slack-Request-Timestamp: $now")"
expect 401 'stale' "$(sl -H "X-Slack-Request-Timestamp: $old" -H "X-Slack-Signature: v0=$(slsig "$old")")"
expect 401 'signature mismatch' "$(sl -H "X-Slack-Request-Timestamp: $now" -H "X-Slack-Signature: v0=$(slsig "$old")")"
[ "$(stored)" -eq 1 ] || fail "a refused Slack delivery was stored"
expect 200 '"stored":1' "$(sl -H "X-Slack-Request-Timestamp: $now" -H "X-Slack-Signature: v0=$(slsig "$now")")"

# PagerDuty: any one of several v1= signatures
ack="$F/pagerduty/webhook-v3.incident.acknowledged.json"; pds=$(wh_hmac pd-secret <"$ack")
pd() { wh_post /hooks/pagerduty "$ack" "$@"; }
expect 401 'missing x-pagerduty-signature' "$(pd)"
expect 401 'no matching v1 signature' "$(pd -H "X-PagerDuty-Signature: v1=$(printf x | wh_hmac pd-secret)")"
expect 401 'no matching v1 signature' "$(pd -H "X-PagerDuty-Signature: v0=$pds")"
expect 200 '"stored":1' "$(pd -H "X-PagerDuty-Signature: v1=$(printf x | wh_hmac pd-secret), v1=$pds")"

# Grafana: HMAC over the body; over "{ts}:{body}" when the timestamp header
# is sent (stale refused); or the same secret as a bearer token
g1="$F/grafana/firing.group-2-alerts.docs-example.json"
g2="$F/grafana/resolved.single-alert.grafana9.json"
g3="$F/grafana/firing.single-alert.grafana11-values.json"
gsig() { { [ -z "${2:-}" ] || printf "%s:" "$2"; cat "$1"; } | wh_hmac gf-secret; }
gf() { wh_post /hooks/grafana "$@"; }
n0=$(stored)
expect 401 'missing credentials: expected signature header x-grafana-alerting-signature' "$(gf "$g1")"
expect 401 'signature mismatch in x-grafana-alerting-signature' \
  "$(gf "$g1" -H "X-Grafana-Alerting-Signature: $(gsig "$g2")")"
expect 401 'signature mismatch' "$(gf "$g2" -H "X-Grafana-Alerting-Signature: $(gsig "$g2")" \
  -H "X-Grafana-Alerting-Signature-Timestamp: $now")"
expect 401 'stale' "$(gf "$g2" -H "X-Grafana-Alerting-Signature: $(gsig "$g2" "$old")" \
  -H "X-Grafana-Alerting-Signature-Timestamp: $old")"
expect 401 'wrong token' "$(gf "$g3" -H 'Authorization: Bearer gf-secreT')"
[ "$(stored)" -eq "$n0" ] || fail "a refused Grafana delivery was stored"
expect 200 '"stored":2' "$(gf "$g1" -H "X-Grafana-Alerting-Signature: $(gsig "$g1")")"
expect 200 '"stored":1' "$(gf "$g2" -H "X-Grafana-Alerting-Signature: $(gsig "$g2" "$now")" \
  -H "X-Grafana-Alerting-Signature-Timestamp: $now")"
expect 200 '"stored":1' "$(gf "$g3" -H 'Authorization: Bearer gf-secret')"

# bearer token from the environment; GitLab's X-Gitlab-Token
am="$F/alertmanager/resolved.single-alert.json"
expect 401 'missing credentials' "$(wh_post /hooks/alertmanager "$am")"
expect 401 'wrong token' "$(wh_post /hooks/alertmanager "$am" -H 'Authorization: Bearer env-tokeN')"
expect 200 '"stored":1' "$(wh_post /hooks/alertmanager "$am" -H 'Authorization: Bearer env-token')"
gl="$F/gitlab/deployment.success.json"
expect 401 'wrong token' "$(wh_post /hooks/gitlab "$gl" -H 'X-Gitlab-Token: gl-token ')"
expect 200 '"stored":1' "$(wh_post /hooks/gitlab "$gl" -H 'X-Gitlab-Token: gl-token')"
[ "$(stored)" -eq 9 ] || fail "stored $(stored) events, want 9"
curl -s "http://127.0.0.1:$IQ_HTTP_PORT/metrics" | grep -q '^inquest_http_requests_total{source="slack",outcome="unauthorized"} 4$' \
  || fail "unauthorized requests not counted"
iq_stop_daemon
