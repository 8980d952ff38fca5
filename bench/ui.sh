#!/bin/sh
# ui.sh - the web UI's pages rendered on the server (see bench/ui.c): the
# incident page of a 10,000-event incident and the analytics page over
# 10,000 incidents, 3 runs each after a warm-up, median and range, against
# the JSON API's answers for the same data measured in the same run;
# target: both pages under 100 ms.
#   make bench BUILD=build
#   sh bench/ui.sh [BUILD_DIR] [EVENTS] [INCIDENTS]
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exec "$ROOT/${1:-build}/bench/ui" --events "${2:-10000}" --incidents "${3:-10000}" --runs 3 \
  --schemas "$ROOT/schemas"
