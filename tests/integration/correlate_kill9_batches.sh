#!/bin/sh
# kill -9 of inquestd in the middle of a start-up full rebuild that writes
# many batches (COR_OUT_BATCH, correlate/cor_out.c): the batches already
# committed went without the write-ahead log, the stale incidents are only
# deleted by the last, logged batch, so the killed store holds old and new
# incidents side by side.  It must open cleanly, and the next start's full
# rebuild must repair it: exactly the incidents of `inquest correlate
# --rebuild` on a copy of the killed store, none of the old grouping left.
#
# History: 12,000 incidents of 8 events (two alerts, four chat messages in
# a linked channel, two resolutions), about 17 MB of incident texts
# (sixteen 1 MiB batches).  The
# restart opens incidents on critical alerts instead of warnings: every
# incident opens a minute later on another event, so every id and key
# changes.  With 1 MiB memtables and at most two of them (store_tune.c),
# RocksDB makes a write wait until the memtable two switches back is
# flushed, so once an incident 60% into the new list is readable through
# the API (a third batch or later committed) the first batch is on disk;
# the test checks that the kill left both old and new incidents on disk.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
n=12000
printf '{"correlate": {"linked_channels": ["C0INCIDENT"]}}\n' >"$d/old.json"
printf '{"correlate": {"linked_channels": ["C0INCIDENT"], "open_severity": "critical"}}\n' >"$d/new.json"

# incident k: warning alert at 2h*k, critical a minute later, chat, both resolved
awk -v n="$n" 'BEGIN {
  for (k = 0; k < n; k++) {
    t = k * 7200; s = "svc-" (k % 40)
    ev(k, "w", "alert", "firing", t, s, "warning", "fw-" k)
    ev(k, "c", "alert", "firing", t + 60, s, "critical", "fc-" k)
    for (j = 0; j < 4; j++)
      ev(k, "m" j, "chat", "posted", t + 120 + j * 60, s, "", "")
    ev(k, "wr", "alert", "resolved", t + 1200, s, "warning", "fw-" k)
    ev(k, "cr", "alert", "resolved", t + 1260, s, "critical", "fc-" k)
  }
}
# x seconds after 2026-01-01T00:00:00Z in RFC 3339 (civil from days: H. Hinnant)
function ts(x,   z, era, doe, yoe, doy, mp, d, m, y) {
  z = int(x / 86400) + 20454 + 719468
  era = int(z / 146097); doe = z - era * 146097
  yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
  doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
  mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
  m = mp < 10 ? mp + 3 : mp - 9; y = yoe + era * 400 + (m <= 2)
  x %= 86400
  return sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, int(x / 3600), int(x / 60) % 60, x % 60)
}
function ev(k, suf, kind, act, t, s, sev, fp) {
  printf "{\"id\":\"g%d-%s\",\"source\":\"cli\",\"kind\":\"%s\",\"action\":\"%s\",", k, suf, kind, act
  printf "\"at\":\"%s\",\"service\":\"%s\",", ts(t), s
  if (sev != "")
    printf "\"severity\":\"%s\",\"title\":\"%s error rate above threshold on %s\",\"labels\":{\"fingerprint\":\"%s\"}}\n", sev, sev, s, fp
  else
    printf "\"actor\":\"U%d\",\"title\":\"looking at %s dashboards, rolling restart next\",\"labels\":{\"channel\":\"C0INCIDENT\"}}\n", k % 7, s
}' >"$d/ev.ndjson"

list() { "$IQ" --data "$1" incidents --json; }
ids() { sed -n 's/^ *"id": "\(inc-[^"]*\)".*/\1/p' "$1" | sort; }
full_rebuilds() {
  curl -fsS "http://127.0.0.1:$IQ_HTTP_PORT/metrics" |
    sed -n 's/^inquest_correlator_rebuilds_total{kind="full"} \([0-9]*\)$/\1/p'
}
rebuilt() { [ "$(full_rebuilds)" = 1 ]; }
visible() { curl -fs -o /dev/null "http://127.0.0.1:$IQ_HTTP_PORT/api/v1/incidents/$1"; }

