#!/bin/sh
# svg.sh - the visual timeline of a 10,000-event incident (see bench/svg.c),
# three runs; target: the chart under 100 ms, against the Markdown
# timeline table of the same events measured in the same run.
#   make bench BUILD=build
#   sh bench/svg.sh [BUILD_DIR] [EVENTS]
ROOT=$(cd "$(dirname "$0")/.." && pwd)
st=0
for run in 1 2 3; do
  echo "== run $run"
  "$ROOT/${1:-build}/bench/svg" --events "${2:-10000}" --schemas "$ROOT/schemas" || st=1
done
exit $st
