#!/bin/sh
# reload.sh - SIGHUP and POST /-/reload under load (#18 item 1).
#
# A real inquestd (ports chosen by the kernel) runs on a YAML config with
# an admin, a write and a read token, a token on the alertmanager webhook
# source, correlator rules and a drafts section.  Two ZeroMQ senders and
# one HTTP sender (/hooks/events with the write token) send events with
# unique ids in a loop while the config is reloaded again and again,
# alternately by SIGHUP and by POST /-/reload (admin token), each time
# with a new read token, a new alertmanager token and a new quiet period.
# Then:
#   - POST /-/reload needs the admin role (401 without a token, 403 with
#     the write token);
#   - after each reload the old read token and the old alertmanager token
#     are refused (401), the new ones accepted; the query API serves the
#     new failure class, not the old; the correlator took the new rules
#     (logged, and a full rebuild counted);
#   - a drafts template change applies: drafts are written with the new
#     template afterwards;
#   - a delivery whose headers and half body arrived before a reload that
#     replaced its token is judged by the version it started with (200),
#     while a new one with that token gets 401;
#   - a bad file is refused, both ways: a YAML syntax error (400 naming
#     the file and line) and semantic errors in two sections (400 listing
#     each key with its line, every problem logged on SIGHUP), with
#     inquest_config_last_reload_successful 0, the failure counter up,
#     the success timestamp kept, and the running config still serving;
#   - changed settings that need a restart are reported as such and the
#     running values stay;
#   - the good file reloads again: the gauge is back to 1 and its
#     timestamp moved;
#   - every sender's sends were acknowledged, and after a stop every
#     acknowledged id is stored exactly once;
#   - the log collector (restarted by each reload, its checkpoint saved)
#     stored every error line of its file once, the later ones under the
#     service name of the reloaded section.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
ADMIN=admin-token-0123456789abcdef
WRITE=write-token-0123456789abcdef
AM="$IQ_ROOT/tests/data/webhooks/alertmanager/resolved.single-alert.json"
conf() { # conf QUIET TOKEN_SUFFIX [TEMPLATE [extra lines]]: the class reload-TOKEN_SUFFIX too
  cat >"$d/config.yml.new" <<YAML
# inquestd under reload
correlate:
  quiet_period: $1
sources:
  alertmanager:
    token: am-token-$2-0000000000000
access:
  tokens:
    - {name: admin, token: $ADMIN, role: admin}
    - {name: sender, token: $WRITE, role: write}
    - {name: reader, token: read-token-$2-000000000000, role: read}
drafts:
  poll: 100ms
  template: ${3:-default}
classes:
  - name: reload-$2
    title: Added by reload $2
    rules: [{id: reload-$2.word, pattern: "\\\\bzzreload$2\\\\b", weight: 0.9}]
logs:
  files: [$d/app.log]
  rule: generic_level
  service: pay-$2
  poll: 50ms
${4:-}
YAML
  mv "$d/config.yml.new" "$d/config.yml"
}
gen() { # FIRST COUNT: log lines, every 4th an ERROR
  awk -v a="$1" -v n="$2" 'BEGIN {
    for (i = a; i < a + n; i++)
      printf "2026-10-21T13:%02d:%02dZ %s request %d\n", 40 + int(i / 60) % 20, i % 60, \
        (i % 4 == 0) ? "ERROR" : "INFO", i
  }'
}
gen 0 200 >"$d/app.log"; lines=200
conf 30m t0
iq_start_daemon "$d/data" 0 --config "$d/config.yml"
url="http://127.0.0.1:$IQ_HTTP_PORT"
metric() { curl -s "$url/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
reloads_ok() { [ "$(metric 'inquest_config_reloads_total{result="success"}')" = "$1" ]; }
reloads_failed() { [ "$(metric 'inquest_config_reloads_total{result="failure"}')" = "$1" ]; }
post_reload() { curl -s -o "$d/reload.out" -w '%{http_code}' -X POST "$@" "$url/-/reload"; }
read_code() { # read_code TOKEN_SUFFIX
  curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer read-token-$1-000000000000" \
    "$url/api/v1/incidents"
}
am_code() { # am_code TOKEN_SUFFIX
  curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer am-token-$1-0000000000000" \
    -H 'Content-Type: application/json' --data-binary "@$AM" "$url/hooks/alertmanager"
}
classes() { # classes TOKEN_SUFFIX: the class names the query API serves
  curl -s -H "Authorization: Bearer read-token-$1-000000000000" "$url/api/v1/classes"
}
full_rebuilds() { metric 'inquest_correlator_rebuilds_total{kind="full"}'; }
more_full_rebuilds() { [ "$(full_rebuilds)" -gt "$1" ]; }
draft_with() { grep -l "$1" "$d"/data/drafts/*.md >/dev/null 2>&1; }
incident() { # incident SUFFIX: send the render sample's incident with its ids and services renamed
  sed "s/\"id\":\"\([^\"]*\)\"/\"id\":\"\1-$1\"/; s/\"service\":\"\([^\"]*\)\"/\"service\":\"\1-$1\"/" \
    "$IQ_ROOT/tests/data/render/sample-events.ndjson" >"$d/incident-$1.ndjson"
  "$IQ" --quiet --zmq "$IQ_ZMQ" send "$d/incident-$1.ndjson" >/dev/null || fail "send incident $1"
}

# the senders: until $d/stop exists (bounded), each acked batch's ids recorded
zmq_sender() { # NAME
  i=0
  while [ ! -e "$d/stop" ] && [ "$i" -lt 400 ]; do
    i=$((i + 1))
    iq_gen_events 100 "$1-$i" >"$d/$1.batch"
    "$IQ" --quiet --zmq "$IQ_ZMQ" send "$d/$1.batch" >/dev/null 2>>"$d/$1.err" || exit 1
    sed 's/^{"id":"\([^"]*\)".*/\1/' "$d/$1.batch" >>"$d/acked.$1"
  done
}
http_sender() {
  i=0
  while [ ! -e "$d/stop" ] && [ "$i" -lt 3000 ]; do
    i=$((i + 1))
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $WRITE" \
      -H 'Content-Type: application/json' --data "{\"id\":\"http-$i\",\"source\":\"ci\",\"kind\":\"log\",\"action\":\"posted\",\"at\":\"2026-10-21T13:00:00Z\",\"service\":\"shop\",\"title\":\"line $i\"}" \
      "$url/hooks/events")
    [ "$code" = 200 ] || { echo "http-$i answered $code" >>"$d/http.err"; exit 1; }
    echo "http-$i" >>"$d/acked.http"
  done
}
zmq_sender z1 & p1=$!
zmq_sender z2 & p2=$!
http_sender & p3=$!
trap 'touch "$d/stop"; kill $p1 $p2 $p3 2>/dev/null || true; iq_cleanup' EXIT INT TERM

# the admin role is needed; the start counts as a successful load
[ "$(post_reload)" = 401 ] || fail "POST /-/reload without a token: $(cat "$d/reload.out")"
[ "$(post_reload -H "Authorization: Bearer $WRITE")" = 403 ] || fail "POST /-/reload with a write token"
[ "$(metric inquest_config_last_reload_successful)" = 1 ] || fail "no reload gauge at start"
[ "$(read_code t0)" = 200 ] && [ "$(am_code t0)" = 200 ] || fail "the start's tokens are refused"
incident a
iq_wait_until 30 draft_with '^# Postmortem: '

# reloads while the senders send
n=0; prev=t0
for q in 31 32 33 34 35 36; do
  conf "${q}m" "t$q" "$([ "$q" = 36 ] && echo ja || echo default)"
  n=$((n + 1))
  full=$(full_rebuilds)
  if [ $((n % 2)) -eq 1 ]; then
    kill -HUP "$IQ_DAEMON_PID"
  else
    c=$(post_reload -H "Authorization: Bearer $ADMIN")
    [ "$c" = 200 ] && grep -q '"status":"success"' "$d/reload.out" || fail "POST /-/reload: $c $(cat "$d/reload.out")"
  fi
  iq_wait_until 20 reloads_ok "$n"
  [ "$(read_code "t$q")" = 200 ] || fail "the read token of reload $n is refused"
  [ "$(read_code "$prev")" = 401 ] || fail "the read token before reload $n still works"
  [ "$(am_code "t$q")" = 200 ] || fail "the alertmanager token of reload $n is refused"
  [ "$(am_code "$prev")" = 401 ] || fail "the alertmanager token before reload $n still works"
  classes "t$q" | grep -q "\"reload-t$q\"" || fail "the class of reload $n is not served: $(classes "t$q")"
  classes "t$q" | grep -q "\"reload-$prev\"" && fail "the class before reload $n is still served"
  grep -q "rules reloaded (quiet period $((q * 60))s" "$d/data.log" || fail "the correlator did not take quiet period ${q}m"
  iq_wait_until 20 more_full_rebuilds "$full"
  gen "$lines" 40 >>"$d/app.log"; lines=$((lines + 40))
  prev="t$q"
done
[ "$(metric inquest_config_last_reload_successful)" = 1 ] || fail "the reload gauge is not 1"
incident b
iq_wait_until 30 draft_with '^# ポストモーテム: '
t_ok=$(metric inquest_config_last_reload_success_timestamp_seconds)

# a delivery in progress keeps the version it started with: its headers
# (old alertmanager token) and half its body go before a reload that
# replaces the token, the rest after; it is judged by the old token
slow_post() { # slow_post TOKEN_SUFFIX: status into $d/slow.status
  python3 - "$IQ_HTTP_PORT" "am-token-$1-0000000000000" "$AM" "$d" <<'PY'
import os, socket, sys, time
port, token, path, d = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
body = open(path, 'rb').read()
s = socket.create_connection(('127.0.0.1', port))
s.sendall(b'POST /hooks/alertmanager HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
          b'Authorization: Bearer ' + token.encode() + b'\r\nContent-Length: ' +
          str(len(body)).encode() + b'\r\n\r\n' + body[:len(body) // 2])
open(d + '/slow.started', 'w').close()
end = time.time() + 20
while not os.path.exists(d + '/slow.go') and time.time() < end:
    time.sleep(0.05)
s.sendall(body[len(body) // 2:])
open(d + '/slow.status', 'w').write(s.recv(4096).split(b' ')[1].decode())
PY
}
conf 37m t37 ja
slow_post t36 & ps=$!
iq_wait_until 20 test -e "$d/slow.started"
c=$(post_reload -H "Authorization: Bearer $ADMIN")
[ "$c" = 200 ] || fail "reload during a delivery: $c $(cat "$d/reload.out")"
[ "$(am_code t36)" = 401 ] || fail "a new delivery with the replaced token was accepted"
touch "$d/slow.go"
wait $ps || fail "the slow delivery failed"
[ "$(cat "$d/slow.status")" = 200 ] || fail "the delivery begun before the reload answered $(cat "$d/slow.status"), not 200 (its version)"
n=$((n + 1))
t_ok=$(metric inquest_config_last_reload_success_timestamp_seconds)

# a bad file: a YAML syntax error
conf 38m bad ja "access_extra: [unclosed"
c=$(post_reload -H "Authorization: Bearer $ADMIN")
[ "$c" = 400 ] || fail "POST /-/reload of a YAML syntax error answered $c: $(cat "$d/reload.out")"
grep -q 'config.yml:\(24\|25\)' "$d/reload.out" || fail "the syntax error does not name its line: $(cat "$d/reload.out")"
[ "$(metric inquest_config_last_reload_successful)" = 0 ] || fail "the reload gauge did not go to 0"
reloads_failed 1 || fail "the failure was not counted"

# a bad file: semantic errors in two sections and an unknown key
conf 38m bad ja "colour: red"
sed -i 's/quiet_period: 38m/quiet_period: sometime/; s/poll: 100ms/poll: often/' "$d/config.yml"
c=$(post_reload -H "Authorization: Bearer $ADMIN")
[ "$c" = 400 ] || fail "POST /-/reload of a bad file answered $c"
for want in "config.yml:3: config 'correlate.quiet_period'" "config.yml:13: config 'drafts.poll'" \
            "config.yml:24: config 'colour'"; do
  grep -qF "$want" "$d/reload.out" || fail "the refusal does not name $want: $(cat "$d/reload.out")"
done
kill -HUP "$IQ_DAEMON_PID"
iq_wait_until 20 reloads_failed 3
grep -qF "config.yml:24: config 'colour': unknown key" "$d/data.log" || fail "SIGHUP failure not logged with its line"
grep -q "reload refused (3 problems): the running configuration stays" "$d/data.log" || fail "no failure summary"
[ "$(read_code t37)" = 200 ] || fail "the running read token stopped working after a bad reload"
[ "$(read_code bad)" = 401 ] || fail "the bad file's read token was taken"
[ "$(am_code t37)" = 200 ] || fail "the running alertmanager token stopped working after a bad reload"
[ "$(metric inquest_config_last_reload_successful)" = 0 ] || fail "the reload gauge is not 0"
[ "$(metric inquest_config_last_reload_success_timestamp_seconds)" = "$t_ok" ] || fail "a failed reload moved the success timestamp"

# settings that need a restart: reported, not applied (the listen address
# of the command line wins over the file's, as at start: no change there)
conf 39m t39 ja "http_threads: 3
max_frame: 1M
listen_http: 127.0.0.1:1"
c=$(post_reload -H "Authorization: Bearer $ADMIN")
[ "$c" = 200 ] && grep -q 'needs a restart: max_frame, http_threads' "$d/reload.out" \
  || fail "restart-only keys: $c $(cat "$d/reload.out")"
grep -q "changed, but only a restart applies them (running values kept): max_frame, http_threads" \
  "$d/data.log" || fail "restart-only keys not logged"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")" = 200 ] || fail "the listener moved"
[ "$(read_code t39)" = 200 ] || fail "the token of the good file is refused"
[ "$(metric inquest_config_last_reload_successful)" = 1 ] || fail "the reload gauge is not back to 1"
t_new=$(metric inquest_config_last_reload_success_timestamp_seconds)
awk -v a="$t_new" -v b="$t_ok" 'BEGIN { exit !(a > b) }' || fail "the success timestamp did not move ($t_ok, $t_new)"

# stop the senders; everything they were told is stored, once
touch "$d/stop"
st=0; wait $p1 || st=1; wait $p2 || st=1; wait $p3 || st=1
[ "$st" -eq 0 ] || fail "a sender failed: $(cat "$d"/*.err 2>/dev/null)"
checkpointed() { grep -q "\"offset\": *$(wc -c <"$d/app.log")" "$d/data/tail.state" 2>/dev/null; }
iq_wait_until 20 checkpointed
iq_stop_daemon
# the log collector, restarted by every reload, stored each error line once,
# the later ones under the service of the reloaded section
"$IQ" --data "$d/data" events --json | grep '"action":"error_line"' >"$d/errlines"
[ "$(sed 's/^{"id":"\([^"]*\)".*/\1/' "$d/errlines" | sort -u | wc -l)" -eq $((lines / 4)) ] \
  || fail "$(wc -l <"$d/errlines") error lines stored, want $((lines / 4)) distinct"
[ "$(wc -l <"$d/errlines")" -eq $((lines / 4)) ] || fail "an error line is stored twice"
grep -q '"service":"pay-t0"' "$d/errlines" && grep -q '"service":"pay-t36"' "$d/errlines" \
  || fail "the log collector did not take the reloaded service name"

cat "$d"/acked.* | sort >"$d/acked.sorted"
[ -s "$d/acked.sorted" ] || fail "nothing was acknowledged"
[ -z "$(uniq -d "$d/acked.sorted")" ] || fail "an id was sent twice by the test itself"
"$IQ" --data "$d/data" events --json | sed 's/^{"id":"\([^"]*\)".*/\1/' | sort >"$d/stored"
[ -z "$(uniq -d "$d/stored")" ] || fail "an event is stored twice"
comm -23 "$d/acked.sorted" "$d/stored" >"$d/lost"
[ ! -s "$d/lost" ] || fail "$(wc -l <"$d/lost") acknowledged events are not stored, e.g. $(head -3 "$d/lost")"
echo "reload: $((n + 1)) reloads and 3 refused under load, $(wc -l <"$d/acked.sorted") acknowledged events all stored once"
