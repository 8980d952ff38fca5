#!/bin/sh
# The project's source rules (tools/lint.sh): banned libc calls, comment
# style, purpose comments, file size, and docs/ARCHITECTURE.md's file tables
# matching the files' opening comments.
. "$IQ_ROOT/tests/lib.sh"
sh "$IQ_ROOT/tools/lint.sh" || fail "tools/lint.sh found violations"
