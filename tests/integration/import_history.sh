#!/bin/sh
# A Statuspage history of 240 incidents (tests/data/import/
# statuspage-history.json, made by tools/gen_statuspage.py --seed 1: many
# overlapping on the same components, a fifth naming no component, some
# never resolved, some posted already resolved, postmortems days later)
# imported with `inquest import statuspage` into a real inquestd gives
# exactly one inquest incident per Statuspage incident, each with its
# impact_start at the incident's created_at and none "resolved" without a
# resolved milestone (sp_history_check), live and after a rebuild; importing it again stores nothing and changes no byte.
. "$IQ_ROOT/tests/lib.sh"
H="$IQ_ROOT/tests/data/import/statuspage-history.json"
CHECK="$IQ_BUILD/tests/helpers/sp_history_check"
[ -x "$CHECK" ] || fail "missing $CHECK (make tests-build)"
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0
port=$IQ_ZMQ_PORT; Z="tcp://127.0.0.1:$port"

out=$("$IQ" --zmq "$Z" import statuspage "$H" 2>/dev/null) || fail "import: $out"
case "$out" in *"duplicates 0, rejected 0") ;; *) fail "first import: $out" ;; esac
ok=0; i=0
while [ $i -lt 100 ]; do
  "$IQ" --data "$d/data" incidents --json >"$d/live.json" 2>/dev/null || true
  if "$CHECK" "$H" "$d/live.json" >"$d/check.out" 2>&1; then ok=1; break; fi
  sleep 0.1; i=$((i + 1))
done
[ $ok -eq 1 ] || { tail -n 20 "$d/check.out" >&2; fail "live incidents are not one per Statuspage incident"; }
tail -n 1 "$d/check.out"

out=$("$IQ" --zmq "$Z" import statuspage "$H" 2>/dev/null) || fail "second import: $out"
case "$out" in *": stored 0, duplicates "*", rejected 0") ;; *) fail "second import stored something: $out" ;; esac
# nothing new was stored, so nothing may change
"$IQ" --data "$d/data" incidents --json >"$d/again.json" 2>/dev/null
cmp -s "$d/live.json" "$d/again.json" || fail "a second import changed the incidents"
iq_stop_daemon

"$IQ" --quiet --data "$d/data" correlate --rebuild || fail "rebuild failed"
"$IQ" --data "$d/data" incidents --json >"$d/rebuilt.json" 2>/dev/null
cmp -s "$d/live.json" "$d/rebuilt.json" ||
  { diff "$d/live.json" "$d/rebuilt.json" | head -n 20 >&2; fail "live and rebuilt incidents differ"; }
"$CHECK" "$H" "$d/rebuilt.json" >/dev/null || fail "rebuilt incidents are not one per Statuspage incident"
# the streaming rebuild with a 1 KiB budget compacts at every event: same bytes
printf '{"correlate": {"rebuild_memory": "1k"}}\n' >"$d/small.json"
"$IQ" --quiet --config "$d/small.json" --data "$d/data" correlate --rebuild || fail "small-budget rebuild failed"
"$IQ" --data "$d/data" incidents --json >"$d/rebuilt3.json" 2>/dev/null
cmp -s "$d/live.json" "$d/rebuilt3.json" || fail "a rebuild with a 1 KiB budget differs"
grep -q '"status": "stale"' "$d/rebuilt.json" || fail "no stale incident in a history with unresolved ones"
