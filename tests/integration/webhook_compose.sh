#!/bin/sh
# docker-compose.yml is valid (docker-compose config -q; Docker itself
# cannot run here), names the services of the demo loop, and the demo
# configs it mounts exist and point Alertmanager at inquestd's webhook with
# the token inquestd gets from the env file.  The daemon's command line in
# the compose file, run here with and without that env file, starts on
# 0.0.0.0 only with it: the container never listens unauthenticated.
. "$IQ_ROOT/tests/lib.sh"
command -v docker-compose >/dev/null || fail "docker-compose is required (Debian package docker-compose)"
cd "$IQ_ROOT"
docker-compose -f docker-compose.yml config -q || fail "docker-compose config -q refused docker-compose.yml"
out=$(docker-compose -f docker-compose.yml config --services | sort | tr '\n' ' ')
[ "$out" = "alertmanager inquestd prometheus " ] || fail "services: $out"
for f in deploy/prometheus/prometheus.yml deploy/prometheus/rules.yml deploy/alertmanager/alertmanager.yml \
         deploy/alertmanager/inquest-token deploy/inquest.env Dockerfile; do
  [ -f "$f" ] || fail "missing $f"
done
grep -q 'url: http://inquestd:7700/hooks/alertmanager' deploy/alertmanager/alertmanager.yml || fail "receiver url"
grep -q 'credentials_file: /etc/alertmanager/inquest-token' deploy/alertmanager/alertmanager.yml || fail "receiver token file"
grep -q 'deploy/alertmanager/inquest-token:/etc/alertmanager/inquest-token:ro' docker-compose.yml || fail "token file not mounted"
grep -q 'deploy/inquest.env' docker-compose.yml || fail "inquestd has no env_file"
am=$(sed -n 's/^INQUEST_ALERTMANAGER_TOKEN=//p' deploy/inquest.env)
[ -n "$am" ] && [ "$am" = "$(cat deploy/alertmanager/inquest-token)" ] || fail "Alertmanager and inquestd disagree on the token"
for v in READ WRITE ADMIN; do grep -q "^INQUEST_${v}_TOKEN=." deploy/inquest.env || fail "no INQUEST_${v}_TOKEN"; done
grep -q '0.0.0.0:7701\|"7701:7701"\|:7701:7701' docker-compose.yml Dockerfile && fail "ZeroMQ exposed beyond loopback"
# the demo configs are valid for the real tools where those are installed
if command -v promtool >/dev/null; then
  promtool check rules deploy/prometheus/rules.yml >/dev/null || fail "promtool rules"
fi
if command -v amtool >/dev/null; then
  amtool check-config deploy/alertmanager/alertmanager.yml >/dev/null || fail "amtool config"
fi

# the compose command line, on a free port: refused without the env file...
for f in '"--listen-http", "0.0.0.0:7700",' '"--listen-zmq", "tcp://127.0.0.1:7701",' \
         '"--sources-enabled", "alertmanager,events"]'; do
  grep -qF -- "$f" docker-compose.yml || fail "compose command changed ($f): update this test"
done
hp=0; zp=0; d=$(iq_tmpdir)
run() { "$IQD" --data "$d/data" --listen-http "0.0.0.0:$hp" --listen-zmq "tcp://127.0.0.1:$zp" \
          --sources-enabled alertmanager,events; }
( unset INQUEST_READ_TOKEN INQUEST_WRITE_TOKEN INQUEST_ADMIN_TOKEN INQUEST_ALERTMANAGER_TOKEN; run ) \
  >"$d/bare.log" 2>&1 && fail "inquestd started on 0.0.0.0 without the env file"
grep -q 'refusing to start' "$d/bare.log" || { cat "$d/bare.log" >&2; fail "no refusal message"; }
# ...and serving with it: Alertmanager's token stores, the read token reads
( set -a; . ./deploy/inquest.env; set +a; exec "$IQD" --data "$d/data" --listen-http "0.0.0.0:$hp" \
    --listen-zmq "tcp://127.0.0.1:$zp" --sources-enabled alertmanager,events --ports-file "$d/ports" ) \
  >"$d/env.log" 2>&1 &
IQ_DAEMON_PID=$!
iq_wait_until 30 iq_daemon_ready "$d/ports" "$IQ_DAEMON_PID" "$d/env.log"
hp=$(iq_ports_value "$d/ports" http_port)
code=$(curl -s -o "$d/resp" -w '%{http_code}' -H "Authorization: Bearer $am" -H 'Content-Type: application/json' \
  --data-binary @tests/data/webhooks/alertmanager/firing.group-2-alerts.json "http://127.0.0.1:$hp/hooks/alertmanager")
[ "$code" = 200 ] || fail "Alertmanager's token: $code $(cat "$d/resp")"
rt=$(sed -n 's/^INQUEST_READ_TOKEN=//p' deploy/inquest.env)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $rt" "http://127.0.0.1:$hp/api/v1/incidents")
[ "$code" = 200 ] || fail "read token: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hp/api/v1/incidents")
[ "$code" = 401 ] || fail "no token: $code"
iq_stop_daemon