# the history, stored, then correlated with the old grouping
iq_start_daemon "$d/data" 0 --config "$d/old.json"
"$IQ" --quiet --zmq "$IQ_ZMQ" send "$d/ev.ndjson" >/dev/null || fail "send"
iq_stop_daemon
"$IQ" --data "$d/data" --config "$d/old.json" correlate --rebuild >/dev/null || fail "old rebuild"
list "$d/data" >"$d/before"
ids "$d/before" >"$d/before.ids"
[ "$(wc -l <"$d/before.ids")" -eq "$n" ] || fail "$(wc -l <"$d/before.ids") incidents before, not $n"

# the new grouping's ids, from a rebuild of a copy: the one to wait for
cp -a "$d/data" "$d/probe"
"$IQ" --data "$d/probe" --config "$d/new.json" correlate --rebuild >/dev/null || fail "probe rebuild"
list "$d/probe" >"$d/probe.json"
ids "$d/probe.json" | comm -13 "$d/before.ids" - >"$d/new.ids"
[ "$(wc -l <"$d/new.ids")" -eq "$n" ] || fail "$(wc -l <"$d/new.ids") new ids, not $n"
wait_id=$(sed -n 's/^ *"id": "\(inc-[^"]*\)".*/\1/p' "$d/probe.json" |
  grep -Fxf "$d/new.ids" | sed -n "$((n * 6 / 10))p")
[ -n "$wait_id" ] || fail "no incident 60% into the new list"
rm -rf "$d/probe"

# start with the new grouping; kill -9 once its rebuild is well under way
iq_start_daemon "$d/data" 0 --config "$d/new.json" --write-buffer-size 1M
iq_wait_until 30 visible "$wait_id"
iq_kill9_daemon

# the killed store opens cleanly, every event is there, old and new side by side
list "$d/data" >"$d/after" || fail "the store did not open after kill -9"
ev=$("$IQ" --data "$d/data" events --json | wc -l)
[ "$ev" -eq $((n * 8)) ] || fail "$ev events after kill -9, not $((n * 8))"
ids "$d/after" >"$d/after.ids"
stale=$(comm -12 "$d/before.ids" "$d/after.ids" | wc -l)
fresh=$(comm -12 "$d/new.ids" "$d/after.ids" | wc -l)
[ "$stale" -gt 0 ] || fail "no old incident left: the kill came after the rebuild's end"
[ "$fresh" -gt 0 ] || fail "no new incident on disk: no unlogged batch survived the kill"

# what the rebuild gives on a copy of the killed store, run to its end by the CLI
cp -a "$d/data" "$d/copy"
"$IQ" --data "$d/copy" --config "$d/new.json" correlate --rebuild >/dev/null || fail "copy rebuild"
list "$d/copy" >"$d/want"
cmp -s "$d/want" "$d/probe.json" || fail "the copy's rebuild differs from the probe's"

# the next start repairs it
iq_start_daemon "$d/data" 0 --config "$d/new.json" --write-buffer-size 1M
iq_wait_until 60 rebuilt
iq_stop_daemon
list "$d/data" >"$d/final"
ids "$d/final" >"$d/final.ids"
kept=$(comm -12 "$d/before.ids" "$d/final.ids" | wc -l)
missing=$(comm -23 "$d/new.ids" "$d/final.ids" | wc -l)
if [ "$kept" -ne 0 ] || [ "$missing" -ne 0 ]; then
  fail "after the restart, $kept incidents of the old grouping kept, $missing new ones missing"
fi
cmp -s "$d/final" "$d/want" || {
  diff "$d/want" "$d/final" | head -20 >&2
  fail "after the restart, the incidents are not those of a full rebuild"
}
echo "killed with $stale old and $fresh new incidents on disk; the restart left the $n of the new grouping"
