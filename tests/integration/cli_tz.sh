#!/bin/sh
# Local times beside UTC (docs/cli.md, "Time zones"; docs/render.md):
#  - `--tz ZONE` and TZ add a LOCAL column to `events` and `incidents`
#    and local times to `incident show`, with the right offset and
#    abbreviation on both sides of America/New_York's DST changes; --json
#    output never changes; the UTC columns stay;
#  - drafts show "13:42 UTC (22:42 JST)" and a local column in the
#    timeline, for the en, ja and pagerduty templates, with "-1d" when the
#    local date is the day before, across a DST change (EDT, then EST);
#    the facts (--format json) keep UTC;
#  - the config's drafts.tz gives the ja template Asia/Tokyo by default
#    (and not the others); --tz UTC turns it off; the daemon's written
#    drafts and its API follow it, and --http gives the same bytes;
#  - an unknown zone in --tz, TZ, the API's tz= or drafts.tz is refused
#    with a message naming it (exit 2; 400; inquestd does not start).
. "$IQ_ROOT/tests/lib.sh"
export SOURCE_DATE_EPOCH=1792589400
S="$IQ_ROOT/tests/data/render"

# events around New York's DST changes of 2026 (8 March, 1 November)
cat >"$IQ_TMP/dst.ndjson" <<'EOF'
{"id":"dst-1","source":"cli","kind":"log","action":"posted","at":"2026-03-08T06:30:00Z","service":"dst-probe","title":"before spring forward"}
{"id":"dst-2","source":"cli","kind":"log","action":"posted","at":"2026-03-08T07:30:00Z","service":"dst-probe","title":"after spring forward"}
{"id":"dst-3","source":"cli","kind":"log","action":"posted","at":"2026-11-01T05:30:00Z","service":"dst-probe","title":"before fall back"}
{"id":"dst-4","source":"cli","kind":"log","action":"posted","at":"2026-11-01T06:30:00Z","service":"dst-probe","title":"after fall back"}
EOF
cat >"$IQ_TMP/conf.json" <<'JSON'
{"drafts": {"template": "ja", "tz": {"ja": "Asia/Tokyo"}}}
JSON

d=$(iq_tmpdir)
iq_start_daemon "$d/data" 0 --config "$IQ_TMP/conf.json"
U="http://127.0.0.1:$IQ_HTTP_PORT"
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$S/sample-events.ndjson" || fail "sample events not sent"
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$IQ_TMP/dst.ndjson" || fail "dst events not sent"
L="$IQ --config $IQ_TMP/conf.json --data $d/data"
has_incident() { $L incidents --json 2>/dev/null | grep -q '"id": "inc-'; }
iq_wait_until 30 has_incident
id=$($L incidents --json | sed -n 's/^ *"id": "\(inc-[^"]*\)".*/\1/p' | head -1)

# events: the LOCAL column, both DST changes, TZ as --tz, --json untouched
$L events --service dst-probe --tz America/New_York >"$IQ_TMP/ev" 2>/dev/null || fail "events --tz"
head -1 "$IQ_TMP/ev" | grep -q "TIME (UTC)  *LOCAL TIME" || fail "no LOCAL column: $(head -1 "$IQ_TMP/ev")"
for want in "2026-03-08T06:30:00.000Z  2026-03-08 01:30:00 EST" \
            "2026-03-08T07:30:00.000Z  2026-03-08 03:30:00 EDT" \
            "2026-11-01T05:30:00.000Z  2026-11-01 01:30:00 EDT" \
            "2026-11-01T06:30:00.000Z  2026-11-01 01:30:00 EST"; do
  grep -q "^$want " "$IQ_TMP/ev" || fail "events --tz: no row '$want': $(cat "$IQ_TMP/ev")"
