#!/bin/sh
# The draft's Recurrence section: the same failure on the same service three
# times in 90 days lists the earlier incidents and recommends a review.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
ex="$IQ_ROOT/examples/incident-checkout.ndjson"
cp "$ex" "$d/all.ndjson"
sed -e 's/2026-10-21/2026-10-28/g' -e 's/"demo-/"w2-/g' -e 's/Q2K7XYZ/Q2K8ABC/g' \
    -e 's/sp-7h2k/sp-8j3m/g' "$ex" >>"$d/all.ndjson"
sed -e 's/2026-10-21/2026-11-04/g' -e 's/"demo-/"w3-/g' -e 's/Q2K7XYZ/Q2K9DEF/g' \
    -e 's/sp-7h2k/sp-9k4n/g' "$ex" >>"$d/all.ndjson"
iq_start_daemon "$d/data" 0
port=$IQ_ZMQ_PORT
"$IQ" --zmq "tcp://127.0.0.1:$port" send "$d/all.ndjson" >/dev/null
three_incidents() {
  [ "$("$IQ" --data "$d/data" incidents --json 2>/dev/null | grep -o '"id": *"inc-' | wc -l)" -ge 3 ]
}
iq_wait_until 30 three_incidents
iq_stop_daemon
"$IQ" --data "$d/data" incidents --json >"$d/incs.json"
ids=$(grep -o '"id": *"inc-[^"]*"' "$d/incs.json" | sed 's/.*"\(inc-[^"]*\)"$/\1/' | sort -u)
[ "$(echo "$ids" | wc -l)" -eq 3 ] || fail "expected 3 incidents, got: $ids"
first=$(echo "$ids" | grep 20261021); last=$(echo "$ids" | grep 20261104)
"$IQ" --data "$d/data" draft "$last" >"$d/last.md"
sed -n '/^## Recurrence/,/^## Root cause/p' "$d/last.md" >"$d/rec.md"
grep -q "^| \[$first\]($first.md) | 21 Oct 2026 |" "$d/rec.md" || { cat "$d/rec.md"; fail "first incident not listed"; }
[ "$(grep -c '^| \[inc-' "$d/rec.md")" -eq 2 ] || { cat "$d/rec.md"; fail "want 2 earlier incidents"; }
grep -q "^> \*\*Review recommended:\*\*" "$d/rec.md" || { cat "$d/rec.md"; fail "no review recommendation"; }
"$IQ" --data "$d/data" draft "$first" | sed -n '/^## Recurrence/,/^## Root cause/p' >"$d/first.md"
grep -q "^No earlier incident of the same failure class" "$d/first.md" || { cat "$d/first.md"; fail "first draft"; }
"$IQ" --data "$d/data" draft "$last" --template ja | grep -q "^## 再発" || fail "ja template has no 再発 section"
# and the section stays blameless for the linter
"$IQ" lint --format json "$d/last.md" >"$d/lint.json" || true
[ -s "$d/lint.json" ] || fail "lint gave no JSON"
grep -q '"category": *"blame"' "$d/lint.json" && fail "lint found blame language in the draft"
exit 0
