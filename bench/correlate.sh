#!/bin/sh
# correlate.sh - the correlator's rebuild throughput and incremental cost
# on a real store (see bench/correlate.c).  Run from anywhere:
#   make bench BUILD=build
#   sh bench/correlate.sh [BUILD_DIR] [EVENTS]     (default 1000000)
# Needs about 1 GB free under ${TMPDIR:-/tmp} for a million events.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exec "$ROOT/${1:-build}/bench/correlate" --events "${2:-1000000}"
