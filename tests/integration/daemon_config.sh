#!/bin/sh
# inquestd configuration: a JSON config file, flags over it, unknown keys
# and bad values refused with a message naming them, --help generated from
# the table, --fsync, and a clean stop on SIGINT.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)

"$IQD" --help >"$d/help"
for k in data listen_zmq fsync max_frame log_level; do
  grep -q "^$k: \|^# $k:" "$d/help" || fail "--help does not list $k"
done

printf '{"colour": "red"}' >"$d/bad1.json"
st=0; "$IQD" --config "$d/bad1.json" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] || fail "unknown key: exit $st"
grep -q "bad1.json:1: config 'colour': unknown key" "$d/err" || fail "unknown key message: $(cat "$d/err")"

printf '{"max_frame": "lots"}' >"$d/bad2.json"
st=0; "$IQD" --config "$d/bad2.json" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q "config 'max_frame': not a size" "$d/err" || fail "bad size: $(cat "$d/err")"

printf '{"max_frame": "1k"}' >"$d/bad3.json"
st=0; "$IQD" --config "$d/bad3.json" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q "config 'max_frame': 1024 is outside 4096..1073741824" "$d/err" \
  || fail "size bounds: $(cat "$d/err")"

printf '{"data": ' >"$d/bad4.json"
st=0; "$IQD" --config "$d/bad4.json" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q "bad4.json:1:" "$d/err" || fail "malformed config: $(cat "$d/err")"

st=0; "$IQD" --no-such-flag 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q "unknown setting 'no_such_flag'" "$d/err" || fail "unknown flag: $(cat "$d/err")"

# a config file sets the data directory and fsync; a flag sets the port
printf '{"data": "%s/cfgdata", "fsync": true, "log_level": "debug"}' "$d" >"$d/good.json"
"$IQD" --config "$d/good.json" --listen-zmq "tcp://127.0.0.1:0" --listen-http 127.0.0.1:0 \
  --ports-file "$d/ports" >"$d/log" 2>&1 &
IQ_DAEMON_PID=$!
iq_wait_until 30 iq_daemon_ready "$d/ports" "$IQ_DAEMON_PID" "$d/log"
port=$(iq_ports_value "$d/ports" zmq_port)
grep -q "^http_port=[1-9][0-9]*$" "$d/ports" || fail "no http_port in the ports file: $(cat "$d/ports")"
grep -q "^zmq=tcp://127.0.0.1:$port$" "$d/ports" || fail "no zmq endpoint in the ports file: $(cat "$d/ports")"
grep -q "ready: .*ingest tcp://127.0.0.1:$port, http http://127.0.0.1:" "$d/log" || fail "no ready line with the bound ports"
iq_gen_events 500 cfg | "$IQ" --zmq "tcp://127.0.0.1:$port" send - >"$d/out"
[ "$(cat "$d/out")" = "sent 500, stored 500, duplicates 0, rejected 0" ] || fail "fsync send: $(cat "$d/out")"
grep -q "fsync on" "$d/log" || fail "fsync not reported"
kill -INT "$IQ_DAEMON_PID"; st=0; wait "$IQ_DAEMON_PID" || st=$?; IQ_DAEMON_PID=""
[ "$st" -eq 0 ] || fail "SIGINT exit status $st"
[ ! -e "$d/ports" ] || fail "the ports file outlived the daemon"
[ "$("$IQ" --data "$d/cfgdata" events --json | wc -l)" -eq 500 ] || fail "events not in the configured data dir"
