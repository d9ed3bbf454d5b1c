#!/bin/sh
# The vocx benchmark suite: every figure for vocx and for its baselines in
# one run, printed as one table (bench/README.md explains each row).
#
#   make bench                      # 1,000,000 comments (a few minutes)
#   make bench BENCH_COMMENTS=200000
#   make bench-smoke                # a tiny corpus: checks every stage runs
#
# Knobs (environment):
#   BUILD                 build directory (build)
#   BENCH_COMMENTS        comments in the corpus (1000000; smoke 2000)
#   BENCH_RULES           generated rule-set sizes to classify with ("50 500 5000";
#                         smoke "50 500")
#   BENCH_THREADS         threads for the multi-thread stages (2)
#   BENCH_BUDGET          seconds each slow baseline may run (3; smoke 0.2)
#   BENCH_REPS            vocx passes, best kept (3; smoke 1)
#   BENCH_E2E_REPS        end-to-end job and floor, and stored classification
#                         with 1 and N threads: each pair alternated, the
#                         fastest of each kept (2; smoke 1)
#   BENCH_CLV_CUSTOMERS   customers simulated for the CLV model fit (100000)
#   BENCH_SEED            corpus seed (gen_corpus's default)
#   BENCH_DIR             where data, databases and logs go ($BUILD/bench-run)
#   BENCH_PYTHON          Python for the `re` baseline (python3)
#   BENCH_SMOKE           1: the smoke run
#
# Exit status: 0 when every stage ran (missed targets do not fail the run:
# machines are noisy), 1 when a stage failed, 2 on a usage problem.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
B=$BUILD/bench
VOCX=$BUILD/vocx
SMOKE=${BENCH_SMOKE:-0}
RULES=
if [ "$SMOKE" = 1 ]; then
    N=${BENCH_COMMENTS:-2000}
    BUDGET=${BENCH_BUDGET:-0.2}
    REPS=${BENCH_REPS:-1}
    CLV_N=${BENCH_CLV_CUSTOMERS:-2000}
    RULES=${BENCH_RULES:-50 500} # Hyperscan takes ~20 s to compile 5,000
else
    N=${BENCH_COMMENTS:-1000000}
    BUDGET=${BENCH_BUDGET:-3}
    REPS=${BENCH_REPS:-3}
    CLV_N=${BENCH_CLV_CUSTOMERS:-100000}
fi
RULES=${RULES:-${BENCH_RULES:-50 500 5000}}
E2E_REPS=${BENCH_E2E_REPS:-$([ "$SMOKE" = 1 ] && echo 1 || echo 2)}
T=${BENCH_THREADS:-2}
PY=${BENCH_PYTHON:-python3}
DIR=${BENCH_DIR:-$BUILD/bench-run}
DEFAULT_RULES=$ROOT/rules/default.rules
SEED=${BENCH_SEED:-}

for p in gen_corpus bench_text bench_classify bench_e2e bench_exec bench_clv; do
    if [ ! -x "$B/$p" ]; then
        echo "bench: $B/$p is missing: build first (make build)" >&2
        exit 2
    fi
done
[ -x "$VOCX" ] || { echo "bench: $VOCX is missing: build first" >&2; exit 2; }

mkdir -p "$DIR" || exit 2
DATA=$DIR/data
C=$DATA/comments.csv
RESULTS=$DIR/results.txt
LOG=$DIR/log.txt
TABLE=$DIR/table.txt
: >"$RESULTS"
: >"$LOG"
FAILED=0
START=$(date +%s)

