#!/bin/sh
# Every vendor fixture (tests/data/webhooks) posted over real HTTP to
# inquestd with its secrets configured and the deliveries signed as the
# vendors sign them; the stored canonical events are checked field by
# field (times in UTC ms).  Repeats are answered 200 and stored once.
# Ignored GitHub events get 202 with the reason; Slack's challenge is
# answered.  Then the recording (--record) is replayed with `inquest
# replay` into a second daemon, which must store the same event ids.
. "$IQ_ROOT/tests/lib.sh"
. "$IQ_ROOT/tests/data/webhooks/wh_lib.sh"
d=$(iq_tmpdir)
cat >"$d/conf.json" <<'CONF'
{"sources": {"github": {"secret": "gh-secret"}, "pagerduty": {"secret": "pd-secret"},
             "slack": {"secret": "slack-secret"}, "alertmanager": {"token": "am-token"},
             "gitlab": {"token": "gl-token"}, "grafana": {"token": "gf-token"}}}
CONF
iq_start_daemon "$d/data" 0 --config "$d/conf.json" --record "$d/rec.ndjson"
port=$IQ_ZMQ_PORT

F=$WH_DATA
am() { wh_post /hooks/alertmanager "$1" -H 'Authorization: Bearer am-token'; }
gf() { wh_post /hooks/grafana "$1" -H 'Authorization: Bearer gf-token'; }
gh() { sig=$(wh_hmac gh-secret <"$2")
       wh_post /hooks/github "$2" -H "X-GitHub-Event: $1" -H "X-GitHub-Delivery: del-$1" \
         -H "X-Hub-Signature-256: sha256=$sig"; }
