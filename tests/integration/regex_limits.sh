#!/bin/sh
# The pcre2 limits are config values, and a pattern that runs into one is
# named with the limit, its value and the key that raises it:
#  - inquestd's "regex" section is checked at start (range, unknown use),
#    exit 2 naming the key;
#  - a backtracking log rule under a tiny regex.logs.match_limit: the
#    daemon logs the rule and the limit, the 1st and 10th time only;
#  - `inquest --config` applies the same section to `inquest tail`;
#  - a lint rules file's "regex" sets the limits of the rule set: the
#    shipped rules' own examples fail under a tiny one (naming the file
#    that set it), a custom rule fails on a draft with the document line,
#    the rule, the pattern and the limit, and a raised limit lets it run.
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)

# 1. bad limits stop the daemon before it starts anything
for bad in '{"logs": {"match_limit": 5}}|config '"'"'regex.logs.match_limit'"'"': 5 is outside 10..1000000000' \
           '{"lint": {"match_limit": 100}}|config '"'"'regex'"'"': unknown key "lint"' \
           '{"classes": {"depth_limit": "deep"}}|config '"'"'regex.classes.depth_limit'"'"': expected an integer'; do
  st=0
  "$IQD" --data "$d/never" --listen-http off --regex "${bad%%|*}" 2>"$d/err" || st=$?
  [ "$st" -eq 2 ] || fail "inquestd --regex '${bad%%|*}' exited $st, want 2"
  grep -qF "${bad#*|}" "$d/err" || fail "bad regex message: $(cat "$d/err")"
done
[ ! -e "$d/never" ] || fail "the daemon created its data directory before refusing its config"
printf '{"regex": {"redaction": {"match_limit": 1000000001}}}\n' >"$d/bad.conf"
st=0; "$IQD" --config "$d/bad.conf" --data "$d/never" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -qF "config 'regex.redaction.match_limit': 1000000001 is outside" "$d/err" ||
  fail "a config file's bad limit: exit $st, $(cat "$d/err")"

# 2. the daemon's log collector: 12 lines that make the rule backtrack
printf '{"name":"slow","rules":[{"name":"backtrack","pattern":"^(?<message>(a+)+)$",' >"$d/slow.json"
printf '"event":{"min_level":"error"}}]}\n' >>"$d/slow.json"
i=0; while [ "$i" -lt 12 ]; do
  printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n' >>"$d/app.log"; i=$((i + 1))
done
iq_start_daemon "$d/data" 0 --listen-http off --regex '{"logs": {"match_limit": 10}}' \
  --logs "{\"files\": [\"$d/app.log\"], \"rules\": [\"$d/slow.json\"], \"poll\": \"50ms\"}"
warned() { grep -q "lines so far" "$d/data.log"; }
iq_wait_until 30 warned
iq_stop_daemon
want="log rule 'backtrack': a line hit the pcre2 match limit (regex.logs.match_limit = 10)"
n=$(grep -cF "$want" "$d/data.log" || true)
[ "$n" -eq 2 ] || { cat "$d/data.log" >&2; fail "$n warnings for 12 lines, want 2 (the 1st and 10th)"; }
grep -qF "$want; the rule does not parse it (10 lines so far)" "$d/data.log" ||
  fail "the 10th hit is not counted: $(grep tail: "$d/data.log")"

# 3. inquest --config: the same section for `inquest tail`
printf '{"regex": {"logs": {"match_limit": 20, "depth_limit": 50}}}\n' >"$d/cli.conf"
iq_start_daemon "$d/data" 0 --listen-http off
st=0
"$IQ" --config "$d/cli.conf" --zmq "$IQ_ZMQ" tail --once --no-state --rules "$d/slow.json" \
  "$d/app.log" >"$d/tail.out" 2>"$d/tail.err" || st=$?
iq_stop_daemon
[ "$st" -eq 0 ] || fail "inquest tail exited $st: $(cat "$d/tail.err")"
grep -qF "log rule 'backtrack': a line hit the pcre2 match limit (regex.logs.match_limit = 20)" \
  "$d/tail.err" || fail "inquest tail did not name its limit: $(cat "$d/tail.err")"
printf '{"regex": {"logs": {"match_limit": 2}}}\n' >"$d/cli-bad.conf"
st=0; "$IQ" --config "$d/cli-bad.conf" events >/dev/null 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -qF "cli-bad.conf: config 'regex.logs.match_limit': 2 is outside" "$d/err" ||
  fail "inquest with a bad limit: exit $st, $(cat "$d/err")"

# 4. lint: the shipped rules under a tiny limit set by one rules file
mkdir "$d/rules"
cp "$IQ_ROOT"/schemas/lint/* "$d/rules/"
printf '{"version": 1, "regex": {"match_limit": 10}}\n' >"$d/rules/zz-limits.json"
printf '# Postmortem\n\nThe deploy failed.\n' >"$d/pm.md"
st=0; "$IQ" lint --rules "$d/rules" "$d/pm.md" >/dev/null 2>"$d/err" || st=$?
[ "$st" -eq 2 ] || fail "lint under a tiny limit exited $st, want 2"
grep -q "rule '.*': example \".*\": pattern \".*\" hit the pcre2 match limit (zz-limits.json: regex.match_limit = 10)" \
  "$d/err" || fail "lint limit message: $(cat "$d/err")"
printf '{"version": 1, "regex": {"match_limit": 20000000, "depth_limit": 5000}}\n' >"$d/rules/zz-limits.json"
st=0; "$IQ" lint --rules "$d/rules" "$d/pm.md" >/dev/null 2>"$d/err" || st=$?
[ "$st" -le 1 ] || fail "lint with raised limits exited $st: $(cat "$d/err")"

# 5. lint: a rule without examples fails on the draft line that trips it
mkdir "$d/slow"
cat >"$d/slow/slow.json" <<'EOF'
{"version": 1, "regex": {"match_limit": 50},
 "rules": [{"id": "t.slow", "category": "blame", "langs": ["en"], "message": "m",
            "suggestion": "s", "patterns": ["(a+)+$"]}]}
EOF
printf '# Postmortem\n\nFine.\n\naaaaaaaaaaaaaaaaaaaaaaab\n' >"$d/slow.md"
st=0; "$IQ" lint --no-model --rules "$d/slow" "$d/slow.md" >/dev/null 2>"$d/err" || st=$?
[ "$st" -eq 2 ] || fail "lint on a backtracking draft exited $st, want 2"
grep -qF "slow.md:5: rule 't.slow' (slow.json): pattern \"(a+)+\$\" hit the pcre2 match limit (slow.json: regex.match_limit = 50)" \
  "$d/err" || fail "lint draft limit message: $(cat "$d/err")"
sed -i 's/"match_limit": 50/"match_limit": 100000000/' "$d/slow/slow.json"
st=0; "$IQ" lint --no-model --rules "$d/slow" "$d/slow.md" >/dev/null 2>"$d/err" || st=$?
[ "$st" -le 1 ] || fail "lint with the limit raised exited $st: $(cat "$d/err")"
echo "ok: limits from config and rules files, named with their key when hit"
