#!/bin/sh
# correlate.sh - the correlator at two sizes of history (bench/correlate.c):
# full-rebuild events/s, its peak RSS, the incremental update's CPU per
# event, each measured RUNS times (median and range), each run with its
# own baselines (a bare scan + decode of the store; storing events without
# correlating them), and the ratios between the sizes.  Run from anywhere:
#   make bench BUILD=build
#   sh bench/correlate.sh [BUILD_DIR] [SIZES] [RUNS] [UPDATES]
#      (defaults: build, "1000000 10000000", 3, 1000)
# Each size is written once, then every run starts from a copy of it, so
# the updates of one run do not burden the next; runs alternate between
# the sizes.  Needs about 200 MB per million events of every size, plus a
# copy of the largest, under ${TMPDIR:-/tmp}; ten million take a while
# to write: with CORBENCH_STORES=DIR the written stores are kept in DIR
# (base-N) and reused by the next run of the script.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/${1:-build}/bench/correlate"
SIZES=${2:-"1000000 10000000"}
RUNS=${3:-3}
UPDATES=${4:-1000}
T=$(mktemp -d "${TMPDIR:-/tmp}/iq-bench-cor.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
[ -x "$BIN" ] || { echo "correlate.sh: $BIN missing (make bench)" >&2; exit 2; }

# every size is written first; then each run goes through all the sizes
# in turn, so that a change in the machine's load between runs weighs on
# every size alike and the ratios between sizes stay meaningful
base_of() { if [ -n "${CORBENCH_STORES:-}" ]; then echo "$CORBENCH_STORES/base-$1"; else echo "$T/base-$1"; fi; }
for n in $SIZES; do
  echo "== $n events: the store ($(base_of "$n"))"
  "$BIN" --events "$n" --store "$(base_of "$n")" --fill | grep -v '^RESULT' || true
done
r=1
while [ "$r" -le "$RUNS" ]; do
  for n in $SIZES; do
    rm -rf "$T/run"
    cp -a "$(base_of "$n")" "$T/run"
    echo "-- $n events, run $r"
    "$BIN" --events "$n" --store "$T/run" --rebuild >"$T/out"
    "$BIN" --events "$n" --store "$T/run" --updates "$UPDATES" >>"$T/out"
    grep -v '^RESULT' "$T/out"
    sed -n "s/^RESULT /size=$n /p" "$T/out" >>"$T/results"
  done
  r=$((r + 1))
done
rm -rf "$T/run"
echo

# median and range of each figure per size, then the last size against the first
awk -v sizes="$SIZES" '
function val(line, k,   i, f) {
  for (i = 1; i <= split(line, f, " "); i++)
    if (index(f[i], k "=") == 1)
      return substr(f[i], length(k) + 2)
  return ""
}
function add(n, k, v) { cnt[n, k]++; x[n, k, cnt[n, k]] = v + 0 }
function sortk(n, k,   i, j, t, c) {
  c = cnt[n, k]
  for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++)
    if (x[n, k, j] < x[n, k, i]) { t = x[n, k, i]; x[n, k, i] = x[n, k, j]; x[n, k, j] = t }
}
function med(n, k,   c) { sortk(n, k); c = cnt[n, k]; return c % 2 ? x[n, k, (c + 1) / 2] : (x[n, k, c / 2] + x[n, k, c / 2 + 1]) / 2 }
function lo(n, k) { sortk(n, k); return x[n, k, 1] }
function hi(n, k) { sortk(n, k); return x[n, k, cnt[n, k]] }
function show(n, k, what, fmt) {
  printf "  %-46s " fmt "  (range " fmt " - " fmt ")\n", what, med(n, k), lo(n, k), hi(n, k)
}
{
  n = val($0, "size")
  if ($2 == "rebuild") {
    ev = val($0, "events") + 0; w = val($0, "wall_ms") + 0
    rd = val($0, "read_ms") + 0; wk = val($0, "walk_ms") + 0
    add(n, "eps", ev * 1000 / (w > 0 ? w : 1))
    add(n, "cpu", val($0, "cpu_ms"))
    add(n, "busy", ev * 1000 / ((rd > wk ? rd : wk) + 1))
    add(n, "rss", val($0, "rss_mb"))
    add(n, "base", val($0, "base_events") * 1000 / (val($0, "base_ms") + 1))
    add(n, "rbase", (ev * 1000 / (w > 0 ? w : 1)) / (val($0, "base_events") * 1000 / (val($0, "base_ms") + 1)))
  } else if ($2 == "updates") {
    add(n, "upd", val($0, "cpu_us") / 1000)
    add(n, "proc", val($0, "proc_us") / 1000)
    add(n, "put", val($0, "put_us") / 1000)
    add(n, "rput", val($0, "cpu_us") / (val($0, "put_us") + 0.001))
  }
}
END {
  k = split(sizes, s, " ")
  for (i = 1; i <= k; i++) {
    n = s[i]
    printf "\n%s events, %d runs: median (range)\n", n, cnt[n, "eps"]
    show(n, "eps", "full rebuild, events/s (wall clock)", "%9.0f")
    show(n, "busy", "  events per CPU-second of the busier thread", "%9.0f")
    show(n, "cpu", "  CPU ms, both threads and RocksDB", "%9.0f")
    show(n, "rss", "  peak RSS, MB (target < 256)", "%9.0f")
    show(n, "base", "  baseline: scan + decode, events/s", "%9.0f")
    show(n, "rbase", "  ratio rebuild / baseline", "%9.2f")
    show(n, "upd", "incremental, CPU ms per event (target <= 1)", "%9.3f")
    show(n, "proc", "  with RocksDB background work, ms", "%9.3f")
    show(n, "put", "  baseline: storing alone, ms", "%9.3f")
    show(n, "rput", "  ratio update / store alone", "%9.1f")
  }
  if (k >= 2) {
    a = s[1]; b = s[k]
    printf "\nratios %s / %s events (medians)\n", b, a
    printf "  rebuild events/s        %6.2f   (busier thread, per CPU-second: %.2f)\n", med(b, "eps") / med(a, "eps"), med(b, "busy") / med(a, "busy")
    printf "  rebuild peak RSS        %6.2f\n", med(b, "rss") / med(a, "rss")
    printf "  incremental CPU/event   %6.2f   (target <= 1.5)\n", med(b, "upd") / med(a, "upd")
    printf "  baseline scan events/s  %6.2f\n", med(b, "base") / med(a, "base")
  }
}' "$T/results"
