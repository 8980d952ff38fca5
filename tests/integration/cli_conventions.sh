#!/bin/sh
# CLI conventions (issue #18, item 7): every inquest command and inquestd
# answer --help and -h with exit 0 and usage on stdout; the man pages the
# build generates from the same table render (man -l, or groff); bash
# completion from `inquest completion bash` completes `inquest dr` to
# draft; the exit-code table (2 usage, 3 unknown id for `incident show`
# and `draft` alike, 4 store or daemon unavailable); `send`, `replay` and
# `import` to an endpoint where nothing answers fail within --timeout
# (default 10 s) saying so; and options permute: every command gives the
# same output and status with its options before and after its
# positional arguments, and the global options after the command.  The
# tail state defaults to $XDG_STATE_HOME (or ~/.local/state), and lint run
# from / finds its rules beside the program.
. "$IQ_ROOT/tests/lib.sh"
SC="$IQ_ROOT/tests/data/scenarios"
d=$(iq_tmpdir)

# --help and -h, from the command table, for every command
cmds=$("$IQ" --help | awk '/^commands:$/ { on = 1; next } on && /^  [^ ]/ { print $1 }')
[ "$(echo "$cmds" | wc -l)" -ge 15 ] || fail "inquest --help lists too few commands: $cmds"
for c in $cmds; do
  for h in --help -h; do
    "$IQ" "$c" "$h" >"$d/help" 2>"$d/help.err" || fail "inquest $c $h exits $?"
    grep -q "^usage: inquest .*$c" "$d/help" || fail "inquest $c $h: no usage on stdout"
    [ ! -s "$d/help.err" ] || fail "inquest $c $h wrote to stderr"
  done
done
"$IQ" --help >/dev/null || fail "inquest --help"
"$IQ" -h >/dev/null || fail "inquest -h"
"$IQD" --help | grep -q '^usage: inquestd' || fail "inquestd --help"
"$IQD" -h | grep -q '^usage: inquestd' || fail "inquestd -h"

# man pages: one per command, rendered without warnings
M="$IQ_BUILD/man"
for c in $cmds; do [ -s "$M/inquest-$c.1" ] || fail "no man page inquest-$c.1"; done
[ -s "$M/inquest.1" ] && [ -s "$M/inquestd.8" ] || fail "no inquest.1 or inquestd.8"
if command -v man >/dev/null 2>&1; then render() { MANWIDTH=80 man --warnings -l "$1"; }
elif command -v groff >/dev/null 2>&1; then render() { groff -man -Tutf8 -ww "$1"; }
else render=""; echo "man pages not rendered: neither man nor groff here"; fi
if command -v man >/dev/null 2>&1 || command -v groff >/dev/null 2>&1; then
  for f in "$M"/*.1 "$M"/*.8; do
    render "$f" >"$d/man.out" 2>"$d/man.err" || fail "$f does not render"
    [ ! -s "$d/man.err" ] || fail "$f: $(cat "$d/man.err")"
    grep -q "SYNOPSIS" "$d/man.out" || fail "$f: no SYNOPSIS"
  done
  render "$M/inquest-draft.1" | grep -q -- "--pseudonymize" || fail "inquest-draft(1) lacks an option"
fi

# bash completion, generated from the same table
"$IQ" completion bash >"$d/compl.bash" || fail "completion bash"
"$IQ" completion zsh | grep -q '^#compdef inquest' || fail "completion zsh"
if command -v bash >/dev/null 2>&1; then
  got=$(bash -c '. "$1"; COMP_WORDS=(inquest dr); COMP_CWORD=1; _inquest; echo "${COMPREPLY[*]}"' \
        _ "$d/compl.bash")
  [ "$got" = "draft" ] || fail "bash: inquest dr<TAB> gave '$got'"
  got=$(bash -c '. "$1"; COMP_WORDS=(inquest --data x draft --pseu); COMP_CWORD=4; _inquest; echo "${COMPREPLY[*]}"' \
        _ "$d/compl.bash")
  [ "$got" = "--pseudonymize" ] || fail "bash: draft --pseu<TAB> gave '$got'"
fi

# exit codes: usage, unavailable
rc() { _want=$1; shift; _st=0; "$@" >"$d/rc.out" 2>"$d/rc.err" || _st=$?
  [ "$_st" -eq "$_want" ] || fail "$* exits $_st, not $_want: $(cat "$d/rc.err")"; }
rc 2 "$IQ" nosuchcommand
rc 2 "$IQ" events --bogus
rc 2 "$IQ" draft
rc 4 "$IQ" --data "$d/none" events
rc 4 "$IQ" --data "$d/none" incident show inc-20990101-00000000
rc 4 "$IQ" --data "$d/none" draft inc-20990101-00000000

# send, replay and import against nothing: 4, within the timeout, saying so
dead=$(iq_free_port)
iq_gen_events 3 dead >"$d/dead.ndjson"
for c in "send $d/dead.ndjson" "replay $SC/s5-concurrent.ndjson" \
         "import statuspage $IQ_ROOT/tests/data/import/statuspage-history.json"; do
  t0=$(date +%s)
  # shellcheck disable=SC2086
  rc 4 "$IQ" --quiet --zmq "tcp://127.0.0.1:$dead" $c
  el=$(( $(date +%s) - t0 ))
  [ "$el" -lt 12 ] || fail "$c against nothing took ${el}s"
  grep -q "no answer from tcp://127.0.0.1:$dead" "$d/rc.err" || fail "$c: $(cat "$d/rc.err")"
done
rc 4 "$IQ" --zmq "tcp://127.0.0.1:$dead" send --timeout 1s "$d/dead.ndjson"

# a live daemon with incidents
iq_start_daemon "$d/data" 0 --config "$SC/config.json"
Z=$IQ_ZMQ
"$IQ" --quiet --zmq "$Z" replay "$SC/s5-concurrent.ndjson" >/dev/null || fail "replay"
ids() { "$IQ" --data "$d/data" incidents --json | tr ',' '\n' | sed -n 's/.*"id": "\(inc-[0-9a-f-]*\)".*/\1/p'; }
has_incident() { [ -n "$(ids)" ]; }
iq_wait_until 20 has_incident
A=$(ids | sed -n 1p)
rc 3 "$IQ" --data "$d/data" incident show inc-20990101-00000000
rc 3 "$IQ" --data "$d/data" draft inc-20990101-00000000
rc 0 "$IQ" --data "$d/data" incident show "$A"

