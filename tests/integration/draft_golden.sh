#!/bin/sh
# draft_golden.sh - `inquest draft` against golden files.
#
# Renders the scenario incidents of tests/data/render/ (incident JSON plus
# canonical events, NDJSON) with every shipped template, with pseudonyms
# and external redaction, and as the JSON context, and compares each byte
# for byte with tests/data/render/golden/.  Also checks the refusals: a
# malformed template names its line and column, unknown templates and
# options exit 2, and -o leaves either nothing or the whole document.
# Regenerate after an intended change with IQ_UPDATE_GOLDEN=1.
. "$IQ_ROOT/tests/lib.sh"
# the front matter's generated_at, fixed so drafts are byte for byte the same
export SOURCE_DATE_EPOCH=1792589400
D="$IQ_ROOT/tests/data/render"
G="$D/golden"

golden() { # NAME ARGS...: render and compare with $G/NAME
  name=$1; shift
  "$IQ" draft "$@" >"$IQ_TMP/$name" 2>"$IQ_TMP/$name.err" || { cat "$IQ_TMP/$name.err" >&2; fail "draft $name exited non-zero"; }
  if [ -n "${IQ_UPDATE_GOLDEN:-}" ]; then cp "$IQ_TMP/$name" "$G/$name"; fi
  diff -u "$G/$name" "$IQ_TMP/$name" >&2 || fail "$name differs from its golden file"
}

for scen in sample scenario-open; do
  inc="$D/$scen-incident.json"; evs="$D/$scen-events.ndjson"
  for t in default pagerduty ja; do
    golden "$scen-$t.md" --incident-file "$inc" --events-file "$evs" --template "$t"
  done
  golden "$scen-external-pseudo.md" --incident-file "$inc" --events-file "$evs" --audience external --pseudonymize
  golden "$scen.json" --incident-file "$inc" --events-file "$evs" --format json
done

# the draft states the facts the issue asks for
f="$G/sample-default.md"
# the front matter links the finished document back to its incident (#19)
[ "$(sed -n '1,6p' "$f" | tr '\n' '|')" = "---|incident: inc-20261021-3fa2c19e|status: draft|template: default|generated_at: 2026-10-21T13:30:00.000Z|---|" ] \
  || { sed -n '1,7p' "$f" >&2; fail "front matter of the Markdown draft"; }
grep -q '^template: ja$' "$G/sample-ja.md" || fail "front matter names the template"
head -c 20 "$G/sample.json" | grep -q '^---' && fail "the JSON context has front matter"
grep -q '^On 21 Oct 2026 checkout had a partial outage for 32 min (critical alerts for 32 min)\.' "$f" || fail "summary sentence"
grep -q '^| Time (UTC) | Event | Source |$' "$f" || fail "timeline header"
grep -q '^## Action items$' "$f" && grep -q '^| Item | Type | Owner | Due | Ticket |$' "$f" || fail "action items table"
grep -q '^## Final review checklist$' "$f" && grep -q '^- \[ \] Blameless tone' "$f" || fail "checklist"
grep -q 'deploy v2.14.0 of checkout at 13:31, 8 min 55 s before impact' "$f" || fail "trigger sentence"
grep -q 'ServiceDown fired x14 on 3 instances' "$G/scenario-open-default.md" || fail "collapsed notifications"
grep -q '^### Thursday 22 October 2026$' "$G/scenario-open-default.md" || fail "day heading"
for m in 'IMPACT BEGINS' DETECTED ACKNOWLEDGED MITIGATED RESOLVED; do
  grep -q "\*\*$m\*\*" "$f" || fail "milestone $m not marked"
done
# external: no chat (so neither the personal data nor the token it held),
# the redaction notice, nobody named (tests/integration/draft_external.sh
# covers links and host names)
e="$G/sample-external-pseudo.md"
grep -q 'bob@example.com\|415 555\|looking at checkout errors' "$e" && fail "external draft still holds chat"
grep -q 'Redaction applied for an external audience: 0 item(s) removed' "$e" || fail "redaction notice"
grep -qw 'alice\|dave' "$e" && fail "pseudonymized draft still names people"
grep -q 'xoxb-\|rotating it' "$G/scenario-open-external-pseudo.md" && fail "external draft still holds chat"
# pseudonyms consistent: one person has one pseudonym in chat, pages and mentions
"$IQ" draft --incident-file "$D/sample-incident.json" --events-file "$D/sample-events.ndjson" \
  --pseudonymize >"$IQ_TMP/p.md" || fail "draft --pseudonymize"
