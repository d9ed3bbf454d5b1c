#!/bin/sh
# Build the libFuzzer targets with clang and run each for a bounded time.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 60); TARGETs among csv jsonl rules classify issues
# (default: all).  FUZZ_JOBS targets run at once (default: number of CPUs).
# The seed corpora in tests/fuzz/corpus are read, never written: inputs
# libFuzzer finds go to a scratch corpus in the build directory.  A crash
# leaves its input as build-fuzz/crash-<target>-*; the script then fails.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-csv jsonl rules classify issues}
build=${FUZZ_BUILD:-build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

sh scripts/deps.sh clang:clang
# libFuzzer's runtime ships with clang's runtime libraries.
if ! echo 'int LLVMFuzzerTestOneInput(const char*d,unsigned long n){return 0;}' |
     clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
    ver=$(clang -dumpversion | cut -d. -f1)
    sh scripts/deps.sh "_libfuzzer_missing_:libclang-rt-$ver-dev"
fi

CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DVOCX_FUZZ=ON -DVOCX_BUILD_TESTS=OFF -DVOCX_BUILD_EXAMPLES=OFF \
    -DVOCX_BUILD_BENCH=OFF >/dev/null
for t in $targets; do
    cmake --build "$build" -j "$jobs" --target "fuzz_$t" >/dev/null
done

dict() {
    case $1 in
        csv) echo tests/fuzz/csv.dict ;;
        jsonl|issues) echo tests/fuzz/json.dict ;;
        *) echo tests/fuzz/rules.dict ;;
    esac
}

run_one() {
    t=$1
    work="$build/corpus-$t"
    mkdir -p "$work"
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=1048576 -len_control=200 -dict="$(dict "$t")" \
        -artifact_prefix="$build/crash-$t-" -print_final_stats=1 \
        "$work" "tests/fuzz/corpus/$t" >"$build/fuzz-$t.log" 2>&1
}

status=0
running=0
pids=""
for t in $targets; do
    run_one "$t" &
    pids="$pids $!:$t"
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        for p in $pids; do
            wait "${p%%:*}" || { echo "fuzz_${p#*:}: FAILED, see $build/fuzz-${p#*:}.log" >&2; status=1; }
        done
        pids=""
        running=0
    fi
done
for p in $pids; do
    wait "${p%%:*}" || { echo "fuzz_${p#*:}: FAILED, see $build/fuzz-${p#*:}.log" >&2; status=1; }
done

for t in $targets; do
    log="$build/fuzz-$t.log"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    printf 'fuzz_%-9s %6ss  %10s execs  cov %-6s ft %s\n' "$t" "$secs" \
        "${runs:-?}" "${cov:-?}" "${ft:-?}"
    if grep -q 'ERROR: \|==ERROR\|runtime error\|check failed' "$log"; then
        grep -m5 'ERROR: \|runtime error\|check failed' "$log" >&2
        status=1
    fi
done
exit $status
