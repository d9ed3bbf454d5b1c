#!/bin/sh
# Optional dependency of the benchmark suite: Hyperscan (libhs), one of the
# baselines.  As root with apt-get it is installed when missing (Debian:
# libhyperscan-dev; x86-64 only); otherwise the command is printed and the
# suite runs without that baseline.  Never fails.  BENCH_HYPERSCAN=0 skips it.
[ "${BENCH_HYPERSCAN:-1}" = 0 ] && exit 0
pkg-config --exists libhs 2>/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 &&
    apt-cache show libhyperscan-dev >/dev/null 2>&1; then
    echo "bench: installing libhyperscan-dev for the Hyperscan baseline" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends libhyperscan-dev >/dev/null 2>&1 ||
        echo "bench: could not install libhyperscan-dev; Hyperscan baseline left out" >&2
    exit 0
fi
echo "bench: optional Hyperscan baseline not found; to include it:" \
    "sudo apt-get install -y libhyperscan-dev" >&2
exit 0
