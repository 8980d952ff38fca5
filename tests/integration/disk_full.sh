#!/bin/sh
# A full disk is a busy signal, never a crash (#13 item 2), on a 256 MiB
# tmpfs that a filler file brings near full:
#  1. with min_free_disk: `inquest send` gets busy "disk full on ..." and
#     exits 2 within its --timeout, a webhook gets 503 with Retry-After,
#     /readyz is 503 and /metrics says busy; the daemon keeps running;
#     once the filler is deleted it takes events again by itself, and
#     every acknowledged event is there;
#  2. with the guard off (min_free_disk 0) RocksDB itself meets ENOSPC
#     (this aborted the daemon in librocksdb's LOG writer): still busy, no
#     crash, and the store is reopened by itself once space returns.
# Needs root to mount the tmpfs; without it the test says why and is
# counted as skipped (exit 77), never as passed.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
# the tmpfs is the data directory itself, so the daemon's log ($data.log)
# stays off it; the filler file lives beside RocksDB's files
data="$d/data"; mnt=$data
mkdir "$mnt"
[ "$(id -u)" -eq 0 ] || { echo "skipped: mounting a tmpfs needs root"; exit 77; }
mount -t tmpfs -o size=256m,mode=0755 tmpfs "$mnt" 2>"$d/mount.err" ||
  { echo "skipped: cannot mount a tmpfs: $(cat "$d/mount.err")"; exit 77; }
trap 'iq_kill9_daemon; umount "$mnt" 2>/dev/null; iq_cleanup' EXIT INT TERM
http() { curl -s -o "$d/body" -D "$d/head" -w '%{http_code}' "$@"; }

# leave free space above the floor (KiB) with a filler file
fill_to() {
  rm -f "$mnt/filler"
  avail=$(df -k --output=avail "$mnt" | tail -1)
  fallocate -l "$(( (avail - $1) * 1024 ))" "$mnt/filler"
}

