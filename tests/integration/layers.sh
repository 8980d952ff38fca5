#!/bin/sh
# layers.sh - `make check-layers` as part of `make test`: the real tree
# keeps the layer rules, and the checker does catch each kind of fault.
#
# 1. tools/check_layers.py on the real tree and $IQ_BUILD's objects: no
#    file cycle, no symbol or include going up the layer order, no include
#    of another folder's *_int.h.
# 2. The same checker on a scratch tree under a mktemp directory (common/,
#    store/, http/, ingest/ with its in_tail/ plugin, cli/, tests/), with
#    one planted fault at a time - a two-file cycle and a three-file cycle
#    in the symbol graph, a call up the layers (common into cli, http into
#    ingest), an include of a header of a layer above (ingest's of cli's,
#    store's of http's), an include of another folder's internal header,
#    an include of a plugin's internal header from outside it - must exit
#    1 and name the files.  Without this a checker that never fails would
#    pass step 1.  A plugin's internal header included by the plugin
#    itself and by tests/ is allowed.  An object whose source is gone (a
#    stale build after a file moved) must not count.
#   env: IQ_BUILD (absolute build dir), IQ_ROOT (repository root)
set -u
: "${IQ_BUILD:?set IQ_BUILD to the absolute build directory}"
: "${IQ_ROOT:?set IQ_ROOT to the repository root}"
CHECK="$IQ_ROOT/tools/check_layers.py"
CC=${CC:-cc}
fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iq-layers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

# 1. The real tree.
if python3 "$CHECK" "$IQ_BUILD" >"$tmp/real.out" 2>&1; then
  ok "the tree keeps the layer rules: $(tail -n 1 "$tmp/real.out")"
else
  sed 's/^/    /' "$tmp/real.out"
  fail "the tree breaks the layer rules (above)"
fi
grep -q ' 0 cycles, 0 other problems$' "$tmp/real.out" ||
  fail "no '0 cycles, 0 other problems' summary"
n=$(sed -n 's/^check-layers: \([0-9]*\) files.*/\1/p' "$tmp/real.out")
[ "${n:-0}" -ge 50 ] || fail "only ${n:-0} object files checked: is $IQ_BUILD built?"

# 2. A scratch tree: common/a.c, store/s.c, http/h.c, ingest/b.c, c.c,
# ingest/in_tail/t.c (interface tail_run.h, internal tail.h), cli/d.c and
# tests/u.c, compiled to objects under build/.  Each case rewrites some.
src() { # FILE BODY...
  mkdir -p "$(dirname "$tmp/t/$1")"
  f=$1; shift
  printf '/* %s - scratch file of tests/integration/layers.sh. */\n' "$f" >"$tmp/t/$f"
  for line in "$@"; do printf '%s\n' "$line" >>"$tmp/t/$f"; done
}
build() {
  for c in $(cd "$tmp/t" && find . -name '*.c' | sed 's|^\./||'); do
    mkdir -p "$tmp/t/build/$(dirname "$c")"
    "$CC" -c -I"$tmp/t/common" -I"$tmp/t/store" -I"$tmp/t/http" -I"$tmp/t/ingest" \
      -I"$tmp/t/ingest/in_tail" -I"$tmp/t/cli" \
      -o "$tmp/t/build/${c%.c}.o" "$tmp/t/$c" || return 1
  done
}
fresh() {
  rm -rf "$tmp/t"
  src common/a.h 'int a(void);'
  src common/a.c '#include "a.h"' 'int a(void) { return 1; }'
  src ingest/b.h 'int b(void);'
  src ingest/b.c '#include "a.h"' '#include "b.h"' 'int b(void) { return a(); }'
  src ingest/c_int.h 'int c_hidden(void);'
  src ingest/c.c '#include "b.h"' '#include "c_int.h"' \
    'int c_hidden(void) { return 2; }' 'int c(void) { return b(); }'
  src store/s.h 'int s(void);'
  src store/s.c '#include "a.h"' '#include "s.h"' 'int s(void) { return a(); }'
  src http/h.h 'int h(void);'
  src http/h.c '#include "s.h"' '#include "h.h"' 'int h(void) { return s(); }'
  src ingest/in_tail/tail.h 'int t_hidden(void);'
  src ingest/in_tail/tail_run.h 'int t(void);'
  src ingest/in_tail/t.c '#include "h.h"' '#include "tail.h"' '#include "tail_run.h"' \
    'int t_hidden(void) { return 3; }' 'int t(void) { return h() + t_hidden(); }'
  src cli/d.h 'int d(void);'
  src cli/d.c '#include "b.h"' '#include "d.h"' '#include "tail_run.h"' \
    'int d(void) { return b() + t(); }'
  src tests/u.c '#include "tail.h"' 'int u(void) { return t_hidden(); }'
}
# expect CASE PATTERN...: the checker fails on the scratch tree and its
# output has every pattern (fixed strings).
expect() {
  name=$1; shift
  if ! build; then fail "$name: scratch tree does not compile"; return; fi
  st=0; python3 "$CHECK" --root "$tmp/t" build >"$tmp/out" 2>&1 || st=$?
  if [ "$st" -ne 1 ]; then
    sed 's/^/    /' "$tmp/out"; fail "$name: exit $st, want 1"; return
  fi
  for pat in "$@"; do
    grep -qF -- "$pat" "$tmp/out" || { sed 's/^/    /' "$tmp/out"; fail "$name: no '$pat'"; return; }
  done
  ok "$name: caught ($(grep -c . "$tmp/out") lines)"
}

