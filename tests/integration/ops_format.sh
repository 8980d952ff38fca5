#!/bin/sh
# The data format version stored in the database, on real daemons and
# stores (issue #18, item 5): a
# store made by inquestd records format 1 and the release that wrote it;
# one from before the version was recorded is read as format 1 by the CLI
# (which writes nothing) and stamped by the next daemon start, its events
# intact; a store of a newer format is refused by inquestd and by the CLI
# with a message naming both formats, and the daemon writes no ports file.
. "$IQ_ROOT/tests/lib.sh"
META="$IQ_BUILD/tests/helpers/store_meta"
[ -x "$META" ] || fail "missing $META (make tests-build)"
d=$(iq_tmpdir)
ver=$("$IQD" --version)
case "$ver" in "inquestd "*"data format 1)") ;; *) fail "inquestd --version: $ver" ;; esac
release=$(echo "$ver" | sed 's/^inquestd \([^ ]*\) .*/\1/')

iq_start_daemon "$d/data" 0
iq_gen_events 20 fmt | "$IQ" --zmq "$IQ_ZMQ" send >/dev/null || fail "send"
iq_stop_daemon
[ "$("$META" "$d/data" get schema)" = 1 ] || fail "new store: format $("$META" "$d/data" get schema)"
[ "$("$META" "$d/data" get written_by)" = "$release" ] || fail "new store: written_by"

# from before versions: read as format 1, stamped by the daemon only
"$META" "$d/data" delete schema written_by || fail "delete schema"
n=$("$IQ" --data "$d/data" events --json | wc -l); [ "$n" -eq 20 ] || fail "unstamped store: $n events"
st=0; "$META" "$d/data" get schema >/dev/null || st=$?
[ "$st" -eq 1 ] || fail "the CLI stamped the store (get: $st)"
iq_start_daemon "$d/data" 0
iq_stop_daemon
[ "$("$META" "$d/data" get schema)" = 1 ] || fail "the daemon did not stamp format 1"
[ "$("$META" "$d/data" get written_by)" = "$release" ] || fail "the daemon did not record its release"
[ "$("$IQ" --data "$d/data" events --json | wc -l)" -eq 20 ] || fail "events after the stamp"

# newer: refused, by name
"$META" "$d/data" set written_by 9.0.0 schema 2 || fail "set schema 2"
st=0; "$IQD" --data "$d/data" --listen-zmq tcp://127.0.0.1:0 --listen-http 127.0.0.1:0 \
  --ports-file "$d/ports" >"$d/newer.log" 2>&1 || st=$?
[ "$st" -ne 0 ] || fail "inquestd started on a newer store"
grep -q "data format 2 (written by inquest 9.0.0) is newer than this inquest $release reads (data format 1)" \
  "$d/newer.log" || { cat "$d/newer.log" >&2; fail "refusal message"; }
[ ! -e "$d/ports" ] || fail "a refused start wrote its ports file"
st=0; "$IQ" --data "$d/data" events >/dev/null 2>"$d/cli.err" || st=$?
[ "$st" -ne 0 ] && grep -q "data format 2 .* (data format 1)" "$d/cli.err" \
  || { cat "$d/cli.err" >&2; fail "the CLI read a newer store (exit $st)"; }
echo "format 1 stamped and recorded, a newer format refused by name"