pd() { sig=$(wh_hmac pd-secret <"$1"); wh_post /hooks/pagerduty "$1" -H "X-PagerDuty-Signature: v1=$sig"; }
sl() { ts=$(date +%s); sig=$( { printf 'v0:%s:' "$ts"; cat "$1"; } | wh_hmac slack-secret)
       wh_post /hooks/slack "$1" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: v0=$sig"; }

for f in "$F"/alertmanager/*.json; do c=$(am "$f"); [ "$c" = 200 ] || fail "alertmanager $f: $c $(cat "$WH_RESP")"; done
c=$(am "$F/alertmanager/firing.group-2-alerts.json")
[ "$c" = 200 ] && grep -q '"stored":0,"duplicates":2' "$WH_RESP" || fail "repeat notification: $c $(cat "$WH_RESP")"
for f in "$F"/grafana/*.json; do c=$(gf "$f"); [ "$c" = 200 ] || fail "grafana $f: $c $(cat "$WH_RESP")"; done
for f in "$F"/pagerduty/*.json; do c=$(pd "$f"); [ "$c" = 200 ] || fail "pagerduty $f: $c $(cat "$WH_RESP")"; done
for f in "$F"/opsgenie/*.json; do c=$(wh_post /hooks/opsgenie "$f"); [ "$c" = 200 ] || fail "opsgenie $f: $c"; done
for f in "$F"/statuspage/*.json; do c=$(wh_post /hooks/statuspage "$f"); [ "$c" = 200 ] || fail "statuspage $f: $c"; done
c=$(wh_post /hooks/gitlab "$F/gitlab/deployment.success.json" -H 'X-Gitlab-Token: gl-token' -H 'X-Gitlab-Event: Deployment Hook')
[ "$c" = 200 ] || fail "gitlab: $c $(cat "$WH_RESP")"
for e in deployment deployment_status; do
  c=$(gh $e "$F/github/$e.created.json"); [ "$c" = 200 ] || fail "github $e: $c $(cat "$WH_RESP")"
done
for f in "$F"/github/workflow_run.*.json; do c=$(gh workflow_run "$f"); [ "$c" = 200 ] || fail "github workflow_run: $c"; done
c=$(gh push "$F/github/push.new-branch.json")
[ "$c" = 202 ] && grep -q "GitHub event 'push' is not mapped" "$WH_RESP" || fail "github push: $c $(cat "$WH_RESP")"
c=$(sl "$F/slack/events-api.event_callback.message.json"); [ "$c" = 200 ] || fail "slack message: $c $(cat "$WH_RESP")"
c=$(sl "$F/slack/events-api.event_callback.message.json")
[ "$c" = 200 ] && grep -q '"duplicates":1' "$WH_RESP" || fail "slack retry not deduplicated: $(cat "$WH_RESP")"
c=$(sl "$F/slack/events-api.url_verification.json")
[ "$c" = 200 ] && grep -qx '{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}' "$WH_RESP" \
  || fail "slack challenge: $c $(cat "$WH_RESP")"
cat >"$d/canon.json" <<'EV'
[{"id": "deploy-42", "source": "ci", "kind": "deploy", "action": "succeeded", "at": "2026-10-21T13:40:00Z", "service": "checkout-api"},
 {"id": "note-1", "source": "ci", "kind": "note", "action": "posted", "at": "2026-10-21T13:41:00.5+02:00"}]
EV
c=$(wh_post /hooks/events "$d/canon.json"); [ "$c" = 200 ] || fail "events: $c $(cat "$WH_RESP")"

ev="$d/events.json"; wh_events "$d/data" >"$ev"
n=$(wc -l <"$ev"); [ "$n" -eq 29 ] || { cut -c1-90 "$ev" >&2; fail "stored $n events, want 29"; }
wh_expect "$ev" 'alertmanager:a1bc48475b20e73d:firing:2020-02-06T00:17:58.432911368Z' '"source":"alertmanager"' \
  '"kind":"alert"' '"action":"firing"' '"at":"2020-02-06T00:17:58.432Z"' '"service":"andromeda"' \
  '"severity":"critical"' '"title":"High CPU Temperature: High CPU core temperature"' \
  '"text":"CPU core temperature is 34.75C"' '"incident_key":"a1bc48475b20e73d"' \
  '"url":"http://cobalt:9090/graph?g0.expr=avg+by%28host%29' '"receiver":"ops-zulip"' '"received_at":"20'
wh_expect "$ev" 'alertmanager:c2ea85182f28cbd9:firing:2020-02-06T00:17:58.432911368Z' '"text":"CPU core temperature is 17.625C"'
wh_expect "$ev" 'alertmanager:{\"alertname\":\"Fire\",\"severity\":\"critical\"}:resolved:2018-11-04T22:43:58.283995108+01:00' \
  '"action":"resolved"' '"at":"2018-11-04T21:48:13.283Z"' '"ends_at":"2018-11-04T21:48:13.283Z"' '"title":"Fire"' \
  '"url":"http://localhost:9090/graph?g0.expr=vector%28666%29&g0.tab=1"'
wh_expect "$ev" 'grafana:c6eadffa33fcdf37:firing:2021-10-12T09:51:03.157076+02:00' '"at":"2021-10-12T07:51:03.157Z"' \
  '"title":"High memory usage: This alert was triggered for zone us-1"' '"zone":"us-1"'
wh_expect "$ev" 'grafana:aaafafe0953f0962:resolved:2022-06-17T01:04:00.782137894Z' '"action":"resolved"' \
  '"at":"2022-06-17T01:08:28.652Z"' '"service":"rabbitmq"' '"instance":"badhost.example.com"'
wh_expect "$ev" 'grafana:6f9cd313db421ef1:firing:2022-06-17T01:03:00.782137894Z' '"action":"firing"'
wh_expect "$ev" 'grafana:e6349a25f5ef0e9e:firing:2024-03-01T02:09:00Z' '"at":"2024-03-01T02:09:00.000Z"' '"title":"Memory (copy): High memory usage"'
wh_expect "$ev" 'pagerduty:01BZYK8N47N5JG55J1EEEHPEJI' '"kind":"page"' '"action":"acknowledged"' \
  '"at":"2021-06-04T13:55:30.394Z"' '"service":"pig208"' '"title":"Test Incident"' '"actor":"PIG 208"' \
  '"url":"https://pig208.pagerduty.com/incidents/PQ1K5C8"' '"incident_key":"PQ1K5C8"' '"severity":"high"'
wh_expect "$ev" 'pagerduty:01BZYIL05THJDFF2Y08X9SVMTU' '"action":"triggered"' '"at":"2021-06-04T13:35:29.781Z"'
wh_expect "$ev" 'pagerduty:01BZYH1JJY09P9LEIST8HG2PMN' '"action":"resolved"' '"at":"2021-06-04T13:16:53.816Z"'
wh_expect "$ev" 'pagerduty:01GI0KTE33V5QXBVIJDEVJFUNE' '"action":"annotated"' \
  '"text":"Running KILL on long-running queries from the reporting-service."' '"incident_key":"Q3B15VLMF3ASBD"'
wh_expect "$ev" 'pagerduty:01BWDWL3NYY7LUFPZCC28QUCMK' '"action":"priority_updated"' '"severity":"P1"' '"at":"2021-04-26T17:36:27.458Z"'
wh_expect "$ev" 'pagerduty:5ac64822-4adc-4fda-ade0-410becf0de4f' '"pd_incident_key":"d3640fbd41094207a1c11e58e46b1662"'
wh_expect "$ev" 'opsgenie:ec03dad6-62c8-4c94-b38b-d88f398e900f:Create:1502709956288000110' '"action":"triggered"' \
  '"at":"2017-08-14T11:25:56.288Z"' '"service":"Server"' '"severity":"P3"' '"title":"another alert"' '"incident_key":"alert-alias"'
wh_expect "$ev" 'opsgenie:052652ac-5d1c-464a-812a-7dd18bbfba8c:Acknowledge:1420452224764002246' '"action":"acknowledged"' \
  '"at":"2015-01-05T10:03:44.764Z"' '"service":"fili@ifountain.com"'
wh_expect "$ev" 'opsgenie:052652ac-5d1c-464a-812a-7dd18bbfba8c:Close:1420452374669001603' '"action":"resolved"' '"at":"2015-01-05T10:06:14.669Z"'
wh_expect "$ev" 'statuspage:incident:z3lct0r596n4:cdwfdrjlp53y' '"kind":"status"' '"action":"resolved"' \
  '"at":"2017-12-26T07:37:20.785Z"' '"severity":"none"' '"title":"Database query delays"' \
  '"text":"The database issue is resolved."' '"url":"http://stspg.io/646947c1e"'
wh_expect "$ev" 'statuspage:component:nd963wv4j30b' '"action":"under_maintenance"' '"at":"2017-12-26T07:59:09.379Z"' \
  '"service":"Database component"' '"old_status":"operational"'
wh_expect "$ev" 'gitlab:deployment:15:success' '"kind":"deploy"' '"action":"succeeded"' '"at":"2021-04-28T19:50:00.000Z"' \
  '"service":"root/test-deployment-webhooks"' '"environment":"staging"' '"actor":"root"' '"sha":"279484c0"'
wh_expect "$ev" 'github:deployment:145988746' '"action":"created"' '"at":"2019-05-15T15:20:53.000Z"' \
  '"service":"Codertocat/Hello-World"' '"environment":"production"' '"delivery":"del-deployment"'
wh_expect "$ev" 'github:deployment_status:209916254' '"action":"succeeded"' '"at":"2019-05-15T15:20:55.000Z"' '"state":"success"'
wh_expect "$ev" 'github:workflow_run:289782451:1:completed' '"action":"succeeded"' '"at":"2020-10-05T16:33:49.000Z"' \
  '"service":"octo-org/octo-repo"' '"url":"https://github.com/octo-org/octo-repo/actions/runs/289782451"'
wh_expect "$ev" 'github:workflow_run:289782451:1:requested' '"action":"requested"' '"status":"queued"'
wh_expect "$ev" 'slack:C06NRA6JLER:1719209506.817929' '"kind":"chat"' '"action":"posted"' '"at":"2024-06-24T06:11:46.817Z"' \
  '"text":"Hello, this is a normal text message"' '"actor":"U06NU4E26M9"' '"channel":"C06NRA6JLER"' '"event_id":"Ev079SP4TP1P"'
wh_expect "$ev" 'deploy-42' '"source":"ci"' '"at":"2026-10-21T13:40:00.000Z"' '"service":"checkout-api"'
wh_expect "$ev" 'note-1' '"at":"2026-10-21T11:41:00.500Z"'

# metrics count what happened
curl -s "http://127.0.0.1:$IQ_HTTP_PORT/metrics" >"$d/metrics"
grep -q '^inquest_http_requests_total{source="github",outcome="ignored"} 1$' "$d/metrics" || fail "metrics: ignored"
grep -q '^inquest_http_events_total{source="alertmanager",outcome="duplicate"} 2$' "$d/metrics" || fail "metrics: duplicates"
grep -q '^inquest_http_store_seconds_count ' "$d/metrics" || fail "metrics: latency"
[ "$(curl -s "http://127.0.0.1:$IQ_HTTP_PORT/healthz")" = '{"status":"ok"}' ] || fail "healthz"
iq_stop_daemon

# the recording, replayed into a fresh daemon, stores the same events
nrec=$(wc -l <"$d/rec.ndjson"); [ "$nrec" -eq 28 ] || fail "recorded $nrec deliveries, want 28"
grep -q '"path":"/hooks/github","headers":{' "$d/rec.ndjson" || fail "recording format"
iq_start_daemon "$d/data2" 0 --listen-http off
port2=$IQ_ZMQ_PORT
sed 's/"x-slack-signature":"[^"]*"/"x-slack-signature":"v0=00"/' "$d/rec.ndjson" >"$d/rec2.ndjson"
out=$("$IQ" --zmq "tcp://127.0.0.1:$port2" --config "$d/conf.json" replay --sources "$IQ_ROOT/schemas/sources" "$d/rec2.ndjson" 2>"$d/replay.err") && st=0 || st=$?
# the recording keeps the exact bytes of bodies that are not compact JSON
# (GitHub's are indented), so every HMAC verifies again; only the Slack
# signatures, spoiled above, are refused
grep -q '"path":"/hooks/github".*"body_text":' "$d/rec.ndjson" || fail "indented body not kept verbatim"
nslack=$(grep -c '"x-slack-signature":' "$d/rec.ndjson")
[ "$nslack" -ge 1 ] || fail "no signed Slack delivery recorded"
[ "$st" -eq 1 ] || fail "replay with secrets: status $st, $out"
case "$out" in "deliveries 28 (refused $nslack, "*) ;; *) fail "replay with secrets: $out (want $nslack refused)" ;; esac
[ "$(grep -c ': 401 ' "$d/replay.err")" -eq "$nslack" ] || fail "replay errors: $(cat "$d/replay.err")"
grep ': 401 ' "$d/replay.err" | grep -v 'x-slack-signature' && fail "a refusal other than Slack's"
out=$("$IQ" --zmq "tcp://127.0.0.1:$port2" replay --sources "$IQ_ROOT/schemas/sources" "$d/rec.ndjson") \
  || fail "replay: $out"
case "$out" in "deliveries 28 (refused 0, ignored 2), events 32: stored "*", duplicates "*", rejected 0"*) ;; *) fail "replay summary: $out" ;; esac
wh_events "$d/data2" | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort >"$d/ids2"
sed 's/^{"id":"\([^"]*\)".*/\1/' "$ev" | sort >"$d/ids1"
cmp -s "$d/ids1" "$d/ids2" || { diff "$d/ids1" "$d/ids2" >&2; fail "replayed ids differ"; }
iq_stop_daemon