# permutation: the same output and status both ways
same() { # NAME -- ARGS1 -- ARGS2 (each run as "$IQ" ARGS, output to compare)
  _n=$1; shift 2; _a=""; while [ "$1" != -- ]; do _a="$_a $1"; shift; done; shift
  # shellcheck disable=SC2086
  _s1=0; "$IQ" $_a >"$d/p1" 2>&1 || _s1=$?
  # shellcheck disable=SC2086
  _s2=0; "$IQ" "$@" >"$d/p2" 2>&1 || _s2=$?
  [ "$_s1" -eq "$_s2" ] || fail "$_n: status $_s1 vs $_s2"
  sed -i 's/, [0-9]* lines\/s$//' "$d/p1" "$d/p2"   # tail's rate varies
  cmp -s "$d/p1" "$d/p2" || { diff "$d/p1" "$d/p2" >&2; fail "$_n: outputs differ"; }
  [ -s "$d/p1" ] || fail "$_n: no output"
}
D="--data $d/data"
iq_gen_events 5 perm >"$d/perm.ndjson"
"$IQ" --quiet --zmq "$Z" send "$d/perm.ndjson" || fail "send"
same send -- --zmq "$Z" send --timeout 5s "$d/perm.ndjson" -- send "$d/perm.ndjson" --timeout 5s --zmq "$Z"
same events -- $D events --service checkout-api --json -- events --json --service checkout-api $D
same incidents -- $D incidents --json -- incidents $D --json
same incident -- $D incident show "$A" --json -- incident --json show "$A" $D
same correlate -- $D correlate --diff -- correlate $D --diff
same replay -- --zmq "$Z" replay --timeout 5s "$SC/s5-concurrent.ndjson" -- replay "$SC/s5-concurrent.ndjson" --zmq "$Z" --timeout 5s
printf '# Postmortem\n\nBob caused the outage by mistake.\n' >"$d/pm.md"
same lint -- lint --format json "$d/pm.md" -- lint "$d/pm.md" --format json
printf 'ERROR boom\n' >"$d/app.log"
"$IQ" --quiet --zmq "$Z" tail --once --no-state --service perm "$d/app.log" || fail "tail"
same tail -- --zmq "$Z" tail --once --no-state --service perm "$d/app.log" -- tail "$d/app.log" --service perm --once --zmq "$Z" --no-state
same draft -- $D draft --format json "$A" -- draft "$A" $D --format json
imp="$IQ_ROOT/tests/data/import/statuspage-history.json"
"$IQ" --quiet --zmq "$Z" import --no-progress statuspage "$imp" || fail "import"
same import -- --zmq "$Z" import --no-progress statuspage "$imp" -- import statuspage "$imp" --zmq "$Z" --no-progress
same query -- $D query recurring --format json -- query --format json recurring $D
same class -- $D class show "$A" --json -- class --json show "$A" $D
same completion -- --quiet completion bash -- completion bash --quiet
"$IQ" keygen "$d/k1" --quiet || fail "keygen, option after"
[ -s "$d/k1.pub" ] || fail "keygen wrote no key"
# tail keeps its state under $XDG_STATE_HOME by default, not in the working directory
mkdir "$d/cwd"
(cd "$d/cwd" && XDG_STATE_HOME="$d/xdg" "$IQ" --quiet --zmq "$Z" tail --once --service perm "$d/app.log") \
  || fail "tail with the default state"
[ -s "$d/xdg/inquest/tail.state" ] || fail "no state in \$XDG_STATE_HOME/inquest/tail.state"
[ -z "$(ls -A "$d/cwd")" ] || fail "tail wrote into the working directory: $(ls -A "$d/cwd")"
(cd "$d/cwd" && env -u XDG_STATE_HOME HOME="$d/home" "$IQ" --quiet --zmq "$Z" tail --once \
  --service perm "$d/app.log") || fail "tail with the default state under HOME"
[ -s "$d/home/.local/state/inquest/tail.state" ] || fail "no state in ~/.local/state/inquest"
iq_stop_daemon
# lint finds its rules wherever it is run (beside the program), without INQUEST_SCHEMAS
st=0; (cd / && env -u INQUEST_SCHEMAS "$IQ" lint "$d/pm.md" >/dev/null 2>"$d/lint.err") || st=$?
[ "$st" -eq 1 ] || fail "lint run from /: exit $st: $(cat "$d/lint.err")"
"$IQ" backup "$d/bk" $D >"$d/b1" || fail "backup, option after"
[ -d "$d/bk" ] || fail "backup made nothing"
# "--" ends the options: a file named like an option
cp "$d/perm.ndjson" "$d/-x.ndjson"
(cd "$d" && "$IQ" --quiet --zmq "tcp://127.0.0.1:$dead" send --timeout 1s -- -x.ndjson) 2>"$d/dd.err" || true
grep -q "no answer" "$d/dd.err" || fail "send -- -x.ndjson: $(cat "$d/dd.err")"
echo "cli conventions ok"
