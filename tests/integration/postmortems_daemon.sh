#!/bin/sh
# postmortems_daemon.sh - inquestd watches a postmortems directory, serves
# GET /api/v1/followups and reminds of overdue follow-ups (issue #19).
#
# A real inquestd holds the 13 incidents of tests/data/postmortems-world
# and watches a copy of tests/data/postmortems (postmortems_dir, poll
# 100ms), with its clock fixed by postmortems.now and two receivers (a
# Slack-shaped and a generic one on tests/helpers/rnd_hook_sink).  Checked:
#  - the directory is synced on start and again when a file changes;
#  - GET /api/v1/followups answers what `inquest followups --format json`
#    prints, takes the same filters, refuses a bad one, and needs the read
#    role like the incidents API;
#  - each overdue item and due review reaches each receiver exactly once on
#    a day: not again on later passes, not again after a restart, and once
#    more the next day.
# "A later pass happened" is a condition, not a wait: the test edits a
# document and waits until the API shows the edit twice, so the reminder
# pass that followed the first edit's sync has finished.
. "$IQ_ROOT/tests/lib.sh"
W="$IQ_ROOT/tests/data/postmortems-world"
SINK="$IQ_BUILD/tests/helpers/rnd_hook_sink"
NOW=2027-01-15T09:00:00Z
DAY2=2027-01-16T09:00:00Z
RTOK=pm-read-token-0123456789
WTOK=pm-write-token-0123456789
d=$(iq_tmpdir)

iq_start_daemon "$d/data" 0 --listen-http off
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$W/events.ndjson" || fail "send the world's events"
thirteen() { [ "$("$IQ" --data "$d/data" incidents --json 2>/dev/null | grep -c '"id": *"inc-')" -ge 13 ]; }
iq_wait_until 30 thirteen
iq_stop_daemon

mkdir -p "$d/hooks"
"$SINK" "$d/sink.port" "$d/hooks" &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null; iq_cleanup' EXIT INT TERM
iq_wait_until 10 test -s "$d/sink.port"
hp=$(cat "$d/sink.port")
cp -R "$IQ_ROOT/tests/data/postmortems" "$d/repo"
config() { # NOW
  cat >"$d/config.json" <<JSON
{"postmortems_dir": "$d/repo",
 "postmortems": {"poll": "100ms", "now": "$1", "retries": 0,
                 "webhooks": "slack=http://127.0.0.1:$hp/slack, generic=http://127.0.0.1:$hp/generic"},
 "drafts": {"dir": "off"},
 "access": {"tokens": [{"name": "reader", "token": "$RTOK", "role": "read"},
                       {"name": "sender", "token": "$WTOK", "role": "write"}]}}
JSON
}
config "$NOW"
iq_start_daemon "$d/data" 0 --config "$d/config.json"
API="http://127.0.0.1:$IQ_HTTP_PORT/api/v1/followups"
get() { curl -s -H "Authorization: Bearer $RTOK" "$API$1"; }
count() { # JSON-KEY: counts.KEY of the API's answer
  get "" | sed -n "s/.*\"counts\":{[^}]*\"$1\":\([0-9]*\).*/\1/p"
}
synced() { [ "$(count items)" = "$1" ]; }
iq_wait_until 30 synced 42

# the API: the CLI's JSON, its filters, its refusals, its access
get "" >"$d/api.json"
"$IQ" --data "$d/data" followups --now "$NOW" --format json >"$d/cli.json" || fail "followups beside the daemon"
python3 -c 'import json, sys; a, b = (json.load(open(p)) for p in sys.argv[1:]); assert a == b, "API and CLI differ"' \
  "$d/api.json" "$d/cli.json" || fail "GET /api/v1/followups differs from followups --format json"
get "?owner=%40mei&overdue=1" | grep -q '"counts":{"items":1,.*"overdue":1,' || fail "owner and overdue filters"
get "?service=search-api&unpublished_after=200d" | grep -q '"unpublished_after_days":200' || fail "unpublished_after"
code=$(curl -s -o "$d/bad.json" -w '%{http_code}' -H "Authorization: Bearer $RTOK" "$API?colour=blue")
[ "$code" = 400 ] && grep -q "unknown parameter 'colour'" "$d/bad.json" || fail "bad parameter: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$API")
[ "$code" = 401 ] || fail "no token: $code, want 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $WTOK" "$API")
[ "$code" = 403 ] || fail "write-only token: $code, want 403"

