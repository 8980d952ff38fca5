#!/bin/sh
# make fuzz: run each libFuzzer harness for SECONDS under ASan and UBSan and
# print, per harness, executions per second and edges covered (libFuzzer's
# "cov"), then the verdict.  docs/fuzzing.md.
#   tools/fuzz.sh BUILD SECONDS JOBS NAME...
# JOBS harnesses run at once.  Each harness reads its seeds
# (tests/fuzz/corpus/NAME) and regression inputs (tests/fuzz/regress/NAME)
# and writes what it learns to BUILD/corpus/NAME, kept between runs; a
# crashing input is written to BUILD/crashes/NAME/ and the log to
# BUILD/logs/NAME.log.  Exits 1 when any harness found something.
set -u
BUILD=$1 SECONDS_EACH=$2 JOBS=$3
shift 3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
case "$SECONDS_EACH" in ''|*[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a number" >&2; exit 2 ;; esac
case "$JOBS" in ''|*[!0-9]*|0) echo "fuzz: FUZZ_JOBS must be a positive number" >&2; exit 2 ;; esac

run_one() { # name
  n=$1
  mkdir -p "$BUILD/corpus/$n" "$BUILD/crashes/$n" "$BUILD/logs"
  set -- "$BUILD/corpus/$n" "tests/fuzz/corpus/$n"
  [ -d "tests/fuzz/regress/$n" ] && set -- "$@" "tests/fuzz/regress/$n"
  IQ_ROOT=$ROOT ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$BUILD/fuzz/fuzz_$n" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
    -timeout=30 -rss_limit_mb=2048 -artifact_prefix="$BUILD/crashes/$n/" "$@" \
    >"$BUILD/logs/$n.log" 2>&1
  echo $? >"$BUILD/logs/$n.rc"
}

echo "fuzz: $# harnesses, ${SECONDS_EACH}s each, $JOBS at a time (logs in $BUILD/logs)"
while [ $# -gt 0 ]; do
  batch=""
  i=0
  while [ $# -gt 0 ] && [ $i -lt "$JOBS" ]; do
    run_one "$1" &
    batch="$batch $1"
    shift
    i=$((i + 1))
  done
  wait
  for n in $batch; do echo "fuzz: $n done (exit $(cat "$BUILD/logs/$n.rc"))"; done
done

status=0
printf '%-10s %12s %10s %8s %8s %8s  %s\n' harness runs execs/s edges features corpus result
for rc in "$BUILD"/logs/*.rc; do
  n=$(basename "$rc" .rc)
  log="$BUILD/logs/$n.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
  if [ "$(cat "$rc")" = 0 ]; then
    res=clean
  else
    res="FAILED: $(grep -m1 -E 'ERROR:|runtime error:|fuzz check failed|Test unit written' "$log")"
    status=1
  fi
  printf '%-10s %12s %10s %8s %8s %8s  %s\n' "$n" "${runs:-?}" "${eps:-?}" "${cov:-?}" \
    "${ft:-?}" "${corp:-?}" "$res"
  rm -f "$rc"
done
[ $status = 0 ] || echo "fuzz: see $BUILD/logs/ and $BUILD/crashes/; add each input to tests/fuzz/regress/NAME once fixed"
exit $status
