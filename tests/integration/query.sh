#!/bin/sh
# Cross-incident queries and manual classes through a real inquestd: the
# checkout example and an imported Statuspage history are correlated into
# three incidents; `inquest query` counts and times them (table, CSV,
# JSON, groups, filters), `inquest class show` explains the classes,
# `inquest class set|remove` store notes that the next query reflects, and
# bad arguments are refused.  Class notes need an admin CurveZMQ key
# (docs/security.md).
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
iq_curve_keys "$d"
# shellcheck disable=SC2086
iq_start_daemon "$d/data" 0 $IQ_CURVE_DAEMON
port=$IQ_ZMQ_PORT
Z="tcp://127.0.0.1:$port"
# shellcheck disable=SC2086
Q() { "$IQ" --data "$d/data" "$@"; }

"$IQ" --zmq "$Z" $IQ_CURVE_SENDER send "$IQ_ROOT/examples/incident-checkout.ndjson" >/dev/null || fail "send example"
"$IQ" --zmq "$Z" $IQ_CURVE_SENDER import statuspage "$IQ_ROOT/tests/data/import/api-v2-incidents.githubstatus.json" >/dev/null \
  || fail "import"
n=0
while [ "$(Q incidents --json 2>/dev/null | grep -o '"id": *"inc-' | wc -l)" -lt 3 ]; do
  n=$((n + 1)); [ "$n" -lt 100 ] || fail "the correlator did not derive 3 incidents"; sleep 0.1
done
inc=$(Q incidents --json | grep -o '"id": *"inc-2026[^"]*"' | head -1 | sed 's/.*"\(inc-[^"]*\)"/\1/')
sp=$(Q incidents --json | grep -o '"id": *"inc-2024[^"]*"' | head -1 | sed 's/.*"\(inc-[^"]*\)"/\1/')
[ -n "$inc" ] && [ -n "$sp" ] || fail "incident ids"

out=$(Q query --format json)
echo "$out" | grep -q '"group_by":"none","incidents":3' || fail "ungrouped json: $out"
out=$(Q query --group-by month --format csv)
echo "$out" | head -1 | grep -q '^group,count,mttd_median_s,mttd_p90_s,' || fail "csv header"
echo "$out" | grep -q '^"2024-09",2,' || fail "csv month 2024-09: $out"
echo "$out" | grep -q '^"2026-10",1,' || fail "csv month 2026-10: $out"
out=$(Q query --since 2026-01-01T00:00:00Z --service checkout-api)
echo "$out" | grep -q '^all  *1 ' || fail "filtered table: $out"
echo "$out" | grep -q '^1 incidents$' || fail "table footer: $out"

# the checkout example was rolled back during the incident
out=$(Q class show "$inc")
echo "$out" | grep -q '^deploy-regression' || fail "class show: $out"
echo "$out" | grep -q 'condition rollback-during-incident' || fail "class evidence: $out"
Q query --group-by class --format json | grep -q '"key":"deploy-regression","count":1' || fail "class group"

# an analyst's decisions are notes, reflected by the next query
"$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN class set "$sp" dependency-failure >/dev/null || fail "class set"
"$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN class remove "$inc" deploy-regression >/dev/null || fail "class remove"
out=$(Q query --class dependency-failure --format json)
echo "$out" | grep -q "\"incidents\":1,.*\"$sp\"" || fail "class set not reflected: $out"
out=$(Q query --class deploy-regression --format json)
echo "$out" | grep -q '"incidents":0' || fail "class remove not reflected: $out"
Q class show "$sp" | grep -q 'dependency-failure .*1.00 (set by hand)' || fail "manual class shown"
Q events --json --kind note | grep -q '"action":"class".*"incident_key":"inquest:class"' || fail "note event stored"

# refusals: unknown class, unknown incident, bad options
st=0; "$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN class set "$sp" no-such-class 2>/dev/null || st=$?
[ "$st" -eq 2 ] || fail "unknown class accepted"
st=0; "$IQ" --data "$d/data" --zmq "$Z" $IQ_CURVE_ADMIN class set inc-20000101-00000000 dns 2>/dev/null || st=$?
[ "$st" -eq 2 ] || fail "unknown incident accepted"
st=0; Q query --group-by year 2>/dev/null || st=$?
[ "$st" -eq 2 ] || fail "bad --group-by accepted"
st=0; Q query --window 30d 2>/dev/null || st=$?
[ "$st" -eq 2 ] || fail "--window without recurring accepted"
Q query recurring --window 90d >/dev/null || fail "recurring"
iq_stop_daemon
