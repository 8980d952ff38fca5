#!/bin/sh
# make lint: project rules the compiler does not check.
#  - no unbounded or locale-dependent libc calls (curl's checksrc banned list)
#  - no // comments in C, no TODO/FIXME markers
#  - every .c and .h opens with a purpose comment, "/* name.c - ..."
#  - files stay under 800 lines
#  - docs/ARCHITECTURE.md's file tables match the files' opening comments
#    (tools/gen_architecture.sh --check; make architecture rewrites them)
cd "$(dirname "$0")/.." || exit 2
st=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]')
for f in $files; do
  if grep -nE '\b(atoi|atol|atoll|sprintf|vsprintf|strcpy|strcat|sscanf|strtok|gets)\(' "$f"; then
    echo "$f: banned function (use snprintf, strtol with checks, bounded copies)"; st=1
  fi
  if grep -nE '^\s*//|[;{}]\s*//' "$f" | grep -v 'http' ; then
    echo "$f: use /* */ comments"; st=1
  fi
  if grep -nE '\b(TODO|FIXME|XXX)\b' "$f"; then echo "$f: unfinished marker"; st=1; fi
  case "$(head -1 "$f")" in
    "/* ${f##*/} - "?*) ;;
    *) echo "$f: must open with a purpose comment \"/* ${f##*/} - what it is for\""; st=1 ;;
  esac
  n=$(wc -l <"$f"); [ "$n" -gt 800 ] && { echo "$f: $n lines (split it, STYLE B10)"; st=1; }
done
sh tools/gen_architecture.sh --check || st=1
exit $st
