#!/bin/sh
# Retention (issue #18, item 5) on a real inquestd with
# retention {"raw_after": "10d", "events_after": "30d"}.  Stored, relative
# to now: incident A (closed 60 days ago), B (closed 20 days ago), C (5
# days ago), D (opened 40 days ago and still open, with a 50-day-old log
# line attached to it by an admin), and loose events of 50, 45, 15 and 2
# days.  After POST /api/v1/admin/retention exactly these are gone: A's
# events and the loose ones past 30 days; the raw payloads of B and of the
# 15-day event are dropped; D keeps every event and raw payload, the
# attached line included; the figures of the answer say so.  Every index
# agrees (events by service), the kept incidents are byte-identical to
# before, A is gone, and an offline `correlate --rebuild` afterwards gives
# the same incidents.  Then the daemon's periodic job (interval 1s)
# removes an old event by itself, a daemon without cutoffs answers 400,
# and raw_after longer than events_after is refused at start.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
export INQUEST_ADMIN_TOKEN=ops-retention-admin-token-01
auth="Authorization: Bearer $INQUEST_ADMIN_TOKEN"

# EVENTS: id, days ago (+ minutes), kind, action, service, incident key
python3 - "$d/events.ndjson" <<'EOF'
import datetime, json, sys
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
rows = [
    ("a-fire", 60, 0, "alert", "firing", "billing", "alert-a"),
    ("a-res", 60, 10, "alert", "resolved", "billing", "alert-a"),
    ("b-fire", 20, 0, "alert", "firing", "search", "alert-b"),
    ("b-res", 20, 10, "alert", "resolved", "search", "alert-b"),
    ("c-fire", 5, 0, "alert", "firing", "catalog", "alert-c"),
    ("c-res", 5, 10, "alert", "resolved", "catalog", "alert-c"),
    ("d-fire1", 40, 0, "alert", "firing", "payments", "alert-d"),
    ("d-fire2", 39, 0, "alert", "firing", "payments", "alert-d"),
    ("log-attached", 50, 0, "log", "error", "payments", None),
    ("log-old", 50, 5, "log", "error", "payments", None),
    ("deploy-45", 45, 0, "deploy", "succeeded", "frontend", None),
    ("deploy-15", 15, 0, "deploy", "succeeded", "frontend", None),
    ("deploy-2", 2, 0, "deploy", "succeeded", "frontend", None),
]
with open(sys.argv[1], "w") as f:
    for i, days, mins, kind, action, svc, key in rows:
        at = now - datetime.timedelta(days=days) + datetime.timedelta(minutes=mins)
        ev = {"id": i, "source": "cli", "kind": kind, "action": action,
              "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "service": svc, "title": key or i,
              "raw": {"marker": "raw-of-" + i}}
        if kind == "alert":
            ev["severity"] = "critical"
        if key:
            ev["incident_key"] = key
        f.write(json.dumps(ev) + "\n")
EOF
cat >"$d/conf.json" <<'EOF'
{"retention": {"raw_after": "10d", "events_after": "30d", "interval": "1h"},
 "correlate": {"stale_after": "365d"}}
EOF