grep -qw 'alice\|dave' "$IQ_TMP/p.md" && fail "pseudonymized draft still names people"
grep -q '| responder C: looking at checkout errors' "$IQ_TMP/p.md" && grep -q 'by responder C' "$IQ_TMP/p.md" \
  && grep -q '@responder C v2.14.0' "$IQ_TMP/p.md" || fail "pseudonym of one person not consistent"
# internal audience: no redaction unless asked for with --redact
grep -q 'bob@example.com' "$f" || fail "internal draft lost data without --redact"
"$IQ" draft --incident-file "$D/sample-incident.json" --events-file "$D/sample-events.ndjson" --redact >"$IQ_TMP/r.md" \
  || fail "draft --redact"
grep -q '^> Redaction applied: 2 item(s) removed · 1 e-mail address · 1 phone number\.$' "$IQ_TMP/r.md" || fail "--redact notice"
grep -q 'bob@example.com' "$IQ_TMP/r.md" && fail "--redact left an e-mail address"

# the lint of review/ finds no error (only the blanks left for humans)
"$IQ" 2>&1 | grep -q '^ *lint' || fail "inquest has no lint command"
for f in "$G"/*.md; do
  st=0; "$IQ" lint "$f" >"$IQ_TMP/lint.out" 2>&1 || st=$?
  [ "$st" -le 1 ] || { cat "$IQ_TMP/lint.out" >&2; fail "lint itself failed (exit $st) on $f"; }
  grep -q '(0 errors' "$IQ_TMP/lint.out" || { cat "$IQ_TMP/lint.out" >&2; fail "lint reports errors in $f"; }
done

# refusals
printf '# {{title}}\n{{#timeline_days}}\n| {{day}} |\n' >"$IQ_TMP/bad.mustache"
st=0; "$IQ" draft --incident-file "$D/sample-incident.json" --template "$IQ_TMP/bad.mustache" \
  >/dev/null 2>"$IQ_TMP/err" || st=$?
[ "$st" -eq 2 ] || fail "malformed template: exit $st, want 2"
grep -q "line 2 col 1: unclosed section 'timeline_days'" "$IQ_TMP/err" || { cat "$IQ_TMP/err" >&2; fail "malformed template message"; }
st=0; "$IQ" draft --incident-file "$D/sample-incident.json" --template nosuch >/dev/null 2>"$IQ_TMP/err" || st=$?
[ "$st" -eq 2 ] && grep -q "template 'nosuch': not found" "$IQ_TMP/err" || fail "unknown template"
st=0; "$IQ" draft --incident-file "$D/sample-incident.json" --template ../../etc/passwd_x >/dev/null 2>&1 || st=$?
[ "$st" -eq 2 ] || fail "template path accepted as a name"
st=0; "$IQ" draft --incident-file "$D/sample-incident.json" --format pdf >/dev/null 2>&1 || st=$?
[ "$st" -eq 2 ] || fail "--format pdf accepted"
printf '{"id":"x"}' >"$IQ_TMP/badinc.json"
st=0; "$IQ" draft --incident-file "$IQ_TMP/badinc.json" -o "$IQ_TMP/out.md" 2>"$IQ_TMP/err" || st=$?
[ "$st" -eq 2 ] && grep -q "incident member 'milestones'" "$IQ_TMP/err" || { cat "$IQ_TMP/err" >&2; fail "bad incident"; }
[ ! -e "$IQ_TMP/out.md" ] && [ ! -e "$IQ_TMP/out.md.tmp" ] || fail "failed draft left a file"
"$IQ" --quiet draft --incident-file "$D/sample-incident.json" --events-file "$D/sample-events.ndjson" \
  -o "$IQ_TMP/out.md" || fail "draft -o"
cmp -s "$IQ_TMP/out.md" "$G/sample-default.md" || fail "-o output differs from stdout output"
echo "draft golden: ok"
