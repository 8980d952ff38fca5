#!/bin/sh
# inquestd's `logs` section: the daemon follows a file itself, stores its
# error lines and the error-rate rise, checkpoints into DATA/tail.state,
# and after a restart (with lines added while it was down) stores each
# error line exactly once.  A bad rule stops the daemon at start with the
# file, rule and pcre2 offset named.
. "$IQ_ROOT/tests/lib.sh"
export LC_ALL=C
d=$(iq_tmpdir)
log="$d/app.log"
gen() { # FIRST COUNT: generic "LEVEL message" lines, every 4th an ERROR
  awk -v a="$1" -v n="$2" 'BEGIN {
    for (i = a; i < a + n; i++)
      printf "2026-10-21T13:%02d:%02dZ %s request %d\n", 40 + int(i / 60) % 20, i % 60, \
        (i % 4 == 0) ? "ERROR" : "INFO", i
  }'
}
logs="{\"files\": [\"$log\"], \"rule\": \"generic_level\", \"service\": \"pay-api\", \"error_threshold\": 5, \"poll\": \"50ms\"}"
gen 0 400 >"$log"
iq_start_daemon "$d/data" 0 --logs "$logs"
port=$IQ_ZMQ_PORT
i=0
while [ "$i" -lt 100 ] && ! grep -q "\"offset\": *$(wc -c <"$log")" "$d/data/tail.state" 2>/dev/null; do
  sleep 0.1; i=$((i + 1))
done
grep -q "\"offset\": *$(wc -c <"$log")" "$d/data/tail.state" || fail "no checkpoint at the end of the file"
iq_stop_daemon
gen 400 200 >>"$log"
iq_start_daemon "$d/data" "$port" --logs "$logs"
i=0
while [ "$i" -lt 100 ] && ! grep -q "\"offset\": *$(wc -c <"$log")" "$d/data/tail.state" 2>/dev/null; do
  sleep 0.1; i=$((i + 1))
done
iq_stop_daemon
"$IQ" --data "$d/data" events --json >"$d/ev.json"
n=$(grep -c '"action":"error_line"' "$d/ev.json")
[ "$n" -eq 150 ] || fail "stored $n error lines, want 150"
u=$(grep '"action":"error_line"' "$d/ev.json" | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort -u | wc -l)
[ "$u" -eq 150 ] || fail "$u distinct ids"
grep -q '"action":"error_rate_rise","at":"2026-10-21T13:40:00.000Z","service":"pay-api"' "$d/ev.json" ||
  fail "no error_rate_rise for pay-api"
# a bad rule: the daemon refuses to start and says where
printf '{"name":"x","rules":[{"name":"oops","pattern":"a(?<level>b"}]}\n' >"$d/bad.json"
st=0
"$IQD" --data "$d/data2" --listen-zmq "tcp://127.0.0.1:0" --listen-http off \
  --logs "{\"files\": [\"$log\"], \"rules\": [\"$d/bad.json\"]}" 2>"$d/err" || st=$?
[ "$st" -ne 0 ] || fail "daemon started with a bad rule"
grep -q "bad.json: rule 'oops': pattern offset 11: missing closing parenthesis" "$d/err" ||
  fail "bad rule message: $(cat "$d/err")"
echo "ok: 150 error lines stored once across a restart"
