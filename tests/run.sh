#!/bin/sh
# Run every unit test binary and every integration script; print one line
# per test and the closing "N passed, N failed, N skipped".  A test that
# cannot run here (no root for a tmpfs, say) exits 77 after saying why: it
# is listed as skipped with that reason, never counted as passed.
#   tests/run.sh BUILD_DIR [PATTERN]
# PATTERN (optional) keeps only tests whose name contains it.
BUILD=${1:-build}
PATTERN=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export IQ_BUILD="$ROOT/$BUILD" IQ_ROOT="$ROOT"
pass=0; fail=0; skip=0; failed=""
logdir=$(mktemp -d "${TMPDIR:-/tmp}/iq-test-logs.XXXXXX")

run_one() { # name command...
  name=$1; shift
  case "$name" in *"$PATTERN"*) ;; *) return 0 ;; esac
  start=$(date +%s)
  log="$logdir/$(echo "$name" | tr / _).log"
  st=0; "$@" >"$log" 2>&1 || st=$?
  if [ "$st" -eq 0 ]; then
    pass=$((pass + 1)); echo "ok   $name ($(( $(date +%s) - start ))s)"
  elif [ "$st" -eq 77 ]; then
    skip=$((skip + 1)); echo "skip $name: $(tail -n 1 "$log")"
  else
    fail=$((fail + 1)); failed="$failed $name"
    echo "FAIL $name ($(( $(date +%s) - start ))s)"; sed 's/^/    | /' "$log" | tail -n 60
  fi
}

for t in "$ROOT/$BUILD"/tests/*_test; do
  [ -x "$t" ] || continue
  run_one "unit/$(basename "$t")" "$t"
done
# Fuzz corpora replayed through each harness (tests/fuzz/, docs/fuzzing.md).
for t in "$ROOT/$BUILD"/tests/fuzz_*_replay; do
  [ -x "$t" ] || continue
  n=$(basename "$t" _replay); n=${n#fuzz_}
  set -- "$ROOT/tests/fuzz/corpus/$n"
  [ -d "$ROOT/tests/fuzz/regress/$n" ] && set -- "$@" "$ROOT/tests/fuzz/regress/$n"
  run_one "fuzz/$n" "$t" "$@"
done
for t in "$ROOT"/tests/integration/*.sh; do
  [ -f "$t" ] || continue
  run_one "integration/$(basename "$t" .sh)" sh "$t"
done
rm -rf "$logdir"
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
