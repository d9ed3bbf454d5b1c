#!/bin/sh
# The CLI's main job (scripts/demo.sh: ingest, ops import, clv fit,
# classify, rank, report, export) on the bundled example data, every
# command under valgrind's memcheck.  Exits non-zero on the first memory
# error or leak (definite, indirect or possible; memory still reachable at
# exit is not a leak).
# Usage: scripts/valgrind-demo.sh [VOCX_BINARY] [WORK_DIR]
set -eu
vocx=${1:-build/vocx}
dir=${2:-}
if [ -x "$vocx" ]; then
    vocx=$(cd "$(dirname "$vocx")" && pwd)/$(basename "$vocx")
fi
if [ -n "$dir" ]; then
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
fi
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind-demo: valgrind is not installed (apt-get install valgrind)" >&2
    exit 1
fi
if [ ! -x "$vocx" ]; then
    echo "valgrind-demo: no vocx binary at $vocx (make build)" >&2
    exit 1
fi
if [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/vocx-valgrind-XXXXXX")
    trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"
data=examples/data
rules=rules/default.rules
db="$dir/vocx.db"
rm -f "$db" "$db-wal" "$db-shm"
log="$dir/valgrind.log"
start=$(date +%s)
n=0

# Run one vocx command under memcheck; its output goes to the work dir.
run() {
    n=$((n + 1))
    if ! valgrind --quiet --error-exitcode=99 --leak-check=full \
            --show-leak-kinds=definite,indirect,possible \
            --errors-for-leak-kinds=definite,indirect,possible \
            --num-callers=30 --log-file="$log" \
            "$vocx" --db "$db" --quiet "$@" >"$dir/out.$n" 2>"$dir/err.$n"; then
        status=$?
        echo "valgrind-demo: FAILED (exit $status): vocx $*" >&2
        cat "$dir/err.$n" >&2
        cat "$log" >&2
        exit 1
    fi
    if [ -s "$log" ]; then
        echo "valgrind-demo: FAILED (valgrind report): vocx $*" >&2
        cat "$log" >&2
        exit 1
    fi
    echo "ok  vocx $*"
}

run ingest "$data/comments.csv"
run ingest "$data/comments.csv"          # again: every row unchanged
run stats
run comments --limit 5
run ops import customers "$data/customers.csv"
run ops import transactions "$data/transactions.csv"
run clv fit
run rules check "$rules"
run rules explain "$rules" "I was charged twice and nobody called me back"
run classify --rules "$rules"
run classify --rules "$rules" --all --threads 4
run rank --top 15
run rank --kind opportunity --top 5
run rank --format csv
top=$(awk -F, 'NR==2 {print $3}' "$dir/out.$n")
run rank --explain "$top"
run report --digest "Customer Service" --currency '$' \
    --output "$dir/digest.md"
run export at-risk --format csv --output "$dir/at-risk.csv"
run export at-risk --format json --output "$dir/at-risk.json"
run report --html "$dir/report.html" --currency '$' \
    --title "Customer value at risk: example shop"

echo "valgrind-demo: $n commands, no memory error and no leak" \
     "($(($(date +%s) - start)) s)"
