#!/bin/sh
# Manual corrections through the CLI against a running inquestd, and the
# incidents API: `inquest incident merge/split/set` send audit notes the
# daemon's correlator applies; GET /api/v1/incidents[/ID] serves the same
# JSON as `inquest incident show --json`; a full rebuild with the daemon
# stopped reproduces the corrected incidents byte for byte; --rebuild
# refuses a store the daemon holds and --diff works beside it.  Notes need
# an admin CurveZMQ key (docs/security.md): the daemon runs with CurveZMQ,
# events come from a sender key, corrections from an admin key.
. "$IQ_ROOT/tests/lib.sh"
SC="$IQ_ROOT/tests/data/scenarios"
CONF="$SC/config.json"
d=$(iq_tmpdir)
iq_curve_keys "$d"
# shellcheck disable=SC2086
iq_start_daemon "$d/data" 0 --config "$CONF" $IQ_CURVE_DAEMON
port=$IQ_ZMQ_PORT
Z="tcp://127.0.0.1:$port"
# shellcheck disable=SC2086
"$IQ" --quiet --zmq "$Z" $IQ_CURVE_SENDER replay "$SC/s5-concurrent.ndjson" >/dev/null || fail "replay"

ids() { "$IQ" --data "$d/data" incidents --json | tr ',' '\n' | sed -n 's/.*"id": "\(inc-[0-9a-f-]*\)".*/\1/p'; }
wait_count() { # N: wait until N incidents are listed
  i=0
  while [ $i -lt 40 ]; do
    [ "$(ids | wc -l)" -eq "$1" ] && return 0
    sleep 0.1; i=$((i + 1))
  done
  ids >&2; fail "expected $1 incidents"
}
wait_count 2
A=$(ids | sed -n 1p); B=$(ids | sed -n 2p)

# the API serves what the CLI shows
[ -n "${IQ_HTTP_PORT:-}" ] || fail "daemon has no HTTP listener"
curl -sf "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/incidents/$A" >"$d/api.json" || fail "GET incident"
"$IQ" --data "$d/data" incident show "$A" --json | tr -d ' \n' >"$d/cli.json"
tr -d ' \n' <"$d/api.json" >"$d/api.min"
cmp -s "$d/api.min" "$d/cli.json" || fail "API and CLI disagree"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/incidents/inc-20990101-00000000")
[ "$code" = 404 ] || fail "unknown incident gave $code"
curl -sf "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/incidents" | grep -q "\"$B\"" || fail "list misses $B"
# ?since= filters by opening time (RFC 3339, URL-encoded, or -DURATION); junk is a 400
[ "$(curl -sf "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/incidents?since=2099-01-01T00%3A00%3A00Z")" = "[]" ] \
  || fail "since in the future should list nothing"
curl -sf "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/incidents?since=2000-01-01T00%3A00%3A00Z" | grep -q "\"$B\"" \
  || fail "since in the past misses $B"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/incidents?since=yesterday")
[ "$code" = 400 ] || fail "since=yesterday answered $code"

# bad input is refused before anything is sent
# shellcheck disable=SC2086
"$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident merge "$A" inc-20990101-00000000 2>"$d/err" && fail "merge with unknown id"
grep -q "no incident" "$d/err" || { cat "$d/err" >&2; fail "unknown id message"; }
"$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident set "$A" nonsense=1 2>/dev/null && fail "set of unknown field"
"$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident set "$A" mitigated=yesterday 2>/dev/null && fail "set with a bad time"

"$IQ" --quiet --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident merge "$A" "$B" || fail "merge"
wait_count 1
"$IQ" --data "$d/data" incident show "$A" --json | grep -q "\"$B\"" || fail "merged_from"
"$IQ" --quiet --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident split "$A" --service search || fail "split"
wait_count 2
"$IQ" --quiet --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN incident set "$A" identified=2026-03-08T09:30:00Z || fail "set"
i=0
until "$IQ" --data "$d/data" incident show "$A" | grep -q 'identified     2026-03-08T09:30:00.000Z  (manual'; do
  i=$((i + 1)); [ $i -lt 40 ] || fail "manual milestone not applied"; sleep 0.1
done
"$IQ" --data "$d/data" incidents --json >"$d/live.json"

# --rebuild needs the store to itself; --diff works beside the daemon
"$IQ" --data "$d/data" correlate --rebuild 2>"$d/err" && fail "rebuild beside the daemon"
grep -q 'inquestd running' "$d/err" || fail "rebuild error does not say why"
"$IQ" --quiet --config "$CONF" --data "$d/data" correlate --diff >"$d/diff" || fail "diff found changes: $(cat "$d/diff")"
iq_stop_daemon
"$IQ" --quiet --config "$CONF" --data "$d/data" correlate --rebuild || fail "rebuild"
"$IQ" --data "$d/data" incidents --json >"$d/rebuilt.json"
cmp -s "$d/live.json" "$d/rebuilt.json" || { diff "$d/live.json" "$d/rebuilt.json" >&2; fail "rebuild lost the corrections"; }
# a rule change shows up in --diff without being written
printf '{"correlate": {"quiet_period": "5m", "linked_channels": ["C0INCIDENT"], "services": {"Payments": "payments", "Search": "search"}}}\n' >"$d/q.json"
st=0; "$IQ" --quiet --config "$d/q.json" --data "$d/data" correlate --diff >"$d/diff" || st=$?
[ $st -eq 1 ] || fail "diff of a rule change exited $st"
grep -q 'closed_at' "$d/diff" || fail "diff does not show the closing time"
"$IQ" --data "$d/data" incidents --json | cmp -s - "$d/live.json" || fail "diff wrote"
echo ok
