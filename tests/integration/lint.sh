#!/bin/sh
# lint.sh - integration test of `inquest lint`, the real binary.
#
# Runs $IQ_BUILD/inquest lint on the fixture drafts in tests/data/lint and
# compares its output byte for byte with the golden files that
# tests/unit/rev_golden_test.c checks too; then checks the exit statuses
# (0 clean, 1 findings, 2 usage or read errors), the rules lookup order
# (--rules, $INQUEST_SCHEMAS, ./schemas) and the error messages for bad
# input and bad rules; and the model's trainer ($IQ_BUILD/lint-train):
# deterministic weights, its refusals.  Writes only under a mktemp
# directory it removes.
#   env: IQ_BUILD (absolute build dir), IQ_ROOT (repository root)
set -u
: "${IQ_BUILD:?set IQ_BUILD to the absolute build directory}"
: "${IQ_ROOT:?set IQ_ROOT to the repository root}"
BIN="$IQ_BUILD/inquest"
DATA="$IQ_ROOT/tests/data/lint"
RULES="$IQ_ROOT/schemas/lint"
fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iq-lint.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
unset INQUEST_SCHEMAS

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

# expect_rc WANT NAME -- command...: run the command, check its exit status.
expect_rc() {
  want=$1; name=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$name (exit $rc)"; else
    fail "$name: exit $rc, expected $want"; sed 's/^/    | /' "$tmp/err" | head -5; fi
}

# expect_err TEXT NAME: the last command's stderr mentions TEXT.
expect_err() {
  if grep -F -q -- "$1" "$tmp/err"; then ok "$2"; else
    fail "$2: stderr lacks \"$1\""; sed 's/^/    | /' "$tmp/err" | head -5; fi
}

[ -x "$BIN" ] || { echo "FAIL: $BIN is not built"; exit 1; }

# 1. Golden outputs, text and JSON, and the exit status of each draft.
for name in en_bad en_good ja_bad ja_good render_en render_ja; do
  case $name in *good) want=0 ;; *) want=1 ;; esac
  for fmt in txt json; do
    format=text; [ "$fmt" = json ] && format=json
    (cd "$DATA" && "$BIN" lint --rules "$RULES" --format "$format" "$name.md") \
      >"$tmp/$name.$fmt" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq "$want" ] || fail "$name ($format): exit $rc, expected $want"
    if cmp -s "$tmp/$name.$fmt" "$DATA/$name.$fmt"; then ok "$name.$fmt matches golden"; else
      fail "$name.$fmt differs from golden"; diff "$DATA/$name.$fmt" "$tmp/$name.$fmt" | head -20; fi
  done
done

# 2. Usage errors exit 2.
expect_rc 2 "no file" -- "$BIN" lint --rules "$RULES"
expect_err "no file given" "no file: message"
expect_rc 2 "unknown option" -- "$BIN" lint --rules "$RULES" --bogus "$DATA/en_good.md"
expect_rc 2 "bad --lang" -- "$BIN" lint --rules "$RULES" --lang fr "$DATA/en_good.md"
expect_rc 2 "bad --format" -- "$BIN" lint --rules "$RULES" --format xml "$DATA/en_good.md"
expect_rc 0 "--help" -- "$BIN" lint --help

# 3. Read errors exit 2 and name the file and the problem.
expect_rc 2 "missing file" -- "$BIN" lint --rules "$RULES" "$tmp/missing.md"
expect_err "$tmp/missing.md: cannot open" "missing file: message"
printf 'ok line\nbad \303\050 byte\n' >"$tmp/bad-utf8.md"
expect_rc 2 "invalid UTF-8" -- "$BIN" lint --rules "$RULES" "$tmp/bad-utf8.md"
expect_err "$tmp/bad-utf8.md:2: not valid UTF-8" "invalid UTF-8: message names line 2"
head -c 4194305 /dev/zero | tr '\000' 'a' >"$tmp/big.md"
expect_rc 2 "file over 4 MiB" -- "$BIN" lint --rules "$RULES" "$tmp/big.md"
expect_err "over the limit of 4194304 bytes" "file over 4 MiB: message"
expect_rc 2 "directory as file" -- "$BIN" lint --rules "$RULES" "$tmp"
# One bad file among good ones: the others are still linted, exit 2 wins.
expect_rc 2 "good and missing file" -- "$BIN" lint --rules "$RULES" --format json \
  "$DATA/en_good.md" "$tmp/missing.md"
