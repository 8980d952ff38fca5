#!/bin/sh
# bench/runs.sh - run a benchmark several times and print each run, then
# its output once more with every number replaced by "median [min..max]"
# over the runs (line by line, number by number: the runs must print the
# same lines, as the benches here do).
#   sh bench/runs.sh RUNS COMMAND [ARGS...]
#   e.g. sh bench/runs.sh 3 build/bench/ingest --events 1000000
#        sh bench/runs.sh 3 sh bench/collector.sh build 1000000
set -eu
[ $# -ge 2 ] || { echo "usage: bench/runs.sh RUNS COMMAND [ARGS...]" >&2; exit 2; }
runs=$1; shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iq-runs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
i=1
while [ "$i" -le "$runs" ]; do
  echo "== run $i of $runs: $*"
  "$@" 2>"$tmp/err.$i" | tee "$tmp/out.$i" || { cat "$tmp/err.$i" >&2; exit 1; }
  i=$((i + 1))
done
echo "== median [min..max] of $runs runs"
# out.1 .. out.N line by line: the k-th number of line l over the runs
for i in $(seq 1 "$runs"); do sed "s/^/$i\t/" "$tmp/out.$i"; done | awk -F'\t' -v runs="$runs" '
  function sort(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
  }
  { line[$1, ++count[$1]] = $2 }
  END {
    for (l = 1; l <= count[1]; l++) {
      text = line[1, l]; out = ""; k = 0
      while (match(text, /-?[0-9]+(\.[0-9]+)?/)) {
        k++; s0 = RSTART; n0 = RLENGTH; num = substr(text, s0, n0)
        for (r = 1; r <= runs; r++) {
          rest = line[r, l]
          for (m = 0; m < k && match(rest, /-?[0-9]+(\.[0-9]+)?/); m++) {
            v[r] = substr(rest, RSTART, RLENGTH) + 0; rest = substr(rest, RSTART + RLENGTH)
          }
        }
        sort(v, runs)
        med = runs % 2 ? v[(runs + 1) / 2] : (v[runs / 2] + v[runs / 2 + 1]) / 2
        dec = index(num, ".") ? length(num) - index(num, ".") : 0
        fmt = "%." dec "f"
        if (v[1] == v[runs])
          rep = sprintf(fmt, med)
        else
          rep = sprintf(fmt " [" fmt ".." fmt "]", med, v[1], v[runs])
        out = out substr(text, 1, s0 - 1) rep
        text = substr(text, s0 + n0)
      }
      print out text
    }
  }'