# run NAME CMD...: one stage.  Its @result lines go to results.txt, the rest
# of its output to log.txt; exit status 3 means "not available here"
# (Hyperscan not built) and is recorded as skipped, not failed.
run() {
    name=$1
    shift
    printf 'bench: %-46s' "$name" >&2
    t0=$(date +%s)
    echo "=== $name: $*" >>"$LOG"
    "$@" >"$DIR/out.txt" 2>>"$LOG"
    rc=$?
    grep '^@result ' "$DIR/out.txt" >>"$RESULTS"
    grep -v '^@result ' "$DIR/out.txt" >>"$LOG"
    t1=$(date +%s)
    if [ "$rc" -eq 0 ]; then
        echo "ok ($((t1 - t0)) s)" >&2
    elif [ "$rc" -eq 3 ]; then
        echo "skipped (see $LOG)" >&2
        echo "@skip name=$(echo "$name" | tr ' ' '_')" >>"$RESULTS"
    else
        echo "FAILED (exit $rc, see $LOG)" >&2
        echo "@fail name=$(echo "$name" | tr ' ' '_') exit=$rc" >>"$RESULTS"
        FAILED=$((FAILED + 1))
    fi
    return 0
}

# field STAGE LABEL KEY: a value from the results so far
field() {
    awk -v s="stage=$1" -v l="label=$2" -v k="$3=" '
        $1 == "@result" && $2 == s && $3 == l {
            for (i = 4; i <= NF; i++)
                if (index($i, k) == 1) v = substr($i, length(k) + 1)
        }
        END { print v }' "$RESULTS"
}

echo "bench: $N comments into $DIR (smoke=$SMOKE)" >&2

# ---- data ------------------------------------------------------------------
rm -rf "$DATA"
mkdir -p "$DATA"
run "generate $N comments" "$B/gen_corpus" --comments "$N" --out "$DATA" \
    ${SEED:+--seed "$SEED"}
for n in 50 500 5000; do
    run "generate $n rules" "$B/gen_corpus" --rules "$n" \
        --out "$DATA/rules_$n.rules"
done
printf 'issue none\n  block improvement\n  match zzqqzzqq\n' >"$DATA/none.rules"
if [ ! -s "$C" ]; then
    echo "bench: no corpus was generated" >&2
    exit 1
fi
TEXT_BYTES=$(field gen-corpus "$N" bytes)
FILE_BYTES=$(field gen-corpus "$N" file_bytes)

# ---- floors ----------------------------------------------------------------
for s in floor-memchr floor-lower floor-utf8proc floor-utf8proc-fast; do
    run "$s" "$B/bench_text" --corpus "$C" --stage "$s" --reps "$REPS" \
        --label all
done
run "vocx text analysis (no rule fires)" "$B/bench_classify" --corpus "$C" \
    --engine vocx --rules "$DATA/none.rules" --reps "$REPS" --label text

# ---- classification in memory -----------------------------------------------
for n in $RULES; do
    R=$DATA/rules_$n
    [ -f "$R.rules" ] || "$B/gen_corpus" --rules "$n" --out "$R.rules" >/dev/null
    # larger rule sets alternate with the 50 rules: their ratio is a target
    VS=
    [ "$n" != 50 ] && [ -f "$DATA/rules_50.rules" ] && VS=$DATA/rules_50.rules
    run "vocx, $n rules" "$B/bench_classify" --corpus "$C" --engine vocx \
        --rules "$R.rules" --reps "$REPS" --label "$n" ${VS:+--vs "$VS"}
    for e in pcre-loop pcre-alt hyperscan; do
        run "$e, $n rules" "$B/bench_classify" --corpus "$C" --engine "$e" \
            --regex "$R.re" --budget "$BUDGET" --label "$n"
    done
    if command -v "$PY" >/dev/null 2>&1; then
        for m in loop alt; do
            run "python-$m, $n rules" "$B/bench_exec" --stage "python-$m" \
                --label "$n" -- "$PY" "$ROOT/bench/baseline_re.py" \
                --corpus "$C" --regex "$R.re" --mode "$m" --budget "$BUDGET" \
                --label "$n"
        done
    else
        echo "bench: $PY not found: Python baselines left out" >&2
    fi
done
run "vocx, default rules" "$B/bench_classify" --corpus "$C" --engine vocx \
    --rules "$DEFAULT_RULES" --reps "$REPS" --label default
