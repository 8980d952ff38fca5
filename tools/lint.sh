#!/bin/sh
# make lint: project rules the compiler does not check.
#  - no unbounded or locale-dependent libc calls (curl's checksrc banned list)
#  - no // comments in C, no TODO/FIXME markers
#  - every .c opens with a purpose comment
#  - files stay under 800 lines
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
  case "$f" in *.c) head -1 "$f" | grep -q '^/\*' || { echo "$f: must open with a purpose comment"; st=1; } ;; esac
  n=$(wc -l <"$f"); [ "$n" -gt 800 ] && { echo "$f: $n lines (split it, STYLE B10)"; st=1; }
done
exit $st
