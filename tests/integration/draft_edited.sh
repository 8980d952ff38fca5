#!/bin/sh
# draft_edited.sh - a draft a person edited survives a late event (#18
# item 6), and `inquest draft ID --diff FILE` says what changed in the
# facts.
#
# A real inquestd drafts the sample incident (its events are in the past,
# so it closes at once).  Someone fills in the Root cause section of
# DATA/drafts/ID.md.  --diff against the edited file says the facts are the
# same (exit 0): the edit is in a section left to people.  Two late alerts
# then extend the incident: the daemon must leave ID.md byte for byte as
# the person left it and write ID.next.md beside it (logged, counted in
# inquest_drafts_kept_total), while ID.html, which nobody edited, is
# replaced in place.  --diff against the edited file now shows the late
# alert (exit 1); against ID.next.md nothing (exit 0); an unknown incident
# exits 3, a missing data directory 4, a missing file 2.  Copying
# ID.next.md over ID.md accepts it: the next version is written in place.
. "$IQ_ROOT/tests/lib.sh"
D="$IQ_ROOT/tests/data/render"
cat >"$IQ_TMP/config.yml" <<'YAML'
drafts:
  poll: 100ms
YAML
data="$IQ_TMP/data"
iq_start_daemon "$data" 0 --config "$IQ_TMP/config.yml"
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$D/sample-events.ndjson" >/dev/null || fail "send"

drafted() { ls "$data"/drafts/inc-*.md >/dev/null 2>&1; }
iq_wait_until 20 drafted
md=$(ls "$data"/drafts/inc-*.md | head -1)
id=$(basename "$md" .md)
html="$data/drafts/$id.html"
[ -s "$html" ] || fail "no HTML draft"
cp "$html" "$IQ_TMP/html.before"

# a person fills in the root cause (a section the template leaves to people)
awk '{ print } /^## Root cause$/ { print ""; print "The connection pool of checkout was sized for last year'"'"'s traffic." }' \
  "$md" >"$IQ_TMP/edited.md"
cmp -s "$IQ_TMP/edited.md" "$md" && fail "the edit changed nothing"
cp "$IQ_TMP/edited.md" "$md"
st=0; "$IQ" --data "$data" draft "$id" --diff "$md" >"$IQ_TMP/diff0" 2>&1 || st=$?
[ "$st" -eq 0 ] || { cat "$IQ_TMP/diff0" >&2; fail "--diff after a human edit: exit $st, want 0 (same facts)"; }

# late alerts extend the incident: it is drafted again
cat >"$IQ_TMP/late.ndjson" <<'EOF'
{"id":"late-fire-1","source":"alertmanager","kind":"alert","action":"firing","at":"2026-10-21T14:38:00.000Z","service":"checkout","severity":"critical","title":"CheckoutLateErrors","labels":{"alertname":"CheckoutLateErrors"}}
{"id":"late-resolve-1","source":"alertmanager","kind":"alert","action":"resolved","at":"2026-10-21T14:44:00.000Z","service":"checkout","severity":"critical","title":"CheckoutLateErrors","labels":{"alertname":"CheckoutLateErrors"}}
EOF
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$IQ_TMP/late.ndjson" >/dev/null || fail "send late events"
next_written() { [ -s "$data/drafts/$id.next.md" ]; }
iq_wait_until 20 next_written
cmp -s "$md" "$IQ_TMP/edited.md" || fail "the edited draft was overwritten"
grep -q 'CheckoutLateErrors' "$data/drafts/$id.next.md" || fail "ID.next.md lacks the late alert"
[ ! -e "$data/drafts/$id.next.html" ] || fail "the HTML nobody edited went beside instead of in place"
html_redone() { ! cmp -s "$html" "$IQ_TMP/html.before"; }
iq_wait_until 10 html_redone
grep -q 'CheckoutLateErrors' "$html" || fail "the HTML draft was not replaced"
grep -q "draft of $id: .*$id.md was edited since inquestd wrote it: kept as it is" "$data.log" \
  || fail "the kept draft is not in the log"
curl -s "http://127.0.0.1:$IQ_HTTP_PORT/metrics" | grep -q '^inquest_drafts_kept_total 1$' \
  || fail "inquest_drafts_kept_total is not 1"

# the facts changed since the edited file, not since ID.next.md
st=0; "$IQ" --data "$data" draft "$id" --diff "$md" >"$IQ_TMP/diff1" 2>&1 || st=$?
[ "$st" -eq 1 ] || { cat "$IQ_TMP/diff1" >&2; fail "--diff after a late event: exit $st, want 1"; }
grep -q "^--- $md\$" "$IQ_TMP/diff1" || fail "--diff header: $(head -2 "$IQ_TMP/diff1")"
grep -q '^+.*CheckoutLateErrors' "$IQ_TMP/diff1" || { cat "$IQ_TMP/diff1" >&2; fail "--diff lacks the late alert"; }
grep -q 'connection pool' "$IQ_TMP/diff1" && fail "--diff shows the person's root cause (not a fact)"
st=0; "$IQ" --data "$data" draft "$id" --diff "$data/drafts/$id.next.md" >"$IQ_TMP/diff2" 2>&1 || st=$?
[ "$st" -eq 0 ] || { cat "$IQ_TMP/diff2" >&2; fail "--diff against ID.next.md: exit $st, want 0"; }
st=0; "$IQ" --data "$data" draft inc-no-such --diff "$md" 2>/dev/null || st=$?
[ "$st" -eq 3 ] || fail "--diff of an unknown incident: exit $st, want 3"
st=0; "$IQ" --data "$IQ_TMP/nowhere" draft "$id" --diff "$md" 2>/dev/null || st=$?
[ "$st" -eq 4 ] || fail "--diff without a data directory: exit $st, want 4"
st=0; "$IQ" --data "$data" draft "$id" --diff "$IQ_TMP/missing.md" 2>/dev/null || st=$?
[ "$st" -eq 2 ] || fail "--diff of a missing file: exit $st, want 2"

# accepting the new version (copying it over) lets the daemon write in place again
cp "$data/drafts/$id.next.md" "$md"
cat >"$IQ_TMP/later.ndjson" <<'EOF'
{"id":"late-fire-2","source":"alertmanager","kind":"alert","action":"firing","at":"2026-10-21T14:50:00.000Z","service":"checkout","severity":"critical","title":"CheckoutLaterStill","labels":{"alertname":"CheckoutLaterStill"}}
{"id":"late-resolve-2","source":"alertmanager","kind":"alert","action":"resolved","at":"2026-10-21T14:52:00.000Z","service":"checkout","severity":"critical","title":"CheckoutLaterStill","labels":{"alertname":"CheckoutLaterStill"}}
EOF
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$IQ_TMP/later.ndjson" >/dev/null || fail "send later events"
in_place() { grep -q 'CheckoutLaterStill' "$md"; }
iq_wait_until 20 in_place
iq_stop_daemon
echo "draft edited: $id kept, ID.next.md written, --diff exit codes 0/1/3/4/2"
