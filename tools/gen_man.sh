#!/bin/sh
# gen_man.sh - the man pages, from the --help of the built binaries.
#
#   tools/gen_man.sh BUILD/inquest BUILD/inquestd OUTDIR
#
# writes OUTDIR/inquest.1, OUTDIR/inquest-COMMAND.1 for every command that
# `inquest --help` lists, and OUTDIR/inquestd.8.  The --help text is the
# one source (the command table, cli/cli_commands.c, printed by
# cli/cli_help.c in a fixed shape: "usage:" line, summary, description,
# then "options:" and "commands:" entries indented by two blanks with their
# help indented by six); this script only turns that shape into roff.
set -eu
inquest=$1 inquestd=$2 out=$3
version=$("$inquest" --version | cut -d" " -f2)
mkdir -p "$out"

# roff from one --help text on stdin: $1 page name, $2 section, $3 title.
to_roff() {
  awk -v name="$1" -v sec="$2" -v title="$3" -v version="$4" '
  function esc(s) { gsub(/\\/, "\\e", s); gsub(/^\./, "\\\\\\&.", s); gsub(/^'"'"'/, "\\\\\\&'"'"'", s); gsub(/-/, "\\-", s); return s }
  BEGIN { printf ".TH %s %s \"\" \"inquest %s\" \"%s\"\n", toupper(name), sec, version, title; part = "head" }
  NR == 1 { sub(/^usage: /, ""); synopsis = $0; next }
  part == "head" && /^$/ { if (summary != "") part = "desc"; next }
  part == "head" { summary = summary (summary == "" ? "" : " ") $0; next }
  /^(options|commands):$/ {
    if (!named) { named = 1; printf ".SH NAME\n%s \\- %s\n.SH SYNOPSIS\n%s\n", name, esc(summary), esc(synopsis) }
    printf ".SH %s\n", toupper(substr($0, 1, length($0) - 1)); part = "list"; next }
  part == "desc" {
    if (!named) { named = 1; printf ".SH NAME\n%s \\- %s\n.SH SYNOPSIS\n%s\n.SH DESCRIPTION\n", name, esc(summary), esc(synopsis) }
    if ($0 == "") print ".PP"; else print esc($0); next }
  part == "list" && /^  [^ ]/ { sub(/^  /, ""); printf ".TP\n.B %s\n", esc($0); next }
  part == "list" && /^      / { sub(/^ +/, ""); print esc($0); next }
  END {
    if (!named) printf ".SH NAME\n%s \\- %s\n.SH SYNOPSIS\n%s\n", name, esc(summary), esc(synopsis)
    print ".SH EXIT STATUS"
    print "0 ok, 1 findings or differences, 2 usage, 3 not found, 4 inquestd or the store unavailable (docs/cli.md)."
    print ".SH SEE ALSO"
    print "inquest(1), inquestd(8)"
  }'
}

"$inquest" --help | to_roff inquest 1 "inquest manual" "$version" >"$out/inquest.1.tmp"
mv "$out/inquest.1.tmp" "$out/inquest.1"
for cmd in $("$inquest" --help | awk '/^commands:$/ { on = 1; next } on && /^  [^ ]/ { print $1 }'); do
  "$inquest" "$cmd" --help | to_roff "inquest-$cmd" 1 "inquest manual" "$version" >"$out/inquest-$cmd.1.tmp"
  mv "$out/inquest-$cmd.1.tmp" "$out/inquest-$cmd.1"
done
# inquestd's --help is its config table: usage lines, then the keys.
"$inquestd" --help | awk -v version="$version" '
  function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); return s }
  BEGIN { printf ".TH INQUESTD 8 \"\" \"inquest %s\" \"inquest manual\"\n.SH NAME\ninquestd \\- the inquest daemon: ingest, correlate, draft\n.SH SYNOPSIS\n.nf\n", version }
  /^(usage: |       )/ && !body { sub(/^(usage: |       )/, ""); print esc($0); next }
  !body { body = 1; print ".fi\n.SH DESCRIPTION\n.nf" }
  { if ($0 ~ /^[.'"'"']/) printf "\\&"; print esc($0) }
  END { print ".fi\n.SH EXIT STATUS\n0 after a clean stop, 2 on a configuration or usage error, 1 when a stage failed.\n.SH SEE ALSO\ninquest(1)" }' \
  >"$out/inquestd.8.tmp"
mv "$out/inquestd.8.tmp" "$out/inquestd.8"