done
TZ=America/New_York $L events --service dst-probe >"$IQ_TMP/ev.env" 2>/dev/null || fail "events with TZ"
cmp -s "$IQ_TMP/ev" "$IQ_TMP/ev.env" || fail "TZ differs from --tz"
$L events --json >"$IQ_TMP/j1" 2>/dev/null
TZ=Asia/Tokyo $L events --json --tz America/New_York >"$IQ_TMP/j2" 2>/dev/null
cmp -s "$IQ_TMP/j1" "$IQ_TMP/j2" || fail "--tz changed events --json"
$L events --service dst-probe >"$IQ_TMP/ev.utc" 2>/dev/null
grep -q "LOCAL\|EST\|EDT" "$IQ_TMP/ev.utc" && fail "local times without --tz or TZ"
$L events --service dst-probe --tz Etc/UTC >"$IQ_TMP/ev.utc2" 2>/dev/null
cmp -s "$IQ_TMP/ev.utc" "$IQ_TMP/ev.utc2" || fail "--tz Etc/UTC added a column"

# incidents and incident show
$L incidents --tz Asia/Tokyo >"$IQ_TMP/inc" 2>/dev/null || fail "incidents --tz"
grep -q "OPENED (LOCAL)" "$IQ_TMP/inc" && grep -q "2026-10-21 22:4[0-9]:[0-9][0-9] JST" "$IQ_TMP/inc" ||
  fail "incidents --tz: $(cat "$IQ_TMP/inc")"
$L incident show "$id" --tz America/New_York >"$IQ_TMP/show" 2>/dev/null || fail "incident show --tz"
grep -q "^opened 2026-10-21T13:4[0-9]:[0-9.]*Z (2026-10-21 09:4[0-9]:[0-9][0-9] EDT)" "$IQ_TMP/show" ||
  fail "incident show --tz: $(head -5 "$IQ_TMP/show")"

# drafts of a file: the sample moved so that it crosses midnight and the
# end of New York's DST (impact began 2026-11-01T05:10Z, 01:10 EDT)
python3 - "$S" "$IQ_TMP" <<'PY'
import datetime as dt, re, sys
src, out = sys.argv[1], sys.argv[2]
shift = dt.datetime(2026, 11, 1, 5, 10, tzinfo=dt.timezone.utc) - dt.datetime(2026, 10, 21, 13, 40, tzinfo=dt.timezone.utc)
def move(m):
    t = dt.datetime.strptime(m.group(0), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc) + shift
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)
pat = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
for name in ("sample-incident.json", "sample-events.ndjson"):
    text = open(f"{src}/{name}").read()
    open(f"{out}/dst-{name}", "w").write(pat.sub(move, text))
PY
F="--incident-file $IQ_TMP/dst-sample-incident.json --events-file $IQ_TMP/dst-sample-events.ndjson"
# shellcheck disable=SC2086
"$IQ" draft $F --tz America/New_York >"$IQ_TMP/dst.md" || fail "draft --tz"
for want in "Detected at 05:12 UTC (01:12 EDT)" "Resolved at 06:05 UTC (01:05 EST)" \
            "| 03:40 (23:40 EDT -1d) |" "| 05:52 (01:52 EDT) |" "| 06:05 (01:05 EST) |" \
            "| Time (UTC; America/New\_York) |"; do
  grep -qF "$want" "$IQ_TMP/dst.md" || fail "draft --tz: no '$want': $(grep -n 'UTC' "$IQ_TMP/dst.md" | head)"
done
for t in ja pagerduty; do
  # shellcheck disable=SC2086
  "$IQ" draft $F --template $t --tz America/New_York >"$IQ_TMP/dst.$t.md" || fail "draft --template $t --tz"
  grep -qF "06:05 UTC (01:05 EST)" "$IQ_TMP/dst.$t.md" || fail "$t template: no local resolved time"
done
grep -qF "| 03:40 (23:40 EDT -1d) |" "$IQ_TMP/dst.ja.md" || fail "ja template: no local timeline"
# shellcheck disable=SC2086
"$IQ" draft $F --format json >"$IQ_TMP/f1.json" && "$IQ" draft $F --format json --tz Asia/Tokyo >"$IQ_TMP/f2.json" ||
  fail "draft --format json"
python3 - "$IQ_TMP/f1.json" "$IQ_TMP/f2.json" <<'PY' || fail "the facts changed beyond time_local and tz"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in ("time_local", "tz")}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
assert strip(a) == strip(b), "facts differ"
assert b["tz"]["name"] == "Asia/Tokyo" and "tz" not in a
assert b["incident"]["milestones"]["detected"]["at"] == a["incident"]["milestones"]["detected"]["at"]
PY

