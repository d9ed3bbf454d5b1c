# Thin wrapper over CMake: `make demo` and `make test` work from a clean
# clone on Debian 12 (dependencies are installed or named by scripts/deps.sh).

MAKEFLAGS  += --no-print-directory
BUILD      ?= build
BUILD_SAN  ?= build-san
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_DIR   ?= $(BUILD)/demo
VOCX        = $(BUILD)/vocx

.PHONY: all deps build demo test test-unit test-sanitize bench fuzz clean

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

# libFuzzer targets (clang), each run for FUZZ_SECONDS (docs/reliability.md).
FUZZ_SECONDS ?= 60
fuzz:
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(BUILD_SAN) build-fuzz
