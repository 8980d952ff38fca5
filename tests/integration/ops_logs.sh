#!/bin/sh
# Log formats (text, logfmt, json) and the shutdown summary of every ingest
# path (issue #18, item 3).  A real inquestd
# takes events by every door: a Statuspage import and `inquest send` over
# ZeroMQ (twice, the second time all duplicates) and one canonical event
# over HTTP; on SIGTERM its summary counts each path and the total:
# 24 stored (23 ZeroMQ, 1 HTTP), 18 duplicates.  The same run in each
# format: text keeps its shape (timestamp, program[pid], level,
# component: message), logfmt and json lines carry ts (RFC 3339 UTC ms),
# level, msg and the summary's figures as fields.  An unknown format is
# refused, by the daemon and by the CLI, whose own error lines follow
# --log-format too.  RocksDB's LOG on the data filesystem is warned about.
. "$IQ_ROOT/tests/lib.sh"
SP="$IQ_ROOT/tests/data/import/api-v2-incidents.githubstatus.json"
d=$(iq_tmpdir)
iq_gen_events 5 logs >"$d/five.ndjson"

# run FORMAT: the traffic above against a daemon logging in FORMAT; its log
# is $d/FORMAT.log
run() {
  iq_start_daemon "$d/$1" 0 --log-format "$1"
  "$IQ" --zmq "$IQ_ZMQ" import statuspage "$SP" >/dev/null || fail "$1: import"
  "$IQ" --zmq "$IQ_ZMQ" send "$d/five.ndjson" >/dev/null || fail "$1: send"
  out=$("$IQ" --zmq "$IQ_ZMQ" import statuspage "$SP") || fail "$1: second import"
  case "$out" in *"stored 0, duplicates 18, rejected 0") ;; *) fail "$1: second import: $out" ;; esac
  code=$(curl -s -o "$d/post.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"id":"logs-http-1","source":"cli","kind":"log","action":"posted","at":"2026-10-21T13:00:00Z","title":"over http"}' \
    "http://127.0.0.1:$IQ_HTTP_PORT/hooks/events")
  [ "$code" = 200 ] && grep -q '"stored":1' "$d/post.json" || fail "$1: HTTP delivery: $code $(cat "$d/post.json")"
  iq_stop_daemon
}

# text: the historical shape, and the summary's words
run text
summary='stopped: 24 events stored, 18 duplicates, 0 rejected; zmq: 3 batches, 23 stored, 18 duplicates, 0 rejected (0 audit notes refused), CurveZMQ handshakes 0 allowed, 0 refused; http: 1 requests, 1 stored, 0 duplicates, 0 rejected'
grep -q "^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]\{3\}Z inquestd\[[0-9]*\] info daemon: $summary\$" \
  "$d/text.log" || { cat "$d/text.log" >&2; fail "text shutdown summary"; }
bad=$(grep -cv '^[0-9-]*T[0-9:.]*Z inquestd\[[0-9]*\] \(error\|warn\|info\|debug\) [a-z]*: ' "$d/text.log" || true)
[ "$bad" -eq 0 ] || { cat "$d/text.log" >&2; fail "$bad text lines out of shape"; }

# logfmt and json: every line parses, with ts, level and msg first, and
# the summary's fields
for f in logfmt json; do
  run $f
  python3 - "$f" "$d/$f.log" "$summary" <<'EOF' || fail "$f lines"
import json, re, sys
fmt, path, summary = sys.argv[1], sys.argv[2], sys.argv[3]
TOKEN = re.compile(r'\s*([a-z_]+)=("(?:[^"\\]|\\.)*"|[^\s"=]+)')
def logfmt(line):
    out, pos = {}, 0
    while pos < len(line):
        m = TOKEN.match(line, pos)
        if not m:
            raise ValueError("bad logfmt at %d: %r" % (pos, line[pos:pos + 40]))
        v = m.group(2)
        out[m.group(1)] = json.loads(v) if v.startswith('"') else v
        pos = m.end()
    return out
ts = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
found = None
lines = open(path, encoding="utf-8").read().splitlines()
assert lines, "empty log"
for line in lines:
    rec = json.loads(line) if fmt == "json" else logfmt(line)
    keys = list(rec)
    assert keys[:6] == ["ts", "level", "program", "pid", "component", "msg"], keys
    assert ts.match(rec["ts"]), rec["ts"]
    assert rec["level"] in ("error", "warn", "info", "debug"), rec["level"]
    assert rec["program"] == "inquestd"
    if rec["msg"] == summary:
        found = rec
assert found, "no shutdown summary"
want = {"stored": 24, "duplicates": 18, "rejected": 0, "zmq_batches": 3, "zmq_stored": 23,
        "zmq_duplicates": 18, "http_requests": 1, "http_stored": 1, "http_duplicates": 0}
for k, v in want.items():
    got = found[k] if fmt == "json" else int(found[k])
    assert got == v, "%s=%r, expected %r" % (k, got, v)
ready = [json.loads(l) if fmt == "json" else logfmt(l) for l in lines if " ready: " in l]
assert ready and ready[0]["zmq"].startswith("tcp://127.0.0.1:"), ready
EOF
done

# refused formats; the CLI's own lines follow --log-format
st=0; "$IQD" --log-format xml --data "$d/none" >"$d/bad.out" 2>&1 || st=$?
[ "$st" -eq 2 ] && grep -q "log_format.*xml" "$d/bad.out" || fail "inquestd --log-format xml: exit $st: $(cat "$d/bad.out")"
[ ! -e "$d/none" ] || fail "a refused start created the data directory"
st=0; "$IQ" --log-format xml events >/dev/null 2>"$d/bad.err" || st=$?
[ "$st" -eq 2 ] && grep -q "log-format" "$d/bad.err" || fail "inquest --log-format xml: exit $st"
st=0; "$IQ" --log-format json --data "$d/absent" events >/dev/null 2>"$d/cli.err" || st=$?
[ "$st" -ne 0 ] || fail "events on a missing data directory succeeded"
grep '^{' "$d/cli.err" | python3 -c '
import json, sys
recs = [json.loads(l) for l in sys.stdin]
assert recs and all(r["program"] == "inquest" and r["level"] == "error" for r in recs), recs
' || { cat "$d/cli.err" >&2; fail "the CLI's error lines are not JSON"; }
# RocksDB's own LOG: off by default (no warning); at a level that writes,
# on the data filesystem, the store warns at open (store/store_open.c)
iq_start_daemon "$d/rlog" 0 --listen-http off --rocksdb-log-level warn
iq_stop_daemon
grep -q "store: rocksdb_log_level warn writes RocksDB's LOG on the data filesystem" "$d/rlog.log" ||
  fail "no warning for RocksDB's LOG beside the data: $(cat "$d/rlog.log")"
grep -q "RocksDB's LOG on the data" "$d/text.log" &&
  fail "a warning for RocksDB's LOG although it is off"
echo "text, logfmt and json logs; the summary counts ZeroMQ, HTTP and import"