# the config: ja defaults to Asia/Tokyo, the default template does not; --tz UTC turns it off
$L draft "$id" --template ja >"$IQ_TMP/ja.md" 2>/dev/null || fail "draft --template ja"
grep -qF "13:42 UTC (22:42 JST)" "$IQ_TMP/ja.md" || fail "ja template without Asia/Tokyo from drafts.tz"
$L draft "$id" >"$IQ_TMP/en.md" 2>/dev/null || fail "draft"
grep -q "JST" "$IQ_TMP/en.md" && fail "the default template took the ja template's zone"
$L draft "$id" --template ja --tz UTC >"$IQ_TMP/ja-utc.md" 2>/dev/null || fail "draft --tz UTC"
grep -q "JST" "$IQ_TMP/ja-utc.md" && fail "--tz UTC did not turn the configured zone off"
# ... over --http the same bytes, the daemon applying the same config
for args in "--template ja" "" "--template ja --tz UTC" "--tz America/New_York --format html"; do
  # shellcheck disable=SC2086
  $L draft "$id" $args >"$IQ_TMP/a" 2>/dev/null || fail "draft $args on --data"
  # shellcheck disable=SC2086
  "$IQ" --http "$U" draft "$id" $args >"$IQ_TMP/b" 2>"$IQ_TMP/err" || fail "draft $args on --http: $(cat "$IQ_TMP/err")"
  cmp -s "$IQ_TMP/a" "$IQ_TMP/b" || fail "draft $args: --http differs: $(diff "$IQ_TMP/a" "$IQ_TMP/b" | head)"
done
# ... and the drafts inquestd writes (template ja in the config)
written() { [ -s "$d/data/drafts/$id.md" ]; }
iq_wait_until 30 written
grep -qF "(22:42 JST)" "$d/data/drafts/$id.md" || fail "the written ja draft has no local times"

# unknown zones
st=0; $L events --tz Mars/Olympus_Mons >/dev/null 2>"$IQ_TMP/err" || st=$?
[ "$st" = 2 ] && grep -q "tz: unknown time zone 'Mars/Olympus_Mons'" "$IQ_TMP/err" ||
  fail "--tz Mars/Olympus_Mons: exit $st: $(cat "$IQ_TMP/err")"
st=0; TZ=Mars/Olympus_Mons $L incidents >/dev/null 2>"$IQ_TMP/err" || st=$?
[ "$st" = 2 ] && grep -q "TZ: unknown time zone 'Mars/Olympus_Mons'" "$IQ_TMP/err" ||
  fail "TZ=Mars/Olympus_Mons: exit $st: $(cat "$IQ_TMP/err")"
st=0; "$IQ" draft $F --tz ../../etc/passwd >/dev/null 2>"$IQ_TMP/err" || st=$?
[ "$st" = 2 ] || fail "--tz ../../etc/passwd: exit $st"
code=$(curl -s -o "$IQ_TMP/resp" -w '%{http_code}' "$U/api/v1/incidents/$id/draft.md?tz=Mars%2FOlympus_Mons")
[ "$code" = 400 ] && grep -q "Mars/Olympus_Mons" "$IQ_TMP/resp" || fail "tz= unknown: $code $(cat "$IQ_TMP/resp")"
code=$(curl -s -o "$IQ_TMP/resp" -w '%{http_code}' "$U/api/v1/incidents/$id/draft.md?tz=%2Fetc%2Flocaltime")
[ "$code" = 400 ] || fail "tz=/etc/localtime over HTTP: $code"
iq_stop_daemon
printf '{"drafts": {"tz": {"ja": "Asia/Tokio"}}}\n' >"$IQ_TMP/bad.json"
st=0; "$IQD" --data "$d/bad" --listen-zmq tcp://127.0.0.1:0 --listen-http 127.0.0.1:0 \
  --config "$IQ_TMP/bad.json" >"$IQ_TMP/bad.log" 2>&1 || st=$?
[ "$st" != 0 ] && grep -q "tz.ja: unknown time zone 'Asia/Tokio'" "$IQ_TMP/bad.log" ||
  fail "inquestd with drafts.tz Asia/Tokio: exit $st: $(cat "$IQ_TMP/bad.log")"
echo "cli_tz: ok"
