#!/bin/sh
# The reading commands over inquestd's HTTP API (docs/cli.md, "Reading
# from a remote inquestd"), against a real inquestd on port 0 with tokens:
#  - every reading command and its options give the same bytes on
#    standard output, and the same exit status, with --http URL and a read
#    token as with --data DIR on the same store: events, incidents (also
#    --unattached, --json, --since), incident show (and --json), draft
#    (every format, template, audience, --pseudonymize, --redact, -o) and
#    query (formats, groups, filters, recurring), class list|show,
#    followups and postmortems list|show;
#  - an unknown incident id exits 3 over HTTP as on --data;
#  - no token, an unknown token and a token without the read role exit 2
#    and say which; --data and --http together exit 2;
#  - a daemon that does not answer (stopped with SIGSTOP) exits 4 within
#    --timeout, and a daemon that is gone exits 4 at once.
. "$IQ_ROOT/tests/lib.sh"

R=read-token-0123456789abcdef
W=write-token-0123456789abcdef
cat >"$IQ_TMP/conf.json" <<JSON
{"access": {"tokens": [
  {"name": "reader", "token": "$R", "role": "read"},
  {"name": "writer", "token": "$W", "role": "write"}]},
 "postmortems_dir": "$IQ_TMP/pm", "postmortems": {"poll": "100ms"},
 "drafts": {"public_url": "https://inquest.example.com",
            "slack_users": {"U0ALICE": "Alice Example"}}}
JSON
export SOURCE_DATE_EPOCH=1792589400
mkdir "$IQ_TMP/pm"

d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --config "$IQ_TMP/conf.json"
U="http://127.0.0.1:$IQ_HTTP_PORT"
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$IQ_ROOT/tests/data/render/sample-events.ndjson" ||
  fail "sample events not sent"

L="$IQ --config $IQ_TMP/conf.json --data $d/data"
# the --http side has no data directory: what it prints came over HTTP
H="env INQUEST_DATA=$IQ_TMP/nowhere $IQ --config $IQ_TMP/conf.json --http $U"
export INQUEST_TOKEN=$R

# Wait until the correlator has settled: two reads a moment apart agree.
settled() {
  $L incidents --json >"$IQ_TMP/s1" 2>/dev/null && grep -q '"id": "inc-' "$IQ_TMP/s1" || return 1
  $L events --json >"$IQ_TMP/e1" 2>/dev/null || return 1
  [ "$(wc -l <"$IQ_TMP/e1")" -ge 16 ] || return 1
  sleep 0.3
  $L incidents --json >"$IQ_TMP/s2" 2>/dev/null && cmp -s "$IQ_TMP/s1" "$IQ_TMP/s2"
}
iq_wait_until 30 settled
id=$(sed -n 's/^ *"id": "\(inc-[^"]*\)".*/\1/p' "$IQ_TMP/s1" | head -1)
[ -n "$id" ] || fail "no incident id in $(cat "$IQ_TMP/s1")"

n=0
# same ARGS...: stdout and exit status of `inquest ARGS` agree on --data and --http.
same() {
  n=$((n + 1))
  sl=0; $L "$@" >"$IQ_TMP/l.$n" 2>"$IQ_TMP/le.$n" || sl=$?
  sh=0; $H "$@" >"$IQ_TMP/h.$n" 2>"$IQ_TMP/he.$n" || sh=$?
  [ "$sl" = "$sh" ] || fail "inquest $*: exit $sl on --data, $sh on --http: $(cat "$IQ_TMP/he.$n")"
  cmp -s "$IQ_TMP/l.$n" "$IQ_TMP/h.$n" ||
    fail "inquest $*: --http differs from --data: $(diff "$IQ_TMP/l.$n" "$IQ_TMP/h.$n" | head -20)"
  [ "$sl" != 0 ] || [ -s "$IQ_TMP/l.$n" ] || [ -n "${EMPTY_OK:-}" ] || fail "inquest $*: no output"
}

same events
same events --json
same events --service checkout --kind alert
same events --since 2026-10-21T13:40:00Z --until 2026-10-21T14:00:00+00:00 --json
same events --service no-such-service
same incidents
same incidents --json
same incidents --since 2026-10-21T00:00:00Z
same incidents --unattached
same incidents --unattached --json
same incident show "$id"
same incident show "$id" --json
same draft "$id"
same draft "$id" --format html
same draft "$id" --format json
same draft "$id" --format svg
same draft "$id" --template ja
same draft "$id" --template pagerduty --pseudonymize
same draft "$id" --audience external
same draft "$id" --redact --format json
same query
same query --format json
same query --format csv --group-by service
same query --group-by month --since 2026-01-01T00:00:00Z --service checkout
same query --severity critical --format json
same query recurring --window 365d
same query recurring --format csv
same class list
same class show "$id"
same class show "$id" --json
same followups --now 2026-12-01T00:00:00Z
same followups --format json --now 2026-12-01T00:00:00Z --unpublished-after 1d
same followups --format csv --service checkout --overdue --now 2027-01-15T00:00:00Z
grep -q "https://inquest.example.com/api/v1/incidents/$id/timeline.svg" "$IQ_TMP/h.13" || fail "the Markdown draft does not link its timeline"
grep -q "generated_at: 2026-" "$IQ_TMP/h.13" || fail "the draft's generated_at is not SOURCE_DATE_EPOCH's"

