# Thin wrapper over CMake: `make demo` and `make test` work from a clean
# clone on Debian 12 (dependencies are installed or named by scripts/deps.sh).

MAKEFLAGS  += --no-print-directory
BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_TSAN ?= build-tsan
TSAN_CC    ?= gcc
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_DIR   ?= $(BUILD)/demo
VOCX        = $(BUILD)/vocx

.PHONY: all deps build demo test test-unit test-sanitize test-tsan test-valgrind bench bench-smoke fuzz clean

all: build

deps:
	@sh scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# The main job on the bundled example data.
demo: build
	@sh scripts/demo.sh $(VOCX) $(DEMO_DIR)

# Every test: the normal build, then the whole suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
test: test-unit test-sanitize

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DVOCX_SANITIZE=ON \
	    -DVOCX_BUILD_BENCH=OFF >/dev/null
	cmake --build $(BUILD_SAN) -j $(JOBS)
	cd $(BUILD_SAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j $(JOBS) -E consumer_installed

# ThreadSanitizer on the code that runs in threads: one rule set shared by
# eight classifying threads (check_classify), vocx_store_classify's worker
# threads (check_hostile, and `vocx classify --threads` on the example
# data).  Not part of `make test`; about a minute.
test-tsan: deps
	CC=$(TSAN_CC) cmake -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DVOCX_TSAN=ON -DVOCX_BUILD_BENCH=OFF >/dev/null
	cmake --build $(BUILD_TSAN) -j $(JOBS) --target check_classify \
	    check_hostile vocx_cli
	cd $(BUILD_TSAN) && export TSAN_OPTIONS=halt_on_error=1:exitcode=66 && \
	    ./tests/check_classify && CK_RUN_CASE=big ./tests/check_hostile && \
	    rm -f tsan.db tsan.db-wal tsan.db-shm && \
	    ./vocx --db tsan.db --quiet ingest ../examples/data/comments.csv && \
	    ./vocx --db tsan.db --quiet classify --threads 4 \
	        --rules ../rules/default.rules && \
	    ./vocx --db tsan.db --quiet classify --all --threads 8 \
	        --rules ../rules/default.rules && \
	    rm -f tsan.db tsan.db-wal tsan.db-shm && echo "test-tsan: no data race"

# Valgrind memcheck on the CLI's main job (scripts/valgrind-demo.sh): any
# leak or memory error fails.  Not part of `make test`.
test-valgrind: build
	sh scripts/valgrind-demo.sh $(VOCX)

# libFuzzer targets (clang), each run for FUZZ_SECONDS (docs/reliability.md).
FUZZ_SECONDS ?= 60
fuzz:
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# The benchmark suite (bench/README.md): every figure for vocx and its
# baselines in one run, one table.  Not part of `make test`.  Knobs such as
# BENCH_COMMENTS=1000000 are read from the environment or the command line.
# As root, `bench` also installs the optional Hyperscan baseline.
bench: deps
	@sh bench/deps.sh
	@$(MAKE) build
	@BUILD=$(BUILD) sh bench/run.sh

# A tiny run (a few seconds) that checks every stage works and the table
# prints; fails only when a stage fails, never on a missed target.
bench-smoke: build
	@BUILD=$(BUILD) BENCH_SMOKE=1 sh bench/run.sh

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_TSAN) build-fuzz