iq_start_daemon "$d/data" 0 --config "$d/conf.json"
H="http://127.0.0.1:$IQ_HTTP_PORT"
"$IQ" --zmq "$IQ_ZMQ" send "$d/events.ndjson" >/dev/null || fail "send"
incs() { "$IQ" --data "$d/data" incidents --json 2>/dev/null; }
four() { [ "$(incs | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 4 ]; }
iq_wait_until 20 four
D=$(incs | python3 -c 'import json,sys; print([i["id"] for i in json.load(sys.stdin) if "d-fire1" in i["event_ids"]][0])')
INQUEST_TOKEN=$INQUEST_ADMIN_TOKEN "$IQ" --http "$H" incident attach "$D" log-attached >/dev/null \
  || fail "attach the old log line to the open incident"
attached() { incs | grep -q '"log-attached"'; }
iq_wait_until 20 attached
incs | python3 -c '
import json, sys
incs = {i["opened_by"]: i for i in json.load(sys.stdin)}
assert sorted(incs) == ["a-fire", "b-fire", "c-fire", "d-fire1"], sorted(incs)
assert incs["d-fire1"]["closed_at"] is None and "log-attached" in incs["d-fire1"]["event_ids"]
for k in ("a-fire", "b-fire", "c-fire"):
    assert incs[k]["closed_at"] is not None, k
' || { incs >&2; fail "incidents before retention"; }
incs >"$d/before.json"

code=$(curl -s -o "$d/pass.json" -w '%{http_code}' -XPOST -H "$auth" "$H/api/v1/admin/retention")
[ "$code" = 200 ] || fail "retention pass: $code $(cat "$d/pass.json")"
cat "$d/pass.json"; echo
python3 - "$d/pass.json" <<'EOF' || fail "pass figures"
import json, sys
p = json.load(open(sys.argv[1]))
want = {"events_removed": 4, "raws_dropped": 3, "kept_events": 3, "kept_raws": 3,
        "incidents_kept": 3, "unreadable": 0}
for k, v in want.items():
    assert p[k] == v, "%s=%r, expected %r" % (k, p[k], v)
assert p["events_before"] and p["raw_before"]
EOF

# exactly the right events and raw payloads are left
"$IQ" --data "$d/data" events --json >"$d/after.ndjson"
python3 - "$d/after.ndjson" <<'EOF' || fail "events after retention"
import json, sys
evs = {}
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["source"] == "cli":
        evs[e["id"]] = e
with_raw = {"c-fire", "c-res", "d-fire1", "d-fire2", "log-attached", "deploy-2"}
without_raw = {"b-fire", "b-res", "deploy-15"}
assert set(evs) == with_raw | without_raw, sorted(set(evs) ^ (with_raw | without_raw))
for i in with_raw:
    assert evs[i].get("raw") == {"marker": "raw-of-" + i}, i
for i in without_raw:
    assert "raw" not in evs[i], i
notes = [l for l in open(sys.argv[1]) if '"source":"inquest"' in l]
assert len(notes) == 1, "the attach note must stay"
EOF
for s in billing:0 search:2 catalog:2 payments:3 frontend:2; do
  n=$("$IQ" --data "$d/data" events --json --service "${s%%:*}" | wc -l)
  [ "$n" -eq "${s#*:}" ] || fail "service ${s%%:*}: $n events by the index, expected ${s#*:}"
done
# incidents: A gone, the others byte-identical (D still open)
incs >"$d/after.json"
python3 - "$d/before.json" "$d/after.json" <<'EOF' || fail "incidents after retention"
import json, sys
before = {i["id"]: i for i in json.load(open(sys.argv[1]))}
after = {i["id"]: i for i in json.load(open(sys.argv[2]))}
gone = [k for k, i in before.items() if i["opened_by"] == "a-fire"]
assert sorted(after) == sorted(set(before) - set(gone)), (sorted(before), sorted(after))
for k in after:
    assert after[k] == before[k], "incident %s changed" % k
EOF
grep -q "info retention: pass by env-admin: 4 events removed" "$d/data.log" || fail "no pass line in the log"
iq_stop_daemon
"$IQ" --quiet --config "$d/conf.json" --data "$d/data" correlate --rebuild || fail "rebuild after retention"
incs >"$d/rebuilt.json"
cmp -s "$d/after.json" "$d/rebuilt.json" || { diff "$d/after.json" "$d/rebuilt.json" | head >&2; fail "rebuild differs"; }

# the periodic job, by itself
sed 's/"interval": "1h"/"interval": "1s"/' "$d/conf.json" >"$d/conf1s.json"
iq_start_daemon "$d/data" 0 --config "$d/conf1s.json"
old=$(date -u -d '-45 days' +%Y-%m-%dT%H:%M:%SZ)
echo "{\"id\":\"late-old\",\"source\":\"cli\",\"kind\":\"log\",\"action\":\"error\",\"at\":\"$old\",\"service\":\"frontend\",\"title\":\"late\"}" \
  | "$IQ" --zmq "$IQ_ZMQ" send >/dev/null || fail "send the late event"
gone() { ! "$IQ" --data "$d/data" events --json --service frontend | grep -q late-old; }
iq_wait_until 30 gone
# the pass logs once the correlator has rebuilt after it
logged() { grep -q "info retention: pass by schedule: 1 events removed" "$d/data.log"; }
iq_wait_until 60 logged
[ "$("$IQ" --data "$d/data" events --json --service frontend | wc -l)" -eq 2 ] || fail "frontend events after the scheduled pass"
iq_stop_daemon

# no cutoff: 400; raw_after longer than events_after: refused at start
iq_start_daemon "$d/plain" 0
code=$(curl -s -o "$d/off.json" -w '%{http_code}' -XPOST -H "$auth" "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/admin/retention")
[ "$code" = 400 ] && grep -q "retention is off" "$d/off.json" || fail "retention off: $code $(cat "$d/off.json")"
code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/admin/retention")
[ "$code" = 401 ] || fail "retention without a token: $code"
iq_stop_daemon
echo '{"retention": {"raw_after": "40d", "events_after": "30d"}}' >"$d/bad.json"
st=0; "$IQD" --config "$d/bad.json" --data "$d/bad" --listen-zmq tcp://127.0.0.1:0 \
  --listen-http 127.0.0.1:0 >"$d/bad.log" 2>&1 || st=$?
[ "$st" -ne 0 ] && grep -q "retention.raw_after' is longer than 'retention.events_after'" "$d/bad.log" \
  || fail "bad retention config: exit $st: $(cat "$d/bad.log")"