# -o writes the same file
$L draft "$id" -o "$IQ_TMP/local.md" 2>/dev/null || fail "draft -o on --data"
$H draft "$id" -o "$IQ_TMP/remote.md" 2>/dev/null || fail "draft -o on --http"
cmp -s "$IQ_TMP/local.md" "$IQ_TMP/remote.md" || fail "draft -o differs over --http"

# postmortems: a draft put into the watched postmortems_dir is synced
cp "$IQ_TMP/local.md" "$IQ_TMP/pm/$id.md"
synced() { $L postmortems list --json 2>/dev/null | grep -q "$id"; }
iq_wait_until 30 synced
same postmortems list
same postmortems list --json
same postmortems show "$id"
same postmortems show "$id" --json
EMPTY_OK=1 same postmortems show inc-20991231-00000000
[ "$sl" = 1 ] || fail "postmortems show of an unknown id: exit $sl, want 1 (as before)"

# unknown ids: 3 on both sides
same incident show inc-20991231-00000000 || true
[ "$sl" = 3 ] || fail "incident show of an unknown id: exit $sl, want 3"
grep -q 'no incident "inc-20991231-00000000"' "$IQ_TMP/he.$n" || fail "404 not explained: $(cat "$IQ_TMP/he.$n")"
same draft inc-20991231-00000000
[ "$sl" = 3 ] || fail "draft of an unknown id: exit $sl, want 3"
same class show inc-20991231-00000000
[ "$sl" = 3 ] || fail "class show of an unknown id: exit $sl, want 3"

# INQUEST_HTTP in the environment means the API too; --data on the line wins
INQUEST_HTTP=$U "$IQ" --config "$IQ_TMP/conf.json" incidents --json >"$IQ_TMP/env.out" 2>/dev/null ||
  fail "INQUEST_HTTP: incidents failed"
$L incidents --json >"$IQ_TMP/env.want" 2>/dev/null
cmp -s "$IQ_TMP/env.out" "$IQ_TMP/env.want" || fail "INQUEST_HTTP: not the same incidents"
st=0; INQUEST_HTTP=$U "$IQ" --data "$IQ_TMP/nowhere" incidents >/dev/null 2>&1 || st=$?
[ "$st" = 4 ] || fail "INQUEST_HTTP with --data on the line: exit $st, want 4 (the missing directory read)"
st=0; "$IQ" --data "$d/data" --http "$U" incidents >/dev/null 2>"$IQ_TMP/err" || st=$?
[ "$st" = 2 ] && grep -q "not both" "$IQ_TMP/err" || fail "--data with --http: exit $st: $(cat "$IQ_TMP/err")"

# tokens: none, unknown, without the read role
want_refusal() { # WHAT PATTERN TOKEN: exit 2 with a message matching PATTERN
  st=0; INQUEST_TOKEN=$3 "$IQ" --http "$U" incidents >"$IQ_TMP/out" 2>"$IQ_TMP/err" || st=$?
  [ "$st" = 2 ] || fail "$1: exit $st, want 2"
  grep -q "$2" "$IQ_TMP/err" || fail "$1: message does not say '$2': $(cat "$IQ_TMP/err")"
  [ ! -s "$IQ_TMP/out" ] || fail "$1: printed output: $(cat "$IQ_TMP/out")"
}
want_refusal "no token" "needs a token with the read role" ""
want_refusal "unknown token" "did not accept the token" wrong-token-0123456789abcdef
want_refusal "write token" "lacks the role" "$W"
st=0; "$IQ" --http "$U" draft "$id" --template "$IQ_ROOT/schemas/templates/ja.mustache" \
  >/dev/null 2>"$IQ_TMP/err" || st=$?
[ "$st" = 2 ] && grep -q "a template is a name" "$IQ_TMP/err" ||
  fail "--template FILE over --http: exit $st: $(cat "$IQ_TMP/err")"

# a daemon that does not answer: exit 4 within --timeout
kill -STOP "$IQ_DAEMON_PID"
t0=$(date +%s)
st=0; "$IQ" --http "$U" incidents --timeout 2s >/dev/null 2>"$IQ_TMP/err" || st=$?
t1=$(date +%s)
kill -CONT "$IQ_DAEMON_PID"
[ "$st" = 4 ] || fail "stopped daemon: exit $st, want 4: $(cat "$IQ_TMP/err")"
[ $((t1 - t0)) -le 5 ] || fail "stopped daemon: took $((t1 - t0)) s with --timeout 2s"
grep -q "no answer from inquestd" "$IQ_TMP/err" || fail "stopped daemon: $(cat "$IQ_TMP/err")"

# a daemon that is gone: exit 4 at once, for every reading command
iq_stop_daemon
for cmd in "events" "incidents" "incident show $id" "draft $id" "query" "followups" \
           "postmortems list" "class show $id"; do
  st=0
  # shellcheck disable=SC2086
  "$IQ" --http "$U" $cmd --timeout 5s >/dev/null 2>"$IQ_TMP/err" || st=$?
  [ "$st" = 4 ] || fail "$cmd against no daemon: exit $st, want 4: $(cat "$IQ_TMP/err")"
done
echo "cli_remote: $n commands compared"
