#!/bin/sh
# gen_architecture.sh - rewrite the generated tables of docs/ARCHITECTURE.md
# from the opening comment of every source file, or check that they are
# current.
#   sh tools/gen_architecture.sh           rewrite the file (make architecture)
#   sh tools/gen_architecture.sh --check   exit 1 if it is out of date (make lint)
#
# Sources are the .c, .h, .sh, .py and .lua files git knows of (tracked, or
# new and not ignored), outside tests/data/.  Each row is the first sentence
# of the file's opening comment: `/* name.c - purpose. ...` on line 1 of a C
# file; the first `#` comment (after the #! line), `"""` docstring or `--`
# comment of a script, where a leading "name.sh - " is dropped.  The summary
# ends at the first sentence end, a blank comment line, an indented line
# (a list or a usage example) or the end of the comment.
#
# The document is hand-written except between the markers
#   <!-- generated: begin files DIR/ -->
#   <!-- generated: end -->
# which hold the table of the sources directly in DIR/.  Every folder with
# sources needs such a block, and every block a folder with sources: a
# missing comment, folder or block is an error naming it, and the file is
# left unchanged.
cd "$(dirname "$0")/.." || exit 2
doc=docs/ARCHITECTURE.md
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: sh tools/gen_architecture.sh [--check]" >&2; exit 2 ;;
esac
[ -f "$doc" ] || { echo "$doc: missing" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/iq-arch.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files --cached --others --exclude-standard
else
  find . -type d \( -name 'build*' -o -name .git \) -prune -o -type f -print | sed 's|^\./||'
fi | grep -E '\.(c|h|sh|py|lua)$' | grep -v '^tests/data/' | LC_ALL=C sort -u >"$tmp/all"
: >"$tmp/files"
while IFS= read -r f; do
  [ -f "$f" ] && printf '%s\n' "$f" >>"$tmp/files"
done <"$tmp/all"

# One line per file: PATH TAB SUMMARY, or PATH TAB with "!" and the error.
# shellcheck disable=SC2046
LC_ALL=C awk '
function flush() {
  if (cur == "") return
  if (err == "" && text == "") err = "empty opening comment"
  if (err != "") printf "%s\t!%s\n", cur, err
  else printf "%s\t%s\n", cur, sentence(text)
  cur = ""
}
function add(s) {
  sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s)
  if (s == "") return
  text = (text == "") ? s : text " " s
}
# The first sentence of a paragraph: up to ".", "!" or "?" followed by two
# spaces, or by one and a capital or a backquote (not after e.g./i.e./etc.).
function sentence(p,    rest, off, i, c, n, s, w) {
  rest = p; off = 0; s = p
  while (match(rest, /[.!?]( +[A-Z`]|  )/)) {
    i = off + RSTART
    w = substr(p, 1, i)
    if (w !~ /(e\.g|i\.e|etc|vs|cf)\.$/ && w !~ /(^| )[A-Za-z]\.$/) {
      s = w; break
    }
    off = i; rest = substr(p, i + 1)
  }
  s = clause(s)
  sub(/[ ]+$/, "", s)
  n = length(s); c = substr(s, n, 1)
  if (c == ":" || c == ";" || c == ",") s = substr(s, 1, n - 1) "."
  else if (c != "." && c != "!" && c != "?" && c != ")" && c != "`") s = s "."
  gsub(/\|/, "\\|", s)
  return s
}
# A sentence over 200 characters gives way to its first clause of 20 or
# more before ": " or "; " outside brackets and code.
function clause(s,    i, n, c, depth, code) {
  n = length(s)
  if (n <= 200) return s
  depth = 0; code = 0
  for (i = 1; i < n; i++) {
    c = substr(s, i, 1)
    if (c == "`") code = !code
    else if (code) continue
    else if (c == "(" || c == "[") depth++
    else if ((c == ")" || c == "]") && depth > 0) depth--
    else if ((c == ":" || c == ";") && depth == 0 && i > 20 && substr(s, i + 1, 1) == " ")
      return substr(s, 1, i - 1) "."
  }
  return s
}
# One line of the opening comment, with its comment marks still on.
function take(line,    p, end) {
  end = 0
  if (mode == "sh") { if (line !~ /^#/) { done = 1; return }; sub(/^# ?/, "", line) }
  else if (mode == "lua") { if (line !~ /^--/) { done = 1; return }; sub(/^-- ?/, "", line) }
  else if (mode == "c") {
    if ((p = index(line, "*/")) > 0) { line = substr(line, 1, p - 1); end = 1 }
    if (!first) sub(/^ *\*( |$)/, "", line)
  } else if ((p = index(line, "\"\"\"")) > 0) { line = substr(line, 1, p - 1); end = 1 }
  if (first && mode != "c") {
    p = index(line, " - ")
    if (p > 0 && substr(line, 1, p - 1) ~ /^[A-Za-z0-9_.\/-]+$/) line = substr(line, p + 3)
  }
  if (!first && (line ~ /^[ \t]*$/ || line ~ /^[ \t]/)) { done = 1; return }
  add(line)
  first = 0
  if (end) done = 1
}
FNR == 1 {
  flush()
  cur = FILENAME; err = ""; text = ""; done = 0; first = 1; mode = ""
  base = FILENAME; sub(/.*\//, "", base)
  kind = FILENAME; sub(/.*\./, "", kind)
  if (kind == "c" || kind == "h") {
    if (index($0, "/* " base " - ") != 1) {
      err = "must open with a purpose comment \"/* " base " - what it is for\""
      done = 1; next
    }
    mode = "c"; take(substr($0, length(base) + 7)); next
  }
  if ($0 ~ /^#!/) next
}
done { next }
mode == "" {
  if (kind == "py" && $0 ~ /^"""/) { mode = "py"; take(substr($0, 4)); next }
  if (kind == "lua" && $0 ~ /^--/) mode = "lua"
  else if ($0 ~ /^#/) mode = "sh"
  else { err = "no opening comment (\"# " base " - what it is for\")"; done = 1; next }
}
{ take($0) }
END { flush() }
' $(cat "$tmp/files") >"$tmp/rows" </dev/null || exit 2

# Rewrite the generated blocks; errors go to stderr and fail the run.
LC_ALL=C awk -F '\t' -v doc="$doc" '
FNR == NR {
  path = $1; dir = path
  if (!sub(/\/[^\/]*$/, "/", dir)) dir = "./"
  base = path; sub(/.*\//, "", base)
  if (substr($2, 1, 1) == "!") { print path ": " substr($2, 2) >"/dev/stderr"; bad = 1; next }
  if (!(dir in count)) { dirs[++ndirs] = dir; count[dir] = 0 }
  row[dir, ++count[dir]] = "| `" base "` | " $2 " |"
  next
}
inblock {
  if ($0 == "<!-- generated: end -->") { inblock = 0; print; next }
  if ($0 ~ /^<!-- generated: begin/) {
    print doc ":" FNR ": block of " blockdir " opened at line " blockline " is not closed" >"/dev/stderr"
    bad = 1; inblock = 0
  } else next
}
/^<!-- generated: / {
  print
  if ($0 !~ /^<!-- generated: begin files [^ ]+\/ -->$/) {
    print doc ":" FNR ": unknown marker (expected \"<!-- generated: begin files DIR/ -->\" or \"<!-- generated: end -->\")" >"/dev/stderr"
    bad = 1; next
  }
  blockdir = $0; sub(/^<!-- generated: begin files /, "", blockdir); sub(/ -->$/, "", blockdir)
  blockline = FNR; inblock = 1
  if (blockdir in seen) {
    print doc ":" FNR ": second block for " blockdir >"/dev/stderr"; bad = 1
  }
  seen[blockdir] = 1
  if (!(blockdir in count)) {
    print doc ":" FNR ": block for " blockdir ", which holds no sources: remove it" >"/dev/stderr"
    bad = 1; next
  }
  print "| file | purpose |"
  print "|---|---|"
  for (i = 1; i <= count[blockdir]; i++) print row[blockdir, i]
  next
}
{ print }
END {
  if (inblock) {
    print doc ":" blockline ": block of " blockdir " is not closed with \"<!-- generated: end -->\"" >"/dev/stderr"
    bad = 1
  }
  for (i = 1; i <= ndirs; i++) if (!(dirs[i] in seen)) {
    print doc ": no table for " dirs[i] " (" count[dirs[i]] " files): add a heading with \"<!-- generated: begin files " dirs[i] " -->\" and \"<!-- generated: end -->\" under it, then run make architecture" >"/dev/stderr"
    bad = 1
  }
  exit bad
}
' "$tmp/rows" "$doc" >"$tmp/doc" || {
  echo "$doc: not generated (fix the errors above)" >&2; exit 1; }

if cmp -s "$tmp/doc" "$doc"; then exit 0; fi
if [ "$check" = 1 ]; then
  diff -u "$doc" "$tmp/doc" | head -20 >&2
  echo "$doc is out of date: run make architecture" >&2
  exit 1
fi
cat "$tmp/doc" >"$tmp/new" && mv "$tmp/new" "$doc" || exit 2
echo "$doc: regenerated"