if grep -q '"error":' "$tmp/out" && grep -q '"file": ".*en_good.md"' "$tmp/out"; then
  ok "JSON carries the good document and the error"; else fail "JSON of a partial run"; fi

# 4. Bad rules exit 2 and name the file, the rule and the pcre2 offset.
mkdir "$tmp/rules"
cat >"$tmp/rules/broken.json" <<'JSON'
{"version": 1, "rules": [{"id": "team.broken", "category": "blame", "langs": ["en"],
  "message": "m", "suggestion": "s", "patterns": ["careless(ly"]}]}
JSON
expect_rc 2 "broken rule" -- "$BIN" lint --rules "$tmp/rules" "$DATA/en_good.md"
expect_err "broken.json: rule 'team.broken': \"patterns\"[0]: pcre2 error at offset 11" \
  "broken rule: message names file, rule and offset"
expect_rc 2 "missing rules dir" -- "$BIN" lint --rules "$tmp/nowhere" "$DATA/en_good.md"

# 5. Rules lookup: $INQUEST_SCHEMAS, then ./schemas; stdin as "-".
expect_rc 0 "INQUEST_SCHEMAS" -- env INQUEST_SCHEMAS="$IQ_ROOT/schemas" "$BIN" lint "$DATA/en_good.md"
expect_rc 2 "INQUEST_SCHEMAS wrong" -- env INQUEST_SCHEMAS="$tmp/nowhere" "$BIN" lint "$DATA/en_good.md"
expect_err "INQUEST_SCHEMAS" "INQUEST_SCHEMAS wrong: message"
expect_rc 1 "./schemas" -- sh -c 'cd "$1" && "$2" lint tests/data/lint/ja_bad.md' sh "$IQ_ROOT" "$BIN"
expect_rc 0 "stdin" -- sh -c '"$1" lint --rules "$2" - <"$3"' sh "$BIN" "$RULES" "$DATA/ja_good.md"
grep -q '^<stdin>: no findings' "$tmp/out" && ok "stdin named <stdin>" || fail "stdin name"

# 6. Several files, --lang, --list-rules.
expect_rc 1 "two files" -- "$BIN" lint --rules "$RULES" --format json "$DATA/en_good.md" "$DATA/ja_bad.md"
[ "$(grep -c '"file":' "$tmp/out")" -eq 2 ] && ok "two documents in JSON" || fail "two documents"
expect_rc 1 "--lang ja on English" -- "$BIN" lint --rules "$RULES" --lang ja "$DATA/en_bad.md"
grep -q 'blame\.en\.' "$tmp/out" && fail "--lang ja still ran English rules" || ok "--lang ja skips English rules"
expect_rc 0 "--list-rules" -- "$BIN" lint --rules "$RULES" --list-rules
grep -q '^blame.ja.human-error ' "$tmp/out" && ok "rules listed" || fail "--list-rules output"
grep -q '^model.blame ' "$tmp/out" && ok "model rules listed" || fail "--list-rules: model rules"

