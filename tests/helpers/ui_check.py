#!/usr/bin/env python3
"""ui_check.py - reads what headless Chromium gave tests/integration/ui_browser.sh: the DOM
it built (--dump-dom), its network log (--log-net-log) and the JSON API's
answers, and checks them.  Python 3 standard library only.

  ui_check.py timeline DOM INCIDENT_JSON API_SVG [LANE=N ...]
      the page holds one <svg class="iq-timeline">; every milestone of the
      incident once, with its time in data-at; each lane the elements the
      API's timeline.svg has (and N when given); every milestone's evidence
      link points at a row of the page's events table
  ui_check.py rows DOM            the list's incident ids, in order, one a line
  ui_check.py months DOM          the analytics' month rows: "MONTH COUNT"
  ui_check.py net NETLOG ORIGIN   no request left loopback: what the pages
      asked for (the navigation and what it loaded) is on ORIGIN, the
      stylesheet loaded (200, or from the cache), and every other request (the browser's own
      services) went nowhere: it failed (the proxy is a closed loopback port)
Exit status 0 when every check holds, 1 (each problem printed) otherwise.
"""

import json
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
SVG = "{http://www.w3.org/2000/svg}"


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []
        self.text = ""

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()


class Tree(HTMLParser):
    """The DOM as Chromium serialised it, as a tree of Nodes."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.text += data


def load(path):
    with open(path, encoding="utf-8") as f:
        return Tree(f.read()).root


def lane_counts_svg(path):
    """Elements per lane of the API's timeline.svg (the chart's contract)."""
    root = ET.parse(path).getroot()
    counts = {}
    for g in root.iter(SVG + "g"):
        lane = g.get("data-lane")
        if lane:
            key = "data-component" if lane == "components" else "data-event"
            counts[lane] = len([e for e in g if e.get(key)])
    return counts


def timeline(dom, inc_path, svg_path, fixed):
    bad = []
    root = load(dom)
    inc = json.load(open(inc_path, encoding="utf-8"))
    charts = [n for n in root.iter() if n.tag == "svg" and "iq-timeline" in n.attrs.get("class", "")]
    if len(charts) != 1:
        return ["%d timelines on the page, want 1" % len(charts)]
    chart = charts[0]
    marks = [n for n in chart.iter() if "data-milestone" in n.attrs]
    want = {k: m["at"] for k, m in inc["milestones"].items() if m}
    for k, at in want.items():
        got = [n.attrs.get("data-at") for n in marks if n.attrs["data-milestone"] == k]
        if got != [at]:
            bad.append("milestone %s: data-at %s, want [%s]" % (k, got, at))
    if len(marks) != len(want):
        bad.append("%d milestone elements, want %d" % (len(marks), len(want)))
    lanes = {n.attrs["data-lane"]: n for n in chart.iter() if n.tag == "g" and "data-lane" in n.attrs}
    want_lanes = lane_counts_svg(svg_path)
    for lane, n in (a.split("=") for a in fixed):
        want_lanes.setdefault(lane, int(n))
        if want_lanes[lane] != int(n):
            bad.append("lane %s: the API's chart has %d elements, want %s" % (lane, want_lanes[lane], n))
    for lane, n in want_lanes.items():
        key = "data-component" if lane == "components" else "data-event"
        g = lanes.get(lane)
        got = len([c for c in g.children if key in c.attrs]) if g else 0
        if got != n:
            bad.append("lane %s: %d elements on the page, want %d" % (lane, got, n))
    ids = {n.attrs["id"] for n in root.iter() if "id" in n.attrs}
    for k in want:
        row = [n for n in root.iter() if n.tag == "tr" and n.attrs.get("id") == "ms-" + k]
        links = [a.attrs.get("href", "") for r in row for a in r.iter() if a.tag == "a"]
        if not row or not links:
            bad.append("milestone %s: no row with a link to its evidence" % k)
        for href in links:
            if not href.startswith("#") or href[1:] not in ids:
                bad.append("milestone %s: link %s points at nothing on the page" % (k, href))
    if any(n.tag == "script" for n in root.iter()):
        bad.append("the page has a <script>")
    return bad


def rows(dom):
    for n in load(dom).iter():
        if n.tag == "tr" and "data-incident" in n.attrs:
            print(n.attrs["data-incident"])
    return []


def months(dom):
    for n in load(dom).iter():
        if n.tag == "tr" and "data-month" in n.attrs and n.parent.parent.attrs.get("id") == "per-month-data":
            cells = [c for c in n.children if c.tag == "td"]
            print(n.attrs["data-month"], cells[0].text.strip() if cells else "?")
    return []


def net(path, origin):
    bad = []
    log = json.load(open(path, encoding="utf-8"))
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    reqs, failed, status = {}, set(), {}
    for e in log["events"]:
        t, p, src = types.get(e["type"]), e.get("params", {}), e["source"]["id"]
        if t == "URL_REQUEST_START_JOB" and "url" in p:
            reqs[src] = p
        if p.get("net_error", 0) < 0:
            failed.add(src)
        if t == "HTTP_TRANSACTION_READ_RESPONSE_HEADERS" and "headers" in p:
            status[src] = p["headers"][0] if p["headers"] else ""
    ours = [s for s, p in reqs.items()
            if p.get("initiator") == origin or p.get("request_type") == "main frame"]
    if not ours:
        bad.append("no request of the page in the log")
    for s in ours:
        u = urlsplit(reqs[s]["url"])
        if u.scheme not in ("http", "data") or (u.scheme == "http" and u.hostname != "127.0.0.1"):
            bad.append("the page asked for %s" % reqs[s]["url"])
    css = [s for s in ours if reqs[s]["url"].endswith("/ui/assets/ui.css")]
    if not css or any(s in failed or (s in status and " 200 " not in status[s]) for s in css):
        bad.append("the stylesheet was not loaded (200, or from the browser's cache)")
    for s, p in reqs.items():
        host = urlsplit(p["url"]).hostname
        if host not in ("127.0.0.1", None) and s not in failed:
            bad.append("a request to %s did not fail: it may have left the machine" % p["url"])
    return bad


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "timeline" and len(argv) >= 5:
        bad = timeline(argv[2], argv[3], argv[4], argv[5:])
    elif cmd == "rows" and len(argv) == 3:
        bad = rows(argv[2])
    elif cmd == "months" and len(argv) == 3:
        bad = months(argv[2])
    elif cmd == "net" and len(argv) == 4:
        bad = net(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for b in bad:
        print("ui_check %s %s: %s" % (cmd, argv[2], b), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
