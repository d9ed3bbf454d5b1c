#!/bin/sh
# The main job on the bundled example data: ingest the comments and show
# what was stored.  Usage: scripts/demo.sh VOCX_BINARY DEMO_DIR
set -eu
vocx=$1
dir=$2
data=examples/data
mkdir -p "$dir"
db="$dir/vocx.db"
rm -f "$db" "$db-wal" "$db-shm"

echo "== ingest: customer voice -> $db"
"$vocx" --db "$db" ingest "$data/comments.csv"
echo
echo "== what was stored"
"$vocx" --db "$db" stats
echo
echo "== the first comments"
"$vocx" --db "$db" comments --limit 8
echo
echo "database: $db"
