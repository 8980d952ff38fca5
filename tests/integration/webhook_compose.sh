#!/bin/sh
# docker-compose.yml is valid (docker-compose config -q; Docker itself
# cannot run here), names the services of the demo loop, and the demo
# configs it mounts exist and point Alertmanager at inquestd's webhook.
. "$IQ_ROOT/tests/lib.sh"
command -v docker-compose >/dev/null || fail "docker-compose is required (Debian package docker-compose)"
cd "$IQ_ROOT"
docker-compose -f docker-compose.yml config -q || fail "docker-compose config -q refused docker-compose.yml"
out=$(docker-compose -f docker-compose.yml config --services | sort | tr '\n' ' ')
[ "$out" = "alertmanager inquestd prometheus " ] || fail "services: $out"
for f in deploy/prometheus/prometheus.yml deploy/prometheus/rules.yml deploy/alertmanager/alertmanager.yml Dockerfile; do
  [ -f "$f" ] || fail "missing $f"
done
grep -q 'url: http://inquestd:7700/hooks/alertmanager' deploy/alertmanager/alertmanager.yml || fail "receiver url"
grep -q 'credentials: demo-token' deploy/alertmanager/alertmanager.yml || fail "receiver token"
grep -q 'INQUEST_ALERTMANAGER_TOKEN: demo-token' docker-compose.yml || fail "token not given to inquestd"
# the demo configs are valid for the real tools where those are installed
if command -v promtool >/dev/null; then
  promtool check rules deploy/prometheus/rules.yml >/dev/null || fail "promtool rules"
fi
if command -v amtool >/dev/null; then
  amtool check-config deploy/alertmanager/alertmanager.yml >/dev/null || fail "amtool config"
fi
