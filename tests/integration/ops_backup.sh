#!/bin/sh
# Backup during ingest and restore on a real inquestd (issue #18, item 5).
# While a sender streams 60
# acknowledged batches into a real inquestd, `inquest backup` asks the
# daemon (it holds the store's lock) over the admin API for a checkpoint;
# restoring is starting inquestd on the copy: every event of every batch
# acknowledged before the backup began is in it, nothing that was never
# sent is, and ingest went on meanwhile.  Refusals: a non-empty
# destination (untouched), no token while the daemon runs (the pid is
# named), a read token (403).  With the daemon stopped the CLI takes the
# copy itself, into a relative path, and that copy restores too.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
export INQUEST_ADMIN_TOKEN=ops-backup-admin-token-0001
export INQUEST_READ_TOKEN=ops-backup-read-token-00002
i=0
while [ $i -lt 60 ]; do iq_gen_events 200 "b$i" >"$d/batch$i.ndjson"; i=$((i + 1)); done

iq_start_daemon "$d/data" 0
H="http://127.0.0.1:$IQ_HTTP_PORT"
Z=$IQ_ZMQ
( i=0
  while [ $i -lt 60 ]; do
    "$IQ" --zmq "$Z" send "$d/batch$i.ndjson" >/dev/null 2>>"$d/send.err" && echo "b$i" >>"$d/acked"
    i=$((i + 1))
  done ) &
sender=$!
acked_some() { [ -s "$d/acked" ] && [ "$(wc -l <"$d/acked")" -ge 5 ]; }
iq_wait_until 60 acked_some
cp "$d/acked" "$d/acked.before"
out=$(INQUEST_TOKEN=$INQUEST_ADMIN_TOKEN "$IQ" --data "$d/data" --http "$H" backup "$d/copy") \
  || fail "backup during ingest: $out"
echo "$out"
case "$out" in "backup written to $d/copy: "*" files, "*" bytes, data format 1, in "*" ms") ;;
  *) fail "backup output: $out" ;; esac
after_backup=$(wc -l <"$d/acked")
wait "$sender" || true
[ "$(wc -l <"$d/acked")" -eq 60 ] || { cat "$d/send.err" >&2; fail "not every batch was acknowledged"; }
[ "$after_backup" -lt 60 ] || fail "the backup ran after the load: nothing was tested"
[ "$(stat -c %a "$d/copy")" = 700 ] || fail "backup directory mode $(stat -c %a "$d/copy")"
grep -q "info backup: checkpoint written to $d/copy" "$d/data.log" || fail "no backup line in the log"

# refusals, the daemon still running
mkdir "$d/full" && echo keep >"$d/full/file"
st=0; INQUEST_TOKEN=$INQUEST_ADMIN_TOKEN "$IQ" --data "$d/data" --http "$H" backup "$d/full" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q "HTTP 409.*exists and is not an empty directory" "$d/err" || fail "non-empty destination: $st $(cat "$d/err")"
[ "$(ls "$d/full")" = file ] && [ "$(cat "$d/full/file")" = keep ] || fail "a refused backup touched the destination"
st=0; "$IQ" --data "$d/data" --http "$H" backup "$d/x1" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q "inquestd (pid $IQ_DAEMON_PID) has $d/data open" "$d/err" || fail "no token: $st $(cat "$d/err")"
st=0; INQUEST_TOKEN=$INQUEST_READ_TOKEN "$IQ" --data "$d/data" --http "$H" backup "$d/x2" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q "HTTP 403" "$d/err" || fail "read token: $st $(cat "$d/err")"
[ ! -e "$d/x1" ] && [ ! -e "$d/x2" ] || fail "a refused backup created its directory"
mkdir "$d/empty"
INQUEST_TOKEN=$INQUEST_ADMIN_TOKEN "$IQ" --data "$d/data" --http "$H" backup "$d/empty" >/dev/null \
  || fail "backup into an empty directory"
iq_stop_daemon
"$IQ" --data "$d/data" events --json | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort >"$d/live.ids"
[ "$(wc -l <"$d/live.ids")" -eq 12000 ] || fail "live store: $(wc -l <"$d/live.ids") events"

# restore: inquestd on the copy; every batch acknowledged before the backup is whole
iq_start_daemon "$d/copy" 0
curl -sf "http://127.0.0.1:$IQ_HTTP_PORT/healthz" >/dev/null || fail "restored daemon not healthy"
iq_stop_daemon
"$IQ" --data "$d/copy" events --json | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort >"$d/copy.ids"
[ -z "$(sort "$d/copy.ids" | uniq -d)" ] || fail "ids twice in the copy"
[ -z "$(comm -23 "$d/copy.ids" "$d/live.ids")" ] || fail "the copy holds events never sent"
while read -r b; do
  n=$(grep -c "^$b-" "$d/copy.ids" || true)
  [ "$n" -eq 200 ] || fail "batch $b was acknowledged before the backup; the copy has $n of its 200 events"
done <"$d/acked.before"
echo "copy: $(wc -l <"$d/copy.ids") events, $(wc -l <"$d/acked.before") batches acknowledged before it all whole"

# offline: the CLI opens the stopped store itself; a relative destination
cd "$d"
out=$("$IQ" --data "$d/data" backup offline) || fail "offline backup: $out"
case "$out" in "backup written to $d/offline: "*) ;; *) fail "offline backup output: $out" ;; esac
cd - >/dev/null
"$IQ" --data "$d/offline" events --json | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort >"$d/offline.ids"
cmp -s "$d/offline.ids" "$d/live.ids" || fail "the offline copy differs from the store"
iq_start_daemon "$d/offline" 0
iq_stop_daemon
st=0; "$IQ" --data "$d/nothing" backup "$d/x3" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q "no store in $d/nothing" "$d/err" || fail "no store, no token: $st $(cat "$d/err")"
