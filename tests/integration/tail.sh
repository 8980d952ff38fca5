#!/bin/sh
# `inquest tail` end to end against a real inquestd: error lines of an
# nginx access log become events; kill -9 of the collector in the middle,
# a rotation by rename while it is stopped, then a restart: every 5xx line
# is stored exactly once (offsets and ids compared); copy-truncate and
# rename rotation while following; malformed and over-long lines are
# counted, never fatal; the error-rate signal is emitted; kill -9 of
# inquestd while following; standard input; bad rules.
. "$IQ_ROOT/tests/lib.sh"
export LC_ALL=C
d=$(iq_tmpdir)
log="$d/access.log"; st="$d/tail.state"

# gen FIRST COUNT: nginx access lines; every 10th is a 503.
gen() {
  awk -v a="$1" -v n="$2" 'BEGIN {
    for (i = a; i < a + n; i++) {
      s = (i % 10 == 0) ? 503 : 200
      printf "10.0.%d.%d - - [21/Oct/2026:13:%02d:%02d +0000] \"GET /api/item/%d HTTP/1.1\" %d %d \"-\" \"probe/1.0\"\n", \
        i % 200, i % 250, int(i / 600) % 60, int(i / 10) % 60, i, s, 100 + i % 900
    }
  }'
}
# offsets FILE: byte offsets of the 5xx lines of FILE, with the file name.
offsets() {
  awk -v f="$1" '{ if ($9 >= 500) print f ":" (off + 0); off += length($0) + 1 }' "$1"
}
tail_cmd() { "$IQ" --zmq "$ep" tail --state "$st" --service shop-web --poll 50ms "$@"; }
stored_offsets() {
  "$IQ" --data "$d/data" events --json >"$d/events.json"
  grep '"action":"error_line"' "$d/events.json" |
    sed 's/.*"file":"\([^"]*\)".*"offset":"\([0-9]*\)".*/\1:\2/' | sort
}

iq_start_daemon "$d/data" 0
port=$IQ_ZMQ_PORT; ep="tcp://127.0.0.1:$port"

# 1. Follow 10,000 lines, keep that early checkpoint, follow 10,000 more.  Stop ingest,
# append 100,000 lines (the collector fills its window and waits), kill -9
# the collector: its checkpoint must not pass what was acknowledged.
# Restart ingest, put back the early checkpoint (as if the crash came
# before any later save, so 10,000 lines are read and sent again), rotate the
# file by rename while stopped, and run again: every 5xx line of both
# files is stored exactly once.
state_offset() { sed -n 's/.*"offset": *\([0-9]*\).*/\1/p' "$st"; }
gen 0 10000 >"$log"
"$IQ" --zmq "$ep" tail --state "$st" --service shop-web --poll 50ms "$log" >"$d/out1" 2>"$d/err1" &
tp=$!
wait_ckpt() {
  size=$(wc -c <"$log"); i=0
  while [ "$i" -lt 300 ] && [ "$(state_offset 2>/dev/null)" != "$size" ]; do sleep 0.1; i=$((i + 1)); done
  [ "$(state_offset)" = "$size" ] || { cat "$d/err1" "$d/data.log" >&2; fail "checkpoint $(state_offset), want $size"; }
}
wait_ckpt
cp "$st" "$d/early.state"
gen 10000 10000 >>"$log"
wait_ckpt
iq_stop_daemon
gen 20000 100000 >>"$log"
collector_waits() { grep -q "no answer from ingest" "$d/err1"; }
iq_wait_until 60 collector_waits
kill -9 "$tp"; wait "$tp" 2>/dev/null || true
[ "$(state_offset)" -lt "$(wc -c <"$log")" ] || fail "checkpoint passed unacknowledged lines"
iq_start_daemon "$d/data" "$port"
cp "$d/early.state" "$st"
mv "$log" "$log.1"
gen 120000 3000 >"$log"
tail_cmd --once "$log" >"$d/out2" 2>"$d/err2" || { cat "$d/err2"; fail "tail --once after kill -9"; }
grep -q "^lines 113000, parsed 113000, unparsed 0, truncated 0, events 11300,.* duplicates 100[01]," "$d/out2" ||
  fail "restart summary: $(cat "$d/out2")"
iq_stop_daemon
{ offsets "$log.1" | sed "s#^$log.1:#$log:#"; offsets "$log"; } | sort >"$d/want"
stored_offsets >"$d/got"
[ "$(wc -l <"$d/want")" -eq 12300 ] || fail "expected 12300 error lines, computed $(wc -l <"$d/want")"
# the rotated file was finished under its new name: compare offsets only
cut -d: -f2 "$d/got" | sort >"$d/got.off"
{ offsets "$log.1" | cut -d: -f2; offsets "$log" | cut -d: -f2; } | sort >"$d/want.off"
cmp -s "$d/got.off" "$d/want.off" || fail "stored error lines differ: $(wc -l <"$d/got") stored, 12300 expected"
n_ids=$(grep '"action":"error_line"' "$d/events.json" | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort -u | wc -l)
[ "$n_ids" -eq 12300 ] || fail "$n_ids distinct ids, want 12300"
grep -q '"action":"error_rate_rise","at":"2026-10-21T13:00:00.000Z","service":"shop-web"' "$d/events.json" ||
  fail "no error_rate_rise for shop-web"

