#!/bin/sh
# Readers beside a loading daemon (#13 item 6): `inquest events` and
# `inquest incidents` open the store IQ_READER_ROUNDS times each (40 in
# make test: the old read-only open failed 34 of 240 reads, so 80 reads
# catch it; raise it for a longer soak) while inquestd stores
# events without pause with 1 MiB memtables, so flushes and compactions
# replace table and WAL files all along.  Every read must succeed (a plain
# read-only open failed several times in such a run, with "Corruption:
# Can't access ...sst" or a vanished WAL file), compaction must really have
# removed files during the loop, every event sent is stored, the WAL stays
# bounded, and no reader directory is left behind.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
export TMPDIR="$d"          # the readers' secondary directories go here
iq_start_daemon "$d/data" 0 --write-buffer-size 1M
port=$IQ_ZMQ_PORT; ep="tcp://127.0.0.1:$port"

# a loader sends batches of 5,000 new events until told to stop, while the
# readers open the store $rounds times each and scan a slice of every batch
iq_gen_events 100000 base >"$d/ev.ndjson"
"$IQ" --zmq "$ep" send "$d/ev.ndjson" >/dev/null 2>>"$d/send.err" || fail "first send failed"
( n=0
  while [ ! -e "$d/stop" ]; do
    iq_gen_events 5000 "rd$n" | "$IQ" --zmq "$ep" send - >/dev/null 2>>"$d/send.err" || exit 1
    n=$((n + 1))
  done
  echo "$n" >"$d/sends" ) &
loader=$!
: >"$d/sst.seen"
i=0; fails=0
rounds=${IQ_READER_ROUNDS:-40}
while [ "$i" -lt "$rounds" ]; do
  for cmd in "events --since 2026-10-21T13:00:10.000Z --until 2026-10-21T13:00:10.200Z" incidents; do
    # shellcheck disable=SC2086
    if ! "$IQ" --data "$d/data" $cmd >/dev/null 2>"$d/one.err"; then
      fails=$((fails + 1)); cat "$d/one.err" >>"$d/read.err"
    fi
  done
  ls "$d/data" | grep '\.sst$' >>"$d/sst.seen" || true
  i=$((i + 1))
done
kill -0 "$loader" 2>/dev/null || { cat "$d/send.err"; fail "the load stopped before the readers"; }
ls "$d/data" | grep '\.sst$' >"$d/sst.after"
touch "$d/stop"
wait "$loader" || { cat "$d/send.err"; fail "a send failed"; }
sent=$((100000 + 5000 * $(cat "$d/sends")))

[ "$fails" -eq 0 ] || { sort "$d/read.err" | uniq -c | head >&2; fail "$fails of $((2 * i)) reads failed beside the daemon"; }
gone=$(sort -u "$d/sst.seen" | sort - "$d/sst.after" "$d/sst.after" | uniq -u | wc -l)
[ "$gone" -gt 0 ] || fail "no table file was compacted away during the reads: the test proved nothing"
wal=$(du -ck "$d/data"/*.log | tail -1 | cut -f1)
[ "$wal" -le 81920 ] || fail "WAL holds $wal KiB (max_total_wal_size is 64 MiB)"
left=$(find "$d" -maxdepth 1 -name 'inquest-reader.*' | wc -l)
[ "$left" -eq 0 ] || fail "$left reader directories left in TMPDIR"
iq_stop_daemon
stored=$("$IQ" --data "$d/data" events --json | wc -l)
[ "$stored" -eq "$sent" ] || fail "$stored events stored, $sent sent"
echo "$((2 * i)) reads beside the daemon, 0 failures; $gone table files compacted away meanwhile; $stored events; WAL $wal KiB"
