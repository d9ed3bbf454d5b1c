#!/bin/sh
# The main job on the bundled example data: customer voice -> customer
# intelligence -> CLV -> classification -> ranking by CLV at risk.
# Usage: scripts/demo.sh VOCX_BINARY DEMO_DIR
set -eu
vocx=$1
dir=$2
data=examples/data
mkdir -p "$dir"
db="$dir/vocx.db"
rm -f "$db" "$db-wal" "$db-shm"
run() { "$vocx" --db "$db" "$@"; }

echo "== 1. customer voice: ingest comments"
run ingest "$data/comments.csv"
run stats | head -4
echo
echo "== 2. customer intelligence: CRM customers and transactions"
run ops import customers "$data/customers.csv"
run ops import transactions "$data/transactions.csv"
echo
echo "== 3. customer lifetime value (BG/NBD + Gamma-Gamma, 12 months)"
run clv fit
echo
echo "== 4. classify by building block and issue"
run rules check rules/default.rules | head -1
run classify --rules rules/default.rules
echo
echo "== 5. issues ranked by attributed CLV at risk"
run rank --top 15
echo
echo "== 6. opportunities (innovation), by the value of the customers asking"
run rank --kind opportunity --top 5
echo
top=$(run rank --format csv | awk -F, 'NR==2 {print $3}')
echo "== 7. why is '$top' first? (the customers and comments behind it)"
run rank --explain "$top" | head -24
echo
echo "== 8. reports: for executives, for a team, and the customers to contact"
# Amounts in the example data are the CDNOW sample's dollars.
run report --digest "Customer Service" --currency '$' \
    --output "$dir/digest-customer-service.md"
run export at-risk --format csv --output "$dir/at-risk.csv"
run report --html "$dir/report.html" --currency '$' \
    --title "Customer value at risk: example shop"
echo
echo "database: $db"
echo "report:   $dir/report.html (one self-contained file: open it in a browser)"
