#!/bin/sh
# draft_scenarios.sh - drafts of the correlator's scenario incidents,
# through the whole pipeline.
#
# For each scenario of tests/data/scenarios/: a real inquestd stores the
# recorded webhook deliveries (re-ingested with `inquest replay`), the daemon stops, `inquest
# correlate --rebuild` derives the incidents into the same RocksDB data
# directory, and `inquest draft ID` renders every incident with each
# shipped template.  Outputs are compared with
# tests/data/render/golden/scenarios/ (IQ_UPDATE_GOLDEN=1 regenerates them
# after an intended change in the renderer or the correlator).
. "$IQ_ROOT/tests/lib.sh"
export SOURCE_DATE_EPOCH=1792589400   # the front matter's generated_at
S="$IQ_ROOT/tests/data/scenarios"
G="$IQ_ROOT/tests/data/render/golden/scenarios"
mkdir -p "$G"
drafts=0
for f in "$S"/s*.ndjson; do
  scen=$(basename "$f" .ndjson)
  data="$IQ_TMP/$scen"
  iq_start_daemon "$data" 0 --listen-http off
  port=$IQ_ZMQ_PORT
  "$IQ" --quiet --zmq "tcp://127.0.0.1:$port" --config "$S/config.json" replay --sources "$IQ_ROOT/schemas/sources" "$f" >"$IQ_TMP/$scen.replay" 2>&1 || { cat "$IQ_TMP/$scen.replay" >&2; fail "$scen: replay"; }
  iq_stop_daemon
  "$IQ" --data "$data" --config "$S/config.json" correlate --rebuild >/dev/null || fail "$scen: correlate --rebuild"
  "$IQ" --data "$data" incidents --json >"$IQ_TMP/$scen.json" || fail "$scen: incidents"
  ids=$(grep -o '"id": *"inc-[0-9]*-[0-9a-f]*"' "$IQ_TMP/$scen.json" | sed 's/.*"\(inc-[^"]*\)"/\1/' | sort -u)
  [ -n "$ids" ] || continue
  for id in $ids; do
    for t in default pagerduty ja; do
      out="$IQ_TMP/$scen-$id-$t.md"
      "$IQ" --data "$data" draft "$id" --template "$t" >"$out" 2>"$out.err" \
        || { cat "$out.err" >&2; fail "$scen: draft $id --template $t"; }
      grep -q "$id" "$out" || fail "$scen: draft of $id does not name it"
      if [ -n "${IQ_UPDATE_GOLDEN:-}" ]; then cp "$out" "$G/$scen-$t.$id.md"; fi
      diff -u "$G/$scen-$t.$id.md" "$out" >&2 || fail "$scen: draft of $id ($t) differs from its golden file (after an intended change of the correlator or the templates: IQ_UPDATE_GOLDEN=1 sh tests/run.sh BUILD draft_scenarios)"
      drafts=$((drafts + 1))
    done
  done
done
st=0; "$IQ" --data "$IQ_TMP/$scen" draft inc-20000101-00000000 >/dev/null 2>"$IQ_TMP/err" || st=$?
[ "$st" -eq 3 ] && grep -q "no incident 'inc-20000101-00000000'" "$IQ_TMP/err" || fail "unknown incident"
[ "$drafts" -gt 0 ] || fail "no incident drafted"
echo "draft scenarios: $drafts drafts match their golden files"
