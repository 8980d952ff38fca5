#!/bin/sh
# config_yaml.sh - inquestd's configuration as YAML (#18 item 1).
#
#   - --check-config on a good YAML file (comments, nested sections, a
#     token, an alias) says valid and exits 0;
#   - on a bad one it exits 1 and lists every problem, each naming the file,
#     the key and its line, from the top-level table and from the sections
#     (correlate, drafts, access, logs) and the secure defaults (a public
#     listener without tokens); a YAML syntax error names its line
#     and column; --check-config without a file is a usage error (2);
#   - JSON is still read, by extension or by content, with the same lines;
#   - --print-config prints YAML that reads back to the same effective
#     configuration: print, load the output, print again: identical, and
#     the output passes --check-config; flags count in the effective values;
#   - inquestd runs on the YAML file (its values are in use) and refuses a
#     bad one at start with the key and line (exit 2).
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)

cat >"$d/good.yml" <<YAML
# inquestd configuration
data: $d/data            # a comment after a value
max_frame: 8M
http_timeout: 45s
correlate:
  quiet_period: 45m
  components: &components
    Checkout API: checkout
  services: *components
drafts:
  poll: 200ms
  template: default
access:
  tokens:
    - name: oncall
      token: "0123456789abcdef0123456789abcdef"
      role: admin
YAML
st=0; "$IQD" --check-config "$d/good.yml" >"$d/out" 2>"$d/err" || st=$?
[ "$st" -eq 0 ] || fail "--check-config good.yml: exit $st: $(cat "$d/err")"
grep -q "good.yml: valid" "$d/out" || fail "--check-config good.yml says: $(cat "$d/out")"
[ ! -s "$d/err" ] || fail "--check-config good.yml complained: $(cat "$d/err")"

cat >"$d/bad.yml" <<'YAML'
data: ./somewhere
max_frame: lots
colour: red
correlate:
  quiet_period: 45 minutes
drafts:
  template: no-such-template
access:
  tokens:
    - name: oncall
      token: short
      role: admin
logs:
  files: []
http_threads: 999
YAML
st=0; "$IQD" --check-config "$d/bad.yml" >"$d/out" 2>"$d/err" || st=$?
[ "$st" -eq 1 ] || fail "--check-config bad.yml: exit $st, want 1"
for want in \
  "bad.yml:2: config 'max_frame': not a size" \
  "bad.yml:3: config 'colour': unknown key" \
  "bad.yml:5: config 'correlate.quiet_period': not a duration" \
  "bad.yml:7: config 'drafts.template': template 'no-such-template': not found" \
  "bad.yml:10: config 'access.tokens\[0\]'" \
  "bad.yml:14: config 'logs.files'" \
  "bad.yml:15: config 'http_threads': 999 is outside 1..64"; do
  grep -q "$want" "$d/err" || fail "--check-config bad.yml lacks \"$want\": $(cat "$d/err")"
done
grep -q "bad.yml: 7 problems" "$d/out" || fail "problem count: $(cat "$d/out") $(cat "$d/err")"

printf 'data: x\ncorrelate:\n  quiet_period: [1, 2\n' >"$d/syntax.yml"
st=0; "$IQD" --check-config "$d/syntax.yml" >"$d/out" 2>"$d/err" || st=$?
[ "$st" -eq 1 ] && grep -q "syntax.yml:4:1: did not find expected ',' or ']'" "$d/err" \
  || fail "YAML syntax error: exit $st: $(cat "$d/err")"
st=0; "$IQD" --check-config 2>"$d/err" || st=$?
[ "$st" -eq 2 ] || fail "--check-config without a file: exit $st, want 2"

# the secure defaults: a public listener without tokens or secrets is a
# problem at the line of listen_http, unless insecure
printf 'data: %s/data\nlisten_http: 0.0.0.0:7799\n' "$d" >"$d/exposed.yml"
st=0; "$IQD" --check-config "$d/exposed.yml" >"$d/out" 2>"$d/err" || st=$?
[ "$st" -eq 1 ] && grep -q "exposed.yml:2: the HTTP API on 0.0.0.0:7799 has no token" "$d/err" \
  && grep -q "exposed.yml:2: webhook sources without a secret on 0.0.0.0:7799" "$d/err" \
  || fail "exposure check: exit $st: $(cat "$d/err")"
st=0; "$IQD" --check-config "$d/exposed.yml" --insecure >"$d/out" 2>"$d/err" || st=$?
[ "$st" -eq 0 ] || fail "exposure check with --insecure: exit $st: $(cat "$d/err")"

# JSON still works, by extension and by content, with lines too
printf '{\n  "data": "%s/data",\n  "correlate": {\n    "quiet_period": "soon"\n  }\n}\n' "$d" \
  >"$d/bad.json"
st=0; "$IQD" --check-config "$d/bad.json" >"$d/out" 2>"$d/err" || st=$?
[ "$st" -eq 1 ] && grep -q "bad.json:4: config 'correlate.quiet_period': not a duration" "$d/err" \
  || fail "JSON check: exit $st: $(cat "$d/err")"
cp "$d/bad.json" "$d/bad.conf"
st=0; "$IQD" --check-config "$d/bad.conf" >"$d/out" 2>"$d/err" || st=$?
[ "$st" -eq 1 ] && grep -q "bad.conf:4: config 'correlate.quiet_period'" "$d/err" \
  || fail "JSON by content: exit $st: $(cat "$d/err")"

# --print-config reads back to the same effective configuration
"$IQD" --config "$d/good.yml" --listen-http 127.0.0.1:7799 --print-config >"$d/p1.yml" \
  || fail "--print-config"
grep -q '^listen_http: "127.0.0.1:7799"$' "$d/p1.yml" || fail "--print-config ignores a flag"
grep -q '^  quiet_period: 45m$' "$d/p1.yml" || fail "--print-config lacks correlate.quiet_period"
grep -q '^# ZeroMQ ingest endpoint' "$d/p1.yml" || fail "--print-config lacks the descriptions"
grep -q '^max_frame: 8M$' "$d/p1.yml" || fail "--print-config max_frame: $(grep max_frame "$d/p1.yml")"
"$IQD" --config "$d/p1.yml" --print-config >"$d/p2.yml" || fail "--print-config of the printed file"
cmp -s "$d/p1.yml" "$d/p2.yml" || { diff "$d/p1.yml" "$d/p2.yml" >&2; fail "print, load, print: not the same"; }
"$IQD" --check-config "$d/p1.yml" >"$d/out" 2>"$d/err" || fail "the printed config does not check: $(cat "$d/err")"

# the daemon runs on it: the correlator uses the quiet period of the file
iq_start_daemon "$d/data" 0 --config "$d/good.yml"
grep -q "correlator started (quiet period 2700s" "$d/data.log" || fail "correlate.quiet_period not in use"
iq_stop_daemon
st=0; "$IQD" --config "$d/bad.yml" >"$d/out" 2>"$d/err" || st=$?
[ "$st" -eq 2 ] && grep -q "bad.yml:2: config 'max_frame': not a size" "$d/err" \
  || fail "start with bad.yml: exit $st: $(cat "$d/err")"
echo "config yaml: check, lines, JSON, print round trip, start"
