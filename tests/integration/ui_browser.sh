#!/bin/sh
# ui_browser.sh - the web UI in a real browser, from a real inquestd.
#
# inquestd on loopback (ports chosen by the kernel) receives the demo
# incident (examples/incident-checkout.ndjson with examples/inquestd.json,
# as make demo and make serve feed it) and the three-day scenario
# (tests/data/render/multiday-events.ndjson) over ZeroMQ; its correlator
# derives both.  Headless Chromium then loads every page, with a proxy on a
# closed loopback port (nothing it asks of another host can leave the
# machine) and its network log on, and the test reads back what the
# browser built (tests/helpers/ui_check.py):
#  - each incident page: one timeline, every milestone of the incident
#    (GET /api/v1/incidents/ID) once with its time in data-at, each lane
#    the elements of GET .../timeline.svg (and the numbers the scenario
#    makes), each milestone linked to its evidence's row on the page;
#  - the list: both incidents, and each filter (service, class, status,
#    title search) shows exactly the rows the JSON API gives for it;
#  - the analytics: a month row per month with its count, two charts;
#  - the network: what the pages asked for is on the daemon's origin, the
#    stylesheet loaded, anything else the browser tried failed;
#  - the UI's headers: the Content-Security-Policy, nosniff.
# Screenshots of each page (the list, the demo incident, the analytics)
# at 390 px and 1280 px, and of the three-day incident at 1280 px, go to
# ${IQ_TEST_OUT:-BUILD/test-output}/ui/ (kept after the test).
. "$IQ_ROOT/tests/lib.sh"
D="$IQ_ROOT/tests/data/render"
CHECK="python3 $IQ_ROOT/tests/helpers/ui_check.py"
command -v chromium >/dev/null 2>&1 || fail "chromium is not installed (make deps-test)"
command -v curl >/dev/null 2>&1 || fail "curl is required (make deps-test)"
command -v python3 >/dev/null 2>&1 || fail "python3 is required (make deps-test)"
OUT="${IQ_TEST_OUT:-$IQ_BUILD/test-output}/ui"
mkdir -p "$OUT"
rm -f "$OUT"/*.png

iq_start_daemon "$IQ_TMP/data" 0 --config "$IQ_ROOT/examples/inquestd.json"
U="http://127.0.0.1:$IQ_HTTP_PORT"
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$IQ_ROOT/examples/incident-checkout.ndjson" >/dev/null || fail "send demo"
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$D/multiday-events.ndjson" >/dev/null || fail "send multiday"
two_incidents() { [ "$(curl -s "$U/api/v1/incidents" | grep -o '"id": *"inc-[0-9a-f-]*"' | wc -l)" -ge 2 ]; }
iq_wait_until 20 two_incidents
curl -s "$U/api/v1/incidents" >"$IQ_TMP/list.json"
demo=$(iq_incident_on "$IQ_TMP/list.json" checkout-api); multi=$(iq_incident_on "$IQ_TMP/list.json" search)
[ -n "$demo" ] && [ -n "$multi" ] || fail "incidents not derived: $(cat "$IQ_TMP/list.json")"
for id in "$demo" "$multi"; do
  curl -s -o "$IQ_TMP/$id.json" "$U/api/v1/incidents/$id"
  curl -s -o "$IQ_TMP/$id.svg" "$U/api/v1/incidents/$id/timeline.svg"
done

# browse NAME PATH WIDTH: load U/PATH at WIDTH px: the DOM to NAME.dom, the
# network log to NAME.net.json, a screenshot to OUT/NAME-WIDTH.png
browse() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
    --disable-features=AutofillServerCommunication,NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate \
    --proxy-server=127.0.0.1:9 --proxy-bypass-list=127.0.0.1 \
    --user-data-dir="$IQ_TMP/chromium" --log-net-log="$IQ_TMP/$1.net.json" \
    --hide-scrollbars --window-size="$3,1600" --screenshot="$OUT/$1-$3.png" \
    --dump-dom "$U$2" >"$IQ_TMP/$1.dom" 2>>"$IQ_TMP/chromium.log" \
    || { tail -5 "$IQ_TMP/chromium.log" >&2; fail "chromium on $2"; }
  grep -q '</footer>' "$IQ_TMP/$1.dom" || fail "$2: the page did not load fully"
  $CHECK net "$IQ_TMP/$1.net.json" "$U" || fail "$2 at $3 px: a request left loopback"
  png=$(od -An -c -N4 "$OUT/$1-$3.png" | tr -d ' ')
  [ "$png" = '211PNG' ] && [ "$(wc -c <"$OUT/$1-$3.png")" -gt 5000 ] || fail "screenshot of $2 at $3 px"
}

for w in 390 1280; do   # each page at both widths; the DOM read is the 1280 px one
  browse list /ui/ "$w"
  browse incident-demo "/ui/incidents/$demo" "$w"
  browse query /ui/query "$w"
done
browse incident-multiday "/ui/incidents/$multi" 1280

# incident pages: the timeline's contract, as the API's chart has it
$CHECK timeline "$IQ_TMP/incident-demo.dom" "$IQ_TMP/$demo.json" "$IQ_TMP/$demo.svg" \
  || fail "timeline of the demo incident"
$CHECK timeline "$IQ_TMP/incident-multiday.dom" "$IQ_TMP/$multi.json" "$IQ_TMP/$multi.svg" \
  alerts=4 pages=2 status=3 components=4 deploys=3 || fail "timeline of the three-day incident"
grep -q 'href="/api/v1/incidents/'"$demo"'/draft.md" download' "$IQ_TMP/incident-demo.dom" \
  || fail "no Markdown download on the demo incident's page"
grep -q '<article class="draft">' "$IQ_TMP/incident-multiday.dom" || fail "no draft on the page"

# the list: both incidents; each filter shows exactly the API's rows
rows_of() { $CHECK rows "$IQ_TMP/$1.dom" | sort | tr '\n' ' '; }
[ "$(rows_of list)" = "$(printf '%s\n' "$demo" "$multi" | sort | tr '\n' ' ')" ] || fail "list: $(rows_of list)"
api_ids() { # QUERY: the ids /api/v1/query gives for it, sorted
  curl -s "$U/api/v1/query?$1" | python3 -c "import json,sys; [print(i) for g in json.load(sys.stdin)['groups'] for i in g['incidents']]" \
    | sort | tr '\n' ' '
}
list_ids() { # FIELD VALUE: the ids of /api/v1/incidents whose FIELD contains VALUE (any case)
  python3 -c "import json,sys; [print(i['id']) for i in json.load(open(sys.argv[1])) if sys.argv[3].lower() in str(i[sys.argv[2]]).lower()]" \
    "$IQ_TMP/list.json" "$1" "$2" | sort | tr '\n' ' '
}
class=$(curl -s "$U/api/v1/query?group_by=class&service=checkout-api" \
  | python3 -c "import json,sys; print(json.load(sys.stdin)['groups'][0]['key'])")
status=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['status'])" "$IQ_TMP/$multi.json")
n=0
for f in "service=search|$(api_ids service=search)" "class=$class|$(api_ids "class=$class")" \
         "status=$status|$(list_ids status "$status")" "q=latency|$(list_ids title latency)"; do
  n=$((n + 1)); query=${f%%|*}; want=${f#*|}
  [ -n "$want" ] || fail "filter $query: the API gives no incident (the test data changed?)"
  timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --proxy-server=127.0.0.1:9 --proxy-bypass-list=127.0.0.1 \
    --user-data-dir="$IQ_TMP/chromium" --dump-dom "$U/ui/?$query" >"$IQ_TMP/filter$n.dom" \
    2>>"$IQ_TMP/chromium.log" || fail "chromium on /ui/?$query"
  got=$(rows_of "filter$n")
  [ "$got" = "$want" ] || fail "list ?$query shows [$got], the API gives [$want]"
done

# the analytics: a month per incident, two charts, their data tables
months=$($CHECK months "$IQ_TMP/query.dom" | tr '\n' ' ')
[ "$months" = "2026-10 1 2026-11 1 " ] || fail "analytics months: [$months]"
[ "$(grep -o '<svg [^>]*class="iq-chart"' "$IQ_TMP/query.dom" | wc -l)" -eq 2 ] || fail "analytics charts"
grep -q 'data-month="2026-11" data-class="[^"]*" data-count="1"' "$IQ_TMP/query.dom" || fail "analytics bars"

# the UI's answers carry its policy; the root sends browsers to it
curl -s -D "$IQ_TMP/h" -o /dev/null "$U/ui/"
grep -qi "^content-security-policy: default-src 'self'; img-src 'self' data:; style-src 'self'" "$IQ_TMP/h" \
  || fail "no Content-Security-Policy on /ui/: $(cat "$IQ_TMP/h")"
grep -qi '^x-content-type-options: nosniff' "$IQ_TMP/h" || fail "no nosniff on /ui/"
[ "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$U/")" = "302 $U/ui/" ] || fail "GET / is not a redirect to /ui/"
iq_stop_daemon
echo "ui browser: list, filters, both incident pages and analytics checked in chromium; screenshots in $OUT"