# reminders: 13 overdue items and 13 due reviews, to each of 2 receivers
sent() { ls "$d/hooks" | grep -c '\.json$' || true; }
reached() { [ "$(sent)" -ge "$1" ]; }
iq_wait_until 30 reached 52
# a later full pass, then the count again: a document for the incident
# that has none, its items not due yet and its reviews held
X="$d/repo/2026/2026-11-03-checkout-recurring.md"
doc() { # ITEMS: a postmortem with that many open items due in 2027-06
  { printf -- '---\nincident: inc-20261103-4e4fde53\nstatus: in-review\nreview_30: done\nreview_60: done\n---\n\n## Action items\n\n'
    i=0; while [ "$i" -lt "$1" ]; do i=$((i + 1)); printf -- '- [ ] Add alert %s on checkout latency (owner: @lee, due 2027-06-30)\n' "$i"; done
  } >"$X"
}
later_pass() { # N: two edits seen by the API, the first one's reminder pass done
  doc "$1"; iq_wait_until 30 synced $((42 + $1))
  doc $(($1 + 1)); iq_wait_until 30 synced $((43 + $1))
}
later_pass 1
[ "$(sent)" -eq 52 ] || fail "reminders sent again on a later pass: $(sent), want 52"

# a restart on the same day sends nothing again
iq_stop_daemon
iq_start_daemon "$d/data" 0 --config "$d/config.json"
API="http://127.0.0.1:$IQ_HTTP_PORT/api/v1/followups"
later_pass 3
[ "$(sent)" -eq 52 ] || fail "reminders sent again after a restart: $(sent), want 52"

# the next day: each again, and the 60-day review of inc-20261117 now due
iq_stop_daemon
config "$DAY2"
iq_start_daemon "$d/data" 0 --config "$d/config.json"
API="http://127.0.0.1:$IQ_HTTP_PORT/api/v1/followups"
iq_wait_until 30 reached 106
later_pass 5
[ "$(sent)" -eq 106 ] || fail "day 2: $(sent) reminders, want 52 + 54"
iq_stop_daemon

python3 - "$d/hooks" <<'PY' || fail "reminders: once per day, per item, per receiver"
import json, os, sys
d = sys.argv[1]
def load(i):
    path = open(os.path.join(d, "%d.path" % i)).read().strip()
    return path, json.load(open(os.path.join(d, "%d.json" % i)))
for first, last, items in ((1, 52, 26), (53, 106, 27)):
    seen = {"/slack": set(), "/generic": set()}
    for i in range(first, last + 1):
        path, body = load(i)
        key = body["text"] if path == "/slack" else (body["incident"], body["item"])
        assert key not in seen[path], ("twice in a day", i, key)
        seen[path].add(key)
    assert len(seen["/slack"]) == items and len(seen["/generic"]) == items, (first, {k: len(v) for k, v in seen.items()})
bodies = [load(i)[1] for i in range(1, 107)]
assert any(b.get("text", "").startswith("Overdue action item of inc-20260721-bba8d3a2 (107 days, due 2026-09-30, owner @mei, SRCH-121): Deploy search-api in stages") for b in bodies)
assert any(b.get("text", "").startswith("Follow-up review of inc-20261117-160966eb is due: follow-up review (60 days after resolution) on 2027-01-16 (0 days ago)") for b in bodies[52:])
g = [b for b in bodies if b.get("type") == "inquest.followup.review_due" and b["incident"] == "inc-20260818-7d9ca06a"]
assert g and g[0]["owner"] == "@sam.o" and g[0]["due"] == "2026-09-17" and g[0]["days_overdue"] == 120, g
assert not any(b.get("type") == "inquest.followup.overdue" and b["incident"] == "inc-20261103-4e4fde53" for b in bodies)
PY
grep -q 'misc/2026-11-24-queue-backlog.md:4: front matter is not valid YAML' "$d/data.log" || fail "malformed file not logged"
echo "postmortems daemon: 106 reminders over two days, none twice"