# wait_ready SECONDS: until /readyz answers 200
wait_ready() {
  n=$(( $1 * 10 ))
  until [ "$(http "http://127.0.0.1:$IQ_HTTP_PORT/readyz")" = 200 ]; do
    n=$((n - 1)); [ "$n" -gt 0 ] || { cat "$data.log" >&2; fail "not ready again after $1 s"; }
    sleep 0.1
  done
}

# busy_send FILE: send must give up within its --timeout once the daemon is
# busy (timed from /readyz turning 503), naming the full disk
busy_send() {
  "$IQ" --zmq "$ep" send --timeout 4s "$1" >"$d/send.out" 2>"$d/send.err" &
  sender=$!
  n=1200
  until [ "$(http "http://127.0.0.1:$IQ_HTTP_PORT/readyz")" = 503 ]; do
    n=$((n - 1)); [ "$n" -gt 0 ] || fail "the daemon never became busy as the disk filled"
    kill -0 "$sender" 2>/dev/null || { cat "$d/send.err"; fail "send ended before the disk filled"; }
    sleep 0.1
  done
  t0=$(date +%s)
  st=0; wait "$sender" || st=$?
  took=$(( $(date +%s) - t0 ))
  [ "$st" -eq 4 ] || { cat "$d/send.err"; fail "send exited $st on a full disk, want 4"; }
  [ "$took" -le 20 ] || fail "send took $took s after the daemon turned busy, with --timeout 4s"
  grep -q "daemon busy: disk full on $data" "$d/send.err" ||
    { cat "$d/send.err"; fail "send did not say the daemon is busy with a full disk"; }
  kill -0 "$IQ_DAEMON_PID" 2>/dev/null || { cat "$data.log" >&2; fail "inquestd died on a full disk"; }
  acked=$(sed -n 's/^sent [0-9]*, stored \([0-9]*\), .*/\1/p' "$d/send.out")
  [ -n "$acked" ] && [ "$acked" -gt 0 ] || fail "nothing was stored before the disk filled"
}

iq_gen_events 150000 df >"$d/ev.ndjson"

# ---- 1: the guard refuses events before RocksDB can fail ----
iq_start_daemon "$data" 0 --min-free-disk 24M --disk-reserve 8M --write-buffer-size 4M
port=$IQ_ZMQ_PORT; ep="tcp://127.0.0.1:$port"
[ -f "$data/inquest.reserve" ] || fail "no reserve file in the data directory"
grep -q "data directory $data had mode 0755: changed to 0700" "$data.log" || fail "no warning for the 0755 data directory"
[ "$(stat -c %a "$data")" = 700 ] || fail "data directory mode $(stat -c %a "$data"), want 700"
fill_to $((40 * 1024))
busy_send "$d/ev.ndjson"
acked1=$acked
[ "$(http "http://127.0.0.1:$IQ_HTTP_PORT/readyz")" = 503 ] || fail "/readyz is not 503 while the disk is full"
grep -q '"busy":"disk_full"' "$d/body" || fail "/readyz body: $(cat "$d/body")"
curl -s "http://127.0.0.1:$IQ_HTTP_PORT/metrics" >"$d/metrics"
grep -q '^inquest_store_busy{reason="disk_full"} 1$' "$d/metrics" || fail "metrics do not say busy"
grep -q '^inquest_store_disk_free_bytes [0-9]' "$d/metrics" || fail "no inquest_store_disk_free_bytes"
code=$(http -H 'Content-Type: application/json' --data-binary "$(head -1 "$d/ev.ndjson" | sed 's/df-1"/hook-1"/')" \
  "http://127.0.0.1:$IQ_HTTP_PORT/hooks/events")
[ "$code" = 503 ] || fail "webhook answered $code on a full disk, want 503"
grep -qi '^Retry-After: [0-9]' "$d/head" || fail "503 without Retry-After"
grep -q 'disk full on' "$d/body" || fail "503 body does not name the full disk: $(cat "$d/body")"
rm "$mnt/filler"
wait_ready 60
n=$("$IQ" --data "$data" events --json | wc -l)
[ "$n" -eq "$acked1" ] || fail "$n events stored, $acked1 acknowledged before the disk filled"
"$IQ" --zmq "$ep" send --timeout 60s "$d/ev.ndjson" >"$d/send.out" 2>"$d/send.err" ||
  { cat "$d/send.err"; fail "send after space returned"; }
iq_stop_daemon
n=$("$IQ" --data "$data" events --json | wc -l)
[ "$n" -eq 150000 ] || fail "$n events stored after resuming, want 150000"

# ---- 2: guard off, RocksDB meets ENOSPC itself: busy, reopened later ----
# On an empty store, with events that hardly compress (160 random hex
# digits of text each) and no reserve: RocksDB compacts into compressed
# levels, so phase 1's events or compressible ones, or a released reserve,
# would let it make room again on its own and resume before the filler is
# gone.  That is right, but not the case under test: a disk that stays full.
find "$data" -mindepth 1 -delete
iq_gen_events 150000 dg | awk 'BEGIN { srand(2) } { k = index($0, "\"title\":")
  printf "%s\"text\":\"", substr($0, 1, k - 1)
  for (i = 0; i < 20; i++) printf "%08x", int(rand() * 4294967296)
  printf "\",%s\n", substr($0, k) }' >"$d/ev2.ndjson"
iq_start_daemon "$data" "$port" --min-free-disk 0 --disk-reserve 0 --write-buffer-size 4M
fill_to $((2 * 1024))
busy_send "$d/ev2.ndjson"
acked2=$acked
grep -q 'No space left on device' "$d/send.err" || fail "phase 2 did not reach RocksDB's ENOSPC"
# busy_send saw /readyz answer 503 after the failed write; by now the
# released reserve may already have let the store reopen, so what must hold
# here is that the daemon is alive and answering, busy or ready again
kill -0 "$IQ_DAEMON_PID" 2>/dev/null || { cat "$data.log" >&2; fail "the daemon died after ENOSPC"; }
case "$(http "http://127.0.0.1:$IQ_HTTP_PORT/readyz")" in
  503|200) ;;
  *) fail "/readyz neither busy nor ready after a failed write" ;;
esac
rm "$mnt/filler"
wait_ready 120
n=$("$IQ" --data "$data" events --json | wc -l)
[ "$n" -eq "$acked2" ] || fail "$n events after the reopen, want the $acked2 acknowledged"
"$IQ" --zmq "$ep" send --timeout 60s "$d/ev2.ndjson" >"$d/send.out" 2>"$d/send.err" ||
  { cat "$d/send.err"; fail "send after the reopen"; }
iq_stop_daemon
n=$("$IQ" --data "$data" events --json | wc -l)
[ "$n" -eq 150000 ] || fail "$n events stored at the end, want 150000"
grep -q 'reopened' "$data.log" || fail "the store was not reopened"
echo "busy at $acked1 then $acked2 acknowledged events, 503 with Retry-After, resumed twice without restart, 150000 events each time"