# 7. Options anywhere, "--", the model's threshold and --no-model.
expect_rc 1 "options after the file" -- "$BIN" lint "$DATA/ja_bad.md" --rules "$RULES" --format json
grep -q '"version": 1' "$tmp/out" && ok "options after the file: JSON" || fail "options after the file"
cp "$DATA/en_good.md" "$tmp/-x.md"
expect_rc 0 "-- ends the options" -- sh -c 'cd "$1" && "$2" lint --rules "$3" -- -x.md' sh "$tmp" "$BIN" "$RULES"
expect_rc 2 "after --, an option is a file" -- "$BIN" lint --rules "$RULES" -- --format
expect_err "--format: cannot open" "after --: message"
printf 'Ken restarted the node and everything went down because of him.\n' >"$tmp/model.md"
expect_rc 1 "--threshold low" -- "$BIN" lint --rules "$RULES" --format json --threshold blame=0.05 "$tmp/model.md"
grep -q '"rule": "model.blame"' "$tmp/out" && grep -q '"source": "model"' "$tmp/out" &&
    grep -q '"score": 0\.' "$tmp/out" && ok "model finding with source and score" || fail "model finding"
expect_rc 1 "--no-model" -- "$BIN" lint --rules "$RULES" --format json --no-model "$tmp/model.md"
grep -q 'model.blame' "$tmp/out" && fail "--no-model still ran the model" || ok "--no-model: rules only"
expect_rc 2 "bad --threshold" -- "$BIN" lint --rules "$RULES" --threshold 1.5 "$tmp/model.md"
expect_err "--threshold takes" "bad --threshold: message"
expect_rc 2 "bad --threshold task" -- "$BIN" lint --rules "$RULES" --threshold typo=0.5 "$tmp/model.md"
mkdir -p "$tmp/mrules" && cp "$RULES"/*.json "$tmp/mrules/"
printf 'inquest-lint-model 3 bits 18\ntask blame bias 0 threshold 0.5 0.5 scale 0.01 weights 1\n' >"$tmp/mrules/model.weights"
expect_rc 2 "truncated weights" -- "$BIN" lint --rules "$tmp/mrules" "$DATA/en_good.md"
expect_err "model.weights:2: fewer weights than announced" "truncated weights: message names the line"
expect_rc 0 "--no-model skips broken weights" -- "$BIN" lint --rules "$tmp/mrules" --no-model "$DATA/en_good.md"

# The trainer: the same corpus and seed give the same weights, byte for
# byte, with the repeated cross-validation named in the file; bad values and
# held-out files are refused before anything is read.
TRAIN="$IQ_BUILD/lint-train"
CORPUS="$IQ_ROOT/tests/data/lint/corpus/train-extra4.tsv"
for n in 1 2; do
    "$TRAIN" --rules "$RULES" --out "$tmp/w$n" --no-search --bits 16 --repeats 2 "$CORPUS" \
        >"$tmp/train$n.out" 2>&1 || fail "lint-train run $n (see $tmp/train$n.out)"
done
cmp -s "$tmp/w1" "$tmp/w2" && ok "lint-train: deterministic" || fail "lint-train: two runs differ"
grep -q '5 folds x 2 runs' "$tmp/w1" && ok "lint-train: runs in the weights file" ||
    fail "lint-train: the weights file does not name the runs"
grep -q '^blame: thresholds en 0\.[0-9]*, ja 0\.[0-9]*' "$tmp/train1.out" &&
    ok "lint-train: per-language thresholds printed" || fail "lint-train: no thresholds"
expect_rc 2 "lint-train --repeats 9" -- "$TRAIN" --rules "$RULES" --out "$tmp/w3" --repeats 9 "$CORPUS"
expect_err "bad option or value: --repeats 9" "lint-train --repeats 9: message"
expect_rc 2 "lint-train refuses a held-out file" -- "$TRAIN" --rules "$RULES" --out "$tmp/w3" \
    "$tmp/heldout-x.tsv"
expect_err "the held-out split is never trained on" "lint-train held-out: message"
[ ! -e "$tmp/w3" ] && ok "lint-train: nothing written on refusal" || fail "lint-train wrote $tmp/w3"

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all lint checks passed"
