#!/bin/sh
# tail_config.sh - `inquest tail` and inquestd's `logs` section read one
# settings table (ingest/in_tail/tail_config.c): for every bounded key, a
# value just past a bound is refused by both, with a message naming the
# option or key and the range, and the bound itself is accepted by both
# (the command runs to the end of a file, the daemon starts).  Before the
# table they disagreed: the command took a poll of 0 (a spinning loop) and
# any error grace, the daemon 10ms..1m and at most 1h.
. "$IQ_ROOT/tests/lib.sh"
export LC_ALL=C
d=$(iq_tmpdir)
log="$d/app.log"
printf '2026-10-21T13:40:0%sZ INFO request %s\n' 1 1 2 2 3 3 >"$log"

# key, a value past the low bound, past the high bound, the low bound and
# the high bound (the command's option is the key with dashes)
cases="poll 5ms 2m 10ms 60s
error_grace - 2h 0s 1h
line_max 32 32M 64 16M
error_threshold 0 100000001 1 100000000"

n=0
refused_by_both() { # KEY VALUE
  n=$((n + 1)); opt=$(echo "$1" | tr _ -)
  st=0
  "$IQ" --zmq tcp://127.0.0.1:1 tail --no-state --once --rule generic_level "--$opt" "$2" \
    "$log" >/dev/null 2>"$d/cli.err" || st=$?
  [ "$st" -eq 2 ] || fail "inquest tail --$opt $2: exit $st, want 2 (usage)"
  grep -q "tail: --$opt takes .* from .* to .*, not '$2'" "$d/cli.err" ||
    fail "inquest tail --$opt $2: $(cat "$d/cli.err")"
  st=0
  "$IQD" --data "$d/refused$n" --listen-zmq tcp://127.0.0.1:0 --listen-http off \
    --logs "{\"files\": [\"$log\"], \"$1\": \"$2\"}" >"$d/daemon.err" 2>&1 || st=$?
  [ "$st" -ne 0 ] || fail "inquestd with logs.$1 = $2 started"
  grep -q "config 'logs': config '$1': .* is outside " "$d/daemon.err" ||
    fail "inquestd with logs.$1 = $2: $(cat "$d/daemon.err")"
}

# LOW or HIGH: every key at that bound, as flags and as a logs section
flags() { echo "$cases" | awk -v c="$1" '{ v = (c == "low") ? $4 : $5; gsub(/_/, "-", $1);
                                          printf "--%s %s ", $1, v }'; }
section() { echo "$cases" | awk -v c="$1" -v f="$log" '
  BEGIN { printf "{\"files\": [\"%s\"], \"rule\": \"generic_level\"", f }
  { printf ", \"%s\": \"%s\"", $1, (c == "low") ? $4 : $5 } END { printf "}" }'; }

while read -r key low high lo hi; do
  [ "$low" = - ] || refused_by_both "$key" "$low"
  refused_by_both "$key" "$high"
done <<CASES
$cases
CASES
for bound in low high; do
  iq_start_daemon "$d/data-$bound" 0 --logs "$(section "$bound")"
  # shellcheck disable=SC2046
  "$IQ" --zmq "$IQ_ZMQ" tail --no-state --once --rule generic_level $(flags "$bound") "$log" \
    >"$d/out" 2>"$d/err" || fail "inquest tail at the $bound bounds: $(cat "$d/err")"
  grep -q '^lines 3, parsed 3,' "$d/out" || fail "inquest tail at the $bound bounds: $(cat "$d/out")"
  # the daemon's collector sleeps a whole poll between looks (a minute at
  # the high bound) and a stop waits for it: that one is stopped hard
  if [ "$bound" = low ]; then iq_stop_daemon; else iq_kill9_daemon; fi
done
echo "ok: inquest tail and inquestd's logs section agree on every bound"
