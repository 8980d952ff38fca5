#!/bin/sh
# draft_html.sh - the HTML draft opened in a real browser.
#
# Renders the sample incident with --format html (libcmark-gfm with the
# table extension), loads the file in headless Chromium and checks the DOM
# the browser built: the tables are real <table> elements with their header
# cells, the task-list checkboxes exist, the visual timeline is inline with
# its milestones and lanes, and no template syntax leaked.
. "$IQ_ROOT/tests/lib.sh"
D="$IQ_ROOT/tests/data/render"
command -v chromium >/dev/null 2>&1 || fail "chromium is not installed (Debian package chromium)"

"$IQ" --quiet draft --incident-file "$D/sample-incident.json" --events-file "$D/sample-events.ndjson" \
  --format html -o "$IQ_TMP/draft.html" || fail "draft --format html"
grep -q '<style>' "$IQ_TMP/draft.html" || fail "no stylesheet"

timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$IQ_TMP/chromium" --dump-dom "file://$IQ_TMP/draft.html" \
  >"$IQ_TMP/dom.html" 2>"$IQ_TMP/chromium.log" || { tail -5 "$IQ_TMP/chromium.log" >&2; fail "chromium failed"; }

tables=$(grep -o '<table>' "$IQ_TMP/dom.html" | wc -l)
[ "$tables" -ge 5 ] || fail "browser DOM has $tables tables, want 5 (header, impact, metrics, timeline, action items)"
grep -q '<th>Time (UTC)</th>' "$IQ_TMP/dom.html" || fail "timeline table header not rendered"
grep -q '<th>Item</th>' "$IQ_TMP/dom.html" || fail "action items table not rendered"
grep -q '<td>13:47</td>' "$IQ_TMP/dom.html" || fail "timeline row not rendered"
grep -q 'type="checkbox"' "$IQ_TMP/dom.html" || fail "checklist not rendered as task list"
grep -q '<title>HighErrorRate on checkout</title>' "$IQ_TMP/dom.html" || fail "page title"
grep -q '{{' "$IQ_TMP/dom.html" && fail "template syntax leaked into the page"
# the visual timeline, inline: one chart, its six milestones, its lanes
[ "$(grep -o '<svg [^>]*class="iq-timeline"' "$IQ_TMP/dom.html" | wc -l)" -eq 1 ] || fail "no inline visual timeline in the DOM"
[ "$(grep -o 'data-milestone="[a-z_]*" data-at="[^"]*"' "$IQ_TMP/dom.html" | wc -l)" -eq 6 ] || fail "the timeline's milestones"
grep -q 'data-milestone="detected" data-at="2026-10-21T13:42:30.000Z"' "$IQ_TMP/dom.html" || fail "detected milestone's data-at"
for lane in alerts pages status components deploys chat; do
  grep -q "<g data-lane=\"$lane\">" "$IQ_TMP/dom.html" || fail "lane $lane missing from the timeline"
done

# hostile event text and links stay text: no element, handler or script URL
cat "$D/sample-events.ndjson" "$D/hostile-events.ndjson" >"$IQ_TMP/hostile.ndjson"
"$IQ" --quiet draft --incident-file "$D/sample-incident.json" --events-file "$IQ_TMP/hostile.ndjson" \
  --format html -o "$IQ_TMP/hostile.html" || fail "draft of hostile events"
timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$IQ_TMP/chromium" --dump-dom "file://$IQ_TMP/hostile.html" \
  >"$IQ_TMP/hostile-dom.html" 2>>"$IQ_TMP/chromium.log" || fail "chromium failed on the hostile draft"
grep -c '<img' "$IQ_TMP/hostile-dom.html" | grep -qx 0 || fail "an <img> element was created"
grep -c '<script' "$IQ_TMP/hostile-dom.html" | grep -qx 0 || fail "a <script> element was created"
grep -qi 'href="javascript' "$IQ_TMP/hostile-dom.html" && fail "javascript: link"
grep -Eq '<[a-z][^>]* on(error|mouseover)=' "$IQ_TMP/hostile-dom.html" && fail "an event handler attribute was created"
grep -q '&lt;img src=x onerror=alert(1)&gt;' "$IQ_TMP/hostile-dom.html" || fail "hostile text not shown as text"
grep -q 'href="https://example.com/a%20b%22onmouseover=alert%285%29%20%28x%29%7Cy"' "$IQ_TMP/hostile-dom.html" \
  || fail "link not percent-encoded"
echo "draft html: $tables tables rendered by chromium, hostile input inert"
