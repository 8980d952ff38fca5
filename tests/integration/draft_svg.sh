#!/bin/sh
# draft_svg.sh - the visual timeline, end to end, from a real daemon.
#
# A real inquestd receives the sample incident (tests/data/render/
# sample-events.ndjson) and a three-day one (multiday-events.ndjson) over
# ZeroMQ; its correlator derives both.  For each, the test fetches
# GET /api/v1/incidents/ID/timeline.svg over HTTP, renders
# `inquest draft ID --format svg` and `--format html` beside the running
# daemon, and reads every SVG back with a real XML parser (python3's
# xml.etree): it must parse, be <svg class="iq-timeline">, carry every
# milestone of the incident (from GET /api/v1/incidents/ID) once with its
# time in data-at, and hold in each lane the elements the events make.
# The three copies (HTTP, CLI, inline in the HTML draft) must be the same
# chart, and the drafts directory must hold the same ID.svg once the
# daemon has drafted the closed incident.  The external audience sees no
# chat and no names; unknown paths are 404.
. "$IQ_ROOT/tests/lib.sh"
D="$IQ_ROOT/tests/data/render"
command -v curl >/dev/null || fail "curl is required (make deps-test)"
command -v python3 >/dev/null || fail "python3 is required (make deps-test)"

# svg_check SVG INCIDENT_JSON [LANE=N ...]: the contract, read with xml.etree.
svg_check() {
  python3 - "$@" <<'PY' || fail "contract of $1"
import json, sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
svg, inc = sys.argv[1], json.load(open(sys.argv[2]))
root = ET.parse(svg).getroot()          # raises on anything that is not XML
bad = []
if root.tag != NS + "svg" or root.get("class") != "iq-timeline":
    bad.append("root is %s class=%s" % (root.tag, root.get("class")))
marks = [e for e in root.iter() if e.get("data-milestone")]
want = {k: m["at"] for k, m in inc["milestones"].items() if m}
for k, at in want.items():
    got = [e.get("data-at") for e in marks if e.get("data-milestone") == k]
    if got != [at]:
        bad.append("milestone %s: data-at %s, want [%s]" % (k, got, at))
if len(marks) != len(want):
    bad.append("%d milestone elements, want %d" % (len(marks), len(want)))
lanes = {g.get("data-lane"): g for g in root.iter(NS + "g") if g.get("data-lane")}
for arg in sys.argv[3:]:
    lane, n = arg.split("=")
    g = lanes.get(lane)
    key = "data-component" if lane == "components" else "data-event"
    got = len([e for e in g if e.get(key)]) if g is not None else 0
    if got != int(n):
        bad.append("lane %s: %d elements, want %s" % (lane, got, n))
for e in root.iter():
    if e.get("data-event") and e.find(NS + "title") is None:
        bad.append("element of %s has no <title>" % e.get("data-event"))
for b in bad:
    print("svg_check %s: %s" % (svg, b), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# svg_of_html HTML OUT: the inline <svg> of an HTML draft, alone.
svg_of_html() {
  python3 - "$1" "$2" <<'PY' || fail "no inline timeline in $1"
import sys
h = open(sys.argv[1], encoding="utf-8").read()
a = h.index('<svg xmlns="http://www.w3.org/2000/svg" class="iq-timeline"')
b = h.index("</svg>", a) + len("</svg>")
open(sys.argv[2], "w", encoding="utf-8").write(h[a:b] + "\n")
PY
}

data="$IQ_TMP/data"
# the sample's component change joins through the component map; its chat
# names no linked channel, so it stays out of the incident
printf '{"correlate": {"components": {"Checkout API": "checkout"}}}\n' >"$IQ_TMP/config.json"
iq_start_daemon "$data" 0 --config "$IQ_TMP/config.json"
U="http://127.0.0.1:$IQ_HTTP_PORT"
for f in sample multiday; do
  "$IQ" --quiet --zmq "$IQ_ZMQ" send "$D/$f-events.ndjson" >/dev/null || fail "send $f"
done

two_incidents() { [ "$(curl -s "$U/api/v1/incidents" | grep -o '"id": *"inc-[0-9a-f-]*"' | wc -l)" -ge 2 ]; }
iq_wait_until 20 two_incidents
curl -s "$U/api/v1/incidents" >"$IQ_TMP/list.json"
sample=$(iq_incident_on "$IQ_TMP/list.json" checkout); multi=$(iq_incident_on "$IQ_TMP/list.json" search)
[ -n "$sample" ] && [ -n "$multi" ] || fail "incidents not derived: $(cat "$IQ_TMP/list.json")"

for id in "$sample" "$multi"; do
  curl -s -o "$IQ_TMP/$id.json" "$U/api/v1/incidents/$id"
  code=$(curl -s -o "$IQ_TMP/$id.http.svg" -w '%{http_code} %{content_type}' "$U/api/v1/incidents/$id/timeline.svg")
  [ "$code" = "200 image/svg+xml" ] || fail "GET timeline.svg of $id: $code"
  "$IQ" --data "$data" draft "$id" --format svg >"$IQ_TMP/$id.cli.svg" || fail "draft $id --format svg"
  cmp -s "$IQ_TMP/$id.http.svg" "$IQ_TMP/$id.cli.svg" || fail "timeline.svg and draft --format svg differ for $id"
  "$IQ" --quiet --data "$data" draft "$id" --format html -o "$IQ_TMP/$id.html" || fail "draft $id --format html"
  svg_of_html "$IQ_TMP/$id.html" "$IQ_TMP/$id.inline.svg"
  sed 1d "$IQ_TMP/$id.cli.svg" | cmp -s - "$IQ_TMP/$id.inline.svg" || fail "the HTML draft's timeline differs from the SVG of $id"
done

# the sample: each family's elements
svg_check "$IQ_TMP/$sample.http.svg" "$IQ_TMP/$sample.json" alerts=2 pages=2 status=2 components=1 chat=0
svg_check "$IQ_TMP/$sample.inline.svg" "$IQ_TMP/$sample.json" alerts=2 pages=2 status=2 components=1 chat=0
grep -q 'data-kind="rollback"' "$IQ_TMP/$sample.http.svg" || fail "the rollback is not drawn as one"
# three days: one latency bar over two days, errors twice, CPU; 4 component
# stretches; the ticks of a day-long axis; the burst of chat merged
svg_check "$IQ_TMP/$multi.http.svg" "$IQ_TMP/$multi.json" alerts=4 pages=2 status=3 components=4 deploys=3
svg_check "$IQ_TMP/$multi.inline.svg" "$IQ_TMP/$multi.json" alerts=4 pages=2 status=3 components=4 deploys=3
for day in '2 Nov' '3 Nov' '4 Nov'; do
  grep -q ">$day</text>" "$IQ_TMP/$multi.http.svg" || fail "axis of the three-day incident has no $day"
done
grep -q 'data-trigger="top"' "$IQ_TMP/$multi.http.svg" || fail "no top trigger candidate"
grep -q 'data-count="5"' "$IQ_TMP/$multi.http.svg" || fail "the chat burst is not one tick of 5"

# the Markdown draft points at the chart beside it
curl -s "$U/api/v1/incidents/$sample/draft.md" | grep -q '^!\[Visual timeline (SVG)\](timeline.svg)$' \
  || fail "draft.md does not reference timeline.svg"

# external audience: no chat lane, nobody named; a pseudonymised chart names nobody either
curl -s -o "$IQ_TMP/ext.svg" "$U/api/v1/incidents/$sample/timeline.svg?audience=external"
grep -q 'data-lane="chat"' "$IQ_TMP/$multi.http.svg" || fail "no chat lane for $multi"
grep -qw 'erin' "$IQ_TMP/$multi.http.svg" || fail "internal timeline of $multi does not name erin"
curl -s -o "$IQ_TMP/ext.svg" "$U/api/v1/incidents/$multi/timeline.svg?audience=external"
svg_check "$IQ_TMP/ext.svg" "$IQ_TMP/$multi.json" alerts=4 pages=2 chat=0
grep -q 'data-lane="chat"\|erin\|frank\|shard moves' "$IQ_TMP/ext.svg" && fail "external timeline shows chat or names"
curl -s -o "$IQ_TMP/pseudo.svg" "$U/api/v1/incidents/$multi/timeline.svg?pseudonymize=1"
grep -qw 'erin\|frank' "$IQ_TMP/pseudo.svg" && fail "pseudonymised timeline names people"
grep -q 'responder [A-Z]' "$IQ_TMP/pseudo.svg" || fail "pseudonymised timeline has no pseudonym"

# refusals
for p in "$sample/timeline.png" "$sample/draft.svg" "inc-20990101-00000000/timeline.svg" "../timeline.svg"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/incidents/$p")
  [ "$code" = 404 ] || fail "GET /api/v1/incidents/$p answered $code, want 404"
done

# the daemon drafts the closed sample incident: ID.svg beside ID.md, the same chart
drafted() { [ -s "$data/drafts/$sample.svg" ] && [ -s "$data/drafts/$sample.md" ]; }
iq_wait_until 20 drafted
cmp -s "$data/drafts/$sample.svg" "$IQ_TMP/$sample.http.svg" || fail "drafts/$sample.svg differs from timeline.svg"
grep -q "^!\[Visual timeline (SVG)\]($sample.svg)\$" "$data/drafts/$sample.md" || fail "$sample.md does not reference $sample.svg"
iq_stop_daemon
echo "draft svg: $sample and $multi drawn the same over HTTP, by the CLI and in the HTML draft"
