#!/bin/sh
# The project's source rules (tools/lint.sh): banned libc calls, comment
# style, purpose comments, file size.
. "$IQ_ROOT/tests/lib.sh"
sh "$IQ_ROOT/tools/lint.sh" || fail "tools/lint.sh found violations"
