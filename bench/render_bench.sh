#!/bin/sh
# render_bench.sh - time drafts of a 10,000-event incident (every template
# and format, pseudonyms and external redaction on).  Run from anywhere:
#   sh bench/render_bench.sh [BUILD_DIR] [N]
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" && exec "$ROOT/${1:-build}/bench/render_bench" "${2:-10000}" "$ROOT/schemas"