run "vocx, 500 rules, $T threads" "$B/bench_classify" --corpus "$C" \
    --engine vocx --rules "$DATA/rules_500.rules" --reps "$REPS" \
    --threads "$T" --label "500-t$T"
run "vocx, default rules, $T threads" "$B/bench_classify" --corpus "$C" \
    --engine vocx --rules "$DEFAULT_RULES" --reps "$REPS" --threads "$T" \
    --label "default-t$T"
run "compile 5000 rules" "$B/bench_classify" --engine compile \
    --rules "$DATA/rules_5000.rules" --label 5000
run "compile default rules" "$B/bench_classify" --engine compile \
    --rules "$DEFAULT_RULES" --label default

# ---- a stored corpus through the CLI ---------------------------------------
rm -f "$DIR"/store*.db*
run "vocx ingest (CLI)" "$B/bench_exec" --stage cli-ingest --label all \
    --bytes "$FILE_BYTES" --comments "$N" -- \
    "$VOCX" --db "$DIR/store.db" --quiet ingest "$C"
# one thread and T threads alternate E2E_REPS times, each on a fresh copy;
# the table keeps the fastest of each, so their ratio is side by side
for r in $(seq "$E2E_REPS"); do
    for t in 1 "$T"; do
        rm -f "$DIR"/store-t"$t".db*
        cp "$DIR/store.db" "$DIR/store-t$t.db" 2>>"$LOG"
        [ -f "$DIR/store.db-wal" ] &&
            cp "$DIR/store.db-wal" "$DIR/store-t$t.db-wal"
        run "vocx classify --threads $t (CLI) $r/$E2E_REPS" "$B/bench_exec" \
            --stage cli-classify --label "t$t" --bytes "$TEXT_BYTES" \
            --comments "$N" -- "$VOCX" --db "$DIR/store-t$t.db" --quiet \
            classify --rules "$DEFAULT_RULES" --threads "$t"
    done
done
rm -f "$DIR"/store*.db*

# ---- end to end -------------------------------------------------------------
run "end to end (one process)" "$B/bench_e2e" --data "$DATA" \
    --rules "$DEFAULT_RULES" --db "$DIR/e2e.db"
# The job with threads and its floor alternate E2E_REPS times; the table
# keeps the fastest of each, as this host's speed drifts by tens of
# percent from minute to minute (docs/performance.md).
for r in $(seq "$E2E_REPS"); do
    rm -f "$DIR"/e2e.db* "$DIR"/floor.db*
    run "end to end (one process, $T threads) $r/$E2E_REPS" "$B/bench_e2e" \
        --data "$DATA" --rules "$DEFAULT_RULES" --db "$DIR/e2e.db" \
        --threads "$T"
    run "floor: SQLite insert + memchr $r/$E2E_REPS" "$B/bench_e2e" --floor \
        --data "$DATA" --db "$DIR/floor.db"
done
rm -f "$DIR"/e2e.db* "$DIR"/floor.db*
run "CLV model fit, $CLV_N customers" "$B/bench_clv" "$CLV_N"

END=$(date +%s)
rm -f "$DIR/out.txt"

# ---- the table ---------------------------------------------------------------
{
    echo "vocx benchmark suite, $(date -u +%Y-%m-%dT%H:%M:%SZ), $((END - START)) s"
    printf 'machine: %s CPUs, %s; load average at the end: %s\n' \
        "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')" \
        "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)" \
        "$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null)"
    awk -v T="$T" -v RULES="$RULES" -v SMOKE="$SMOKE" -f "$ROOT/bench/table.awk" "$RESULTS"
} >"$TABLE"
TABLE_RC=$?
cat "$TABLE"
if [ "$TABLE_RC" -ne 0 ]; then
    echo "bench: the table could not be made" >&2
    exit 1
fi
if [ "$FAILED" -ne 0 ]; then
    echo "bench: $FAILED stage(s) FAILED; see $LOG" >&2
    exit 1
fi
echo "bench: results in $RESULTS, table in $TABLE, log in $LOG" >&2
exit 0
