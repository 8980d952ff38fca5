#!/bin/sh
# postmortems.sh - finished postmortems come back (issue #19), through the
# real binaries: a real inquestd derives the 13 incidents of
# tests/data/postmortems-world/events.ndjson, then `inquest postmortems
# sync` reads the repository tests/data/postmortems/ (English and Japanese,
# four templates, a README, a team template, an unknown incident and
# malformed front matter), and:
#  - every file is reported; problems (malformed front matter, an unknown
#    incident, two files for one incident) name file, line and column, are
#    not fatal, and make the exit status 1;
#  - a document edited twice keeps its three versions; unchanged bytes add
#    none;
#  - `inquest followups` lists every item, review and late postmortem, checked
#    row by row against tests/data/postmortems-world/followups.csv;
#  - `inquest query` uses the confirmed classes;
#  - the draft of a recurring incident lists what the earlier postmortems
#    promised, with their state, and names the open items.
. "$IQ_ROOT/tests/lib.sh"
W="$IQ_ROOT/tests/data/postmortems-world"
NOW=2027-01-15T09:00:00Z
d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --listen-http off
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$W/events.ndjson" || fail "send the world's events"
thirteen() { [ "$("$IQ" --data "$d/data" incidents --json 2>/dev/null | grep -c '"id": *"inc-')" -ge 13 ]; }
iq_wait_until 30 thirteen
# sync writes: beside a running inquestd it is refused, with the way out
st=0; "$IQ" --data "$d/data" postmortems sync "$IQ_ROOT/tests/data/postmortems" >/dev/null 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q 'is inquestd running on it' "$d/err" && grep -q 'postmortems_dir' "$d/err" \
  || { cat "$d/err" >&2; fail "sync beside the daemon: exit $st"; }
iq_stop_daemon

cp -R "$IQ_ROOT/tests/data/postmortems" "$d/repo"
M=repo/2026/2026-12-15-auth-login.md
cp "$W/edits/2026-12-15-auth-login.v1.md" "$d/$M"
cd "$d" || fail "cd"
sync() { st=0; "$IQ" --data "$d/data" postmortems sync repo --now 2027-01-15T08:00:00Z >"$d/out" 2>"$d/err" || st=$?; }
sync
[ "$st" -eq 1 ] || { cat "$d/out" "$d/err" >&2; fail "sync with problems: exit $st, want 1"; }
grep -q '^synced 16 files: 12 new, 0 updated, 0 unchanged, 2 skipped, 2 with problems$' "$d/out" \
  || { cat "$d/out" >&2; fail "sync summary"; }
grep -q '^new        repo/2026/2026-05-12-checkout-deploy.md: inc-20260512-8083647c, published, 4 action items (4 done), lint: 0 errors' "$d/out" \
  || { cat "$d/out" >&2; fail "sync line of a new document"; }
grep -q "^new        $M: inc-20261215-cb87f1b4, draft, 0 action items (0 done)" "$d/out" || fail "first version"
grep -q '^skipped    repo/README.md: no front matter' "$d/out" || fail "README not skipped"
grep -q "^skipped    repo/templates/postmortem-template.md: no 'incident' in the front matter" "$d/out" || fail "template not skipped"
grep -q '^repo/misc/2026-11-24-queue-backlog.md:4:8: error: front matter is not valid YAML: found character that cannot start any token' "$d/err" \
  || { cat "$d/err" >&2; fail "malformed front matter: file, line, column, reason"; }
grep -q '^repo/misc/2026-04-01-cdn-outage.md:2:1: error: unknown incident inc-20260401-0badf00d' "$d/err" \
  || { cat "$d/err" >&2; fail "unknown incident reported"; }
[ "$(grep -c ': error: ' "$d/err")" -eq 2 ] || { cat "$d/err" >&2; fail "want exactly 2 problems"; }

# edited twice: three versions; the same bytes again add none
cp "$W/edits/2026-12-15-auth-login.v2.md" "$M"; sync
grep -q "^updated    $M: inc-20261215-cb87f1b4, in-review, 2 action items (0 done)" "$d/out" || { cat "$d/out" >&2; fail "second version"; }
grep -q '^synced 16 files: 0 new, 1 updated, 11 unchanged, 2 skipped, 2 with problems$' "$d/out" || { cat "$d/out" >&2; fail "second sync"; }
cp "$IQ_ROOT/tests/data/postmortems/2026/2026-12-15-auth-login.md" "$M"; sync
grep -q "^updated    $M: inc-20261215-cb87f1b4, published, 3 action items (1 done)" "$d/out" || fail "third version"
sync
grep -q '^synced 16 files: 0 new, 0 updated, 12 unchanged, 2 skipped, 2 with problems$' "$d/out" || { cat "$d/out" >&2; fail "unchanged sync"; }
# two files naming one incident: the second is a problem, the first stays
cp "$M" repo/misc/copy-of-auth-login.md; sync
[ "$st" -eq 1 ] && grep -q "^repo/misc/copy-of-auth-login.md:2:1: error: incident inc-20261215-cb87f1b4 is also the incident of $M" "$d/err" \
  || { cat "$d/err" >&2; fail "a second document for one incident"; }
rm repo/misc/copy-of-auth-login.md
"$IQ" --data "$d/data" postmortems show inc-20261215-cb87f1b4 --json >"$d/show.json" || fail "show"
python3 - "$d/show.json" <<'PY' || fail "history of the document edited twice"
import json, sys
j = json.load(open(sys.argv[1]))
h = j["history"]
assert j["record"]["versions"] == 3, j["record"]["versions"]
assert [v["status"] for v in h] == ["draft", "in-review", "published"], h
assert [v["items"] for v in h] == [0, 2, 3] and len({v["hash"] for v in h}) == 3, h
assert j["record"]["published_at"] == "2027-01-05T00:00:00.000Z", j["record"]["published_at"]
PY
"$IQ" --data "$d/data" postmortems show inc-20261215-cb87f1b4 | grep -q '^  done      line 35   Fetch the IdP certificate' || fail "show text"
[ "$("$IQ" --data "$d/data" postmortems list | tail -1)" = "12 postmortems" ] || fail "list"

# follow-ups, row by row
"$IQ" --data "$d/data" followups --now "$NOW" --format csv >"$d/followups.csv" || fail "followups csv"
diff -u "$W/followups.csv" "$d/followups.csv" >&2 || fail "followups differ from $W/followups.csv"
"$IQ" --data "$d/data" followups --now "$NOW" --format json >"$d/f.json" || fail "followups json"
python3 - "$d/f.json" "$d/data" <<'PY' || fail "followups json"
import json, sys
j = json.load(open(sys.argv[1]))
c = j["counts"]
assert (c["items"], c["open"], c["done"], c["wontfix"], c["overdue"], c["reviews_due"], c["unpublished"]) == (42, 19, 20, 3, 13, 13, 4), c
rows = j["followups"]
assert all(r["days_overdue"] is None or r["days_overdue"] >= 0 for r in rows)
noowner = [r for r in rows if r["kind"] == "item" and r["owner"] is None]
assert len(noowner) == 5, noowner
late = [r["incident"] for r in rows if r["kind"] == "unpublished"]
assert late == ["inc-20260908-bacf6753", "inc-20261013-3f013866", "inc-20261103-4e4fde53", "inc-20261201-eaf0b133"], late
PY
n=$("$IQ" --data "$d/data" followups --now "$NOW" --overdue --format csv | tail -n +2 | wc -l)
[ "$n" -eq 30 ] || fail "--overdue: $n rows, want 13 items + 13 reviews + 4 late postmortems"
"$IQ" --data "$d/data" followups --now "$NOW" --owner mei >"$d/mei.txt" || fail "--owner"
[ "$(grep -c '^inc-' "$d/mei.txt")" -eq 2 ] && grep -q 'SRCH-121 .* open .* 107 d$' "$d/mei.txt" || { cat "$d/mei.txt" >&2; fail "--owner mei"; }
"$IQ" --data "$d/data" followups --now "$NOW" --service search-api --format csv | tail -n +2 | cut -d, -f2 | sort -u >"$d/svc"
[ "$(cat "$d/svc" | tr '\n' ' ')" = '"inc-20260721-bba8d3a2" "inc-20261117-160966eb" ' ] || fail "--service: $(cat "$d/svc")"
st=0; "$IQ" --data "$d/data" followups --format pdf 2>/dev/null || st=$?
[ "$st" -eq 2 ] || fail "--format pdf accepted"
st=0; "$IQ" --data "$d/data" followups --unpublished-after soon 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q "bad value for 'unpublished_after'" "$d/err" || fail "bad --unpublished-after"

# query: confirmed classes replace the automatic ones
"$IQ" --data "$d/data" query --group-by class --format json >"$d/q.json" || fail "query"
python3 - "$d/q.json" <<'PY' || fail "query with confirmed classes"
import json, sys
g = {x["key"]: x for x in json.load(open(sys.argv[1]))["groups"]}
assert g["database"]["count"] == 1 and g["database"]["confirmed"] == 1, g["database"]
assert g["capacity-overload"]["incidents"] == ["inc-20261006-2e2725f9"], g["capacity-overload"]
assert g["deploy-regression"]["count"] == 9 and g["deploy-regression"]["confirmed"] == 2, g["deploy-regression"]
assert "inc-20260609-6ef6b541" not in g["deploy-regression"]["incidents"]
a = g["deploy-regression"]["actions"]
assert (a["open"], a["done"], a["wontfix"]) == (14, 13, 2), a
assert g["database"]["time_to_publish"]["median"] == 554760, g["database"]["time_to_publish"]
assert abs(g["dependency-failure"]["weak_share"] - 0.25) < 1e-9, g["dependency-failure"]
PY
"$IQ" --data "$d/data" query --group-by class | grep -q '^database  *1 .*  1      0/3  *0%  *6.4d$' || fail "query table"

# the draft of a recurring incident remembers what was promised
"$IQ" --data "$d/data" draft inc-20261103-4e4fde53 | sed -n '/^## Recurrence/,/^## Root cause/p' >"$d/rec.md"
grep -q '^What the earlier postmortems promised: 9 of 13 done, 1 won'"'"'t fix; the 3 open ones are a checklist, a promise and an unclassified item\.$' "$d/rec.md" \
  || { cat "$d/rec.md" >&2; fail "summary of the earlier action items"; }
grep -q '^| inc-20260818-7d9ca06a | Be more careful when resolving merge conflicts in config files (owner: Sam Okafor) | Sam Okafor | promise (weak) | open |$' "$d/rec.md" \
  || fail "an open earlier item with its state"
grep -q '^| inc-20260512-8083647c | Update the rollback runbook for the new deploy tool | @lee | checklist | done |$' "$d/rec.md" || fail "a done earlier item"
[ "$(grep -c '^| \[inc-2026' "$d/rec.md")" -eq 3 ] && [ "$(grep -c '^| inc-2026' "$d/rec.md")" -eq 13 ] \
  || { cat "$d/rec.md" >&2; fail "want 3 earlier incidents and their 13 items"; }
grep -q 'inc-20261006-2e2725f9' "$d/rec.md" && fail "an incident confirmed as another class is listed"
grep -q '^> \*\*Review recommended:\*\* The same failure (deploy-regression on checkout-api) happened 3 times in 90 days: .* Still open from the earlier postmortems: "Add a checklist step .*(inc-20260818-7d9ca06a), "Be more careful .*(inc-20260818-7d9ca06a), "Alert per region .*(inc-20260929-3cc17065)\.$' "$d/rec.md" \
  || fail "the review recommendation names the open items"
"$IQ" --data "$d/data" draft inc-20261103-4e4fde53 --template ja | sed -n '/^## 再発/,/^## 根本原因/p' >"$d/rec-ja.md"
grep -q '^過去のポストモーテムのアクションアイテム: 13件中9件完了、1件見送り。未完了の3件はチェックリスト1件、心がけ1件と未分類1件。$' "$d/rec-ja.md" \
  || { cat "$d/rec-ja.md" >&2; fail "Japanese summary"; }
grep -q '^> \*\*レビュー推奨:\*\* 90日間に同じ障害（deploy-regression、checkout-api）が3回発生しました。.*過去のポストモーテムで未完了のアクションアイテム: 「Add a checklist step' "$d/rec-ja.md" \
  || fail "Japanese recommendation"
"$IQ" --data "$d/data" draft inc-20260818-7d9ca06a | grep -q '^Failure classes confirmed in the postmortem: deploy-regression$' \
  || fail "confirmed classes shown as confirmed"
echo "postmortems: ok"