# 2. following: copy-truncate, then rename rotation, then malformed lines.
rm -rf "$d/data" "$st" "$log" "$log.1"
iq_start_daemon "$d/data" "$port"
gen 0 100 >"$log"
"$IQ" --zmq "$ep" tail --state "$st" --service shop-web --poll 50ms --line-max 1k \
  --send-unparsed "$log" >"$d/out3" 2>"$d/err3" &
tp=$!
wait_ckpt
# read_pos_zero: the collector saw the truncation (its descriptor of the
# log went back to offset 0).
read_pos_zero() {
  for fd in /proc/"$tp"/fd/*; do
    [ "$(readlink "$fd")" = "$log" ] && grep -q '^pos:[[:space:]]*0$' "/proc/$tp/fdinfo/${fd##*/}" && return 0
  done
  return 1
}
cp "$log" "$log.1"; : >"$log"
iq_wait_until 10 read_pos_zero
gen 100 100 >>"$log"
wait_ckpt
mv "$log" "$log.2"
gen 200 100 >"$log"
printf 'this is not an access log line\n' >>"$log"
awk 'BEGIN { s = ""; for (i = 0; i < 3000; i++) s = s "x"; print s }' >>"$log"
wait_ckpt
kill -TERM "$tp"
st3=0; wait "$tp" || st3=$?
[ "$st3" -eq 0 ] || { cat "$d/err3"; fail "tail exited $st3 on SIGTERM"; }
grep -q "^lines 302, parsed 300, unparsed 2, truncated 1, events 32," "$d/out3" ||
  fail "follow summary: $(cat "$d/out3")"
iq_stop_daemon
stored_offsets >"$d/got"
[ "$(wc -l <"$d/got")" -eq 30 ] || fail "following: $(wc -l <"$d/got") error lines stored, want 30"
grep -q '"action":"unparsed_line".*"truncated":"true"' "$d/events.json" || fail "no truncated raw line"
grep -q '"text":"this is not an access log line"' "$d/events.json" || fail "no raw unparsed line"

# 3. kill -9 of inquestd while the collector follows: the collector waits,
# sends again when ingest is back, and nothing is lost or stored twice.
rm -rf "$d/data" "$st" "$log" "$log.1" "$log.2"
iq_start_daemon "$d/data" "$port"
gen 0 60000 >"$log"
"$IQ" --zmq "$ep" tail --state "$st" --service shop-web --poll 50ms "$log" >"$d/out4" 2>"$d/err1" &
tp=$!
some_acked() { [ "$(state_offset 2>/dev/null || echo 0)" -gt 0 ] 2>/dev/null; }
iq_wait_until 30 some_acked
iq_kill9_daemon
gen 60000 10000 >>"$log"
iq_wait_until 60 collector_waits
iq_start_daemon "$d/data" "$port"
wait_ckpt
kill -TERM "$tp"; wait "$tp" || fail "tail exited non-zero after the ingest restart"
iq_stop_daemon
offsets "$log" | cut -d: -f2 | sort >"$d/want.off"
stored_offsets | cut -d: -f2 | sort >"$d/got.off"
cmp -s "$d/got.off" "$d/want.off" || fail "after kill -9 of inquestd: $(wc -l <"$d/got.off") stored, 7000 expected"

# 4. standard input: read to its end, error lines stored, no checkpoint.
iq_start_daemon "$d/data" "$port"
printf 'INFO started\nERROR payment backend timed out\nnot parsed\n' |
  tail_cmd --once --no-state - >"$d/out5" || fail "tail - exited non-zero"
grep -q "^lines 3, parsed 2, unparsed 1, truncated 0, events 1," "$d/out5" || fail "stdin: $(cat "$d/out5")"
iq_stop_daemon
"$IQ" --data "$d/data" events --json | grep -q '"id":"log-stdin-[0-9a-f]*-13".*"title":"payment backend timed out"' ||
  fail "stdin error line not stored"

# 5. bad input to the command itself.
printf '{"name":"x","rules":[{"name":"r","pattern":"(unclosed"}]}\n' >"$d/bad.json"
st4=0; "$IQ" tail --once --no-state --rules "$d/bad.json" "$log" 2>"$d/err4" || st4=$?
[ "$st4" -eq 2 ] || fail "bad rules: exit $st4"
grep -q "bad.json: rule 'r': pattern offset 9: missing closing parenthesis" "$d/err4" ||
  fail "bad rules message: $(cat "$d/err4")"
echo "ok: $(cat "$d/out2")"
