#!/bin/sh
# Install vocx into a scratch prefix, then build and run a consumer against
# the installed files only: once through pkg-config, once through
# find_package(vocx).  Usage: run.sh BUILD_DIR CONSUMER_SRC WORK_DIR
set -eu
build=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

libdir=$(find "$prefix" -name 'libvocx.so' -exec dirname {} \; | head -n 1)
export PKG_CONFIG_PATH="$libdir/pkgconfig"
export LD_LIBRARY_PATH="$libdir"

# pkg-config: the header and library come from the prefix alone.
cc -std=c11 -Wall -Wextra -Werror -o "$work/consumer_pc" "$src/consumer.c" \
   $(pkg-config --cflags --libs vocx)
"$work/consumer_pc" "$work/pc.db"

# CMake package: find_package(vocx) gives vocx::vocx.
cmake -S "$src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
"$work/cmake-build/consumer" "$work/cmake.db"

# The installed database must be private to its owner.
mode=$(stat -c %a "$work/pc.db")
[ "$mode" = 600 ] || { echo "database mode is $mode, want 600" >&2; exit 1; }
echo "consumer: pkg-config and find_package builds ran"