fresh
if build && python3 "$CHECK" --root "$tmp/t" build >"$tmp/out" 2>&1; then
  ok "clean scratch tree passes"
else
  sed 's/^/    /' "$tmp/out"; fail "clean scratch tree rejected"
fi

fresh   # b -> c -> b
src ingest/b.c '#include "a.h"' 'int c(void);' 'int b(void) { return a() + c(); }'
expect "two-file cycle" "cycle among 2 files: ingest/b.c ingest/c.c" \
  "ingest/b.c -(c)-> ingest/c.c -(b)-> ingest/b.c"

fresh   # b -> c -> e -> b
src ingest/b.c '#include "a.h"' 'int e(void);' 'int b(void) { return a() + e(); }'
src ingest/e.c 'int c(void);' 'int e(void) { return c(); }'
expect "three-file cycle" "cycle among 3 files: ingest/b.c ingest/c.c ingest/e.c" \
  "ingest/b.c -(e)-> ingest/e.c -(c)-> ingest/c.c -(b)-> ingest/b.c"

fresh   # common calls up into cli
src common/a.c '#include "a.h"' 'int d(void);' 'int a(void) { return 1; }' \
  'int a2(void) { return d(); }'
expect "call up the layers" "common/a.c uses d from cli/d.c: cli is above common"

fresh   # ingest includes a cli header
src ingest/b.c '#include "a.h"' '#include "b.h"' '#include "d.h"' \
  'int b(void) { return a(); }'
expect "include up the layers" "ingest/b.c:4: includes cli/d.h: cli is above ingest"

fresh   # http calls up into ingest
src http/h.c '#include "s.h"' '#include "h.h"' 'int b(void);' 'int h(void) { return s(); }' \
  'int h2(void) { return b(); }'
expect "call up into a stage" "http/h.c uses b from ingest/b.c: ingest is above http"

fresh   # store includes an http header
src store/s.c '#include "a.h"' '#include "s.h"' '#include "h.h"' 'int s(void) { return a(); }'
expect "store includes http" "store/s.c:4: includes http/h.h: http is above store"

fresh   # cli includes the tail plugin's internal header
src cli/d.c '#include "b.h"' '#include "d.h"' '#include "tail.h"' \
  'int d(void) { return b() + t_hidden(); }'
expect "plugin internal header" \
  "cli/d.c:4: includes ingest/in_tail/tail.h: internal to the plugin ingest/in_tail/"

fresh   # cli includes ingest's internal header
src cli/d.c '#include "b.h"' '#include "d.h"' '#include "c_int.h"' \
  'int d(void) { return b() + c_hidden(); }'
expect "internal header" "cli/d.c:4: includes ingest/c_int.h: internal header of another folder"

fresh   # a stale object (its source deleted or moved) is not the tree
src ingest/e.c 'int d(void);' 'int e(void) { return d(); }'
build || fail "stale object: scratch tree does not compile"
rm "$tmp/t/ingest/e.c"
if [ -f "$tmp/t/build/ingest/e.o" ] && python3 "$CHECK" --root "$tmp/t" build >"$tmp/out" 2>&1; then
  ok "stale object of a deleted file ignored"
else
  sed 's/^/    /' "$tmp/out"; fail "stale object of a deleted file counted"
fi

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all layer checks passed"
