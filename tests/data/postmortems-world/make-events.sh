#!/bin/sh
# make-events.sh - how events.ndjson was made: the sample incident of
# examples/incident-checkout.ndjson replayed on other days and services,
# one incident each (date service prefix).  Run from this directory:
#   sh make-events.sh >events.ndjson
ex=../../../examples/incident-checkout.ndjson
while read -r day svc p; do
  comp=$(echo "$svc" | sed 's/-api$//')
  sed -e "s/2026-10-21/$day/g" -e "s/\"demo-/\"$p-/g" -e "s/Q2K7XYZ/PD$p/g" \
      -e "s/sp-7h2k/sp-$p/g" -e "s/checkout-api/$svc/g" \
      -e "s/\"component\":\"Checkout\"/\"component\":\"$comp\"/g" "$ex"
done <<'LIST'
2026-05-12 checkout-api wa
2026-06-09 payments-api wb
2026-07-21 search-api wc
2026-08-18 checkout-api wd
2026-09-08 auth-api we
2026-09-29 checkout-api wf
2026-10-06 checkout-api wj
2026-10-13 payments-api wg
2026-11-03 checkout-api wi
2026-11-17 search-api wk
2026-12-01 inventory-api wl
2026-12-15 auth-api wm
2027-01-10 payments-api wn
LIST
