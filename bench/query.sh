#!/bin/sh
# query.sh - cross-incident queries over 10,000 stored incidents (see
# bench/query.c); target: a grouped query under 100 ms.  Run from anywhere:
#   make bench BUILD=build
#   sh bench/query.sh [BUILD_DIR] [INCIDENTS]
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exec "$ROOT/${1:-build}/bench/query" --incidents "${2:-10000}"
