#!/bin/sh
# Install vocx into a scratch prefix, then build and run programs against
# the installed files only: a tiny consumer through pkg-config and through
# find_package(vocx), and the CRM embedding example.
# Usage: run.sh BUILD_DIR SOURCE_ROOT WORK_DIR
set -eu
build=$1
root=$2
work=$3
src="$root/tests/consumer"
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

libdir=$(dirname "$(find "$prefix" -name 'libvocx.so' | head -n 1)")
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

# The database is private to its owner.
mode=$(stat -c %a "$work/pc.db")
[ "$mode" = 600 ] || { echo "database mode is $mode, want 600" >&2; exit 1; }

# The CRM hook example, built with its own Makefile against the prefix.
cp -r "$root/examples/crm_embed" "$work/crm_embed"
make -s -C "$work/crm_embed" crm_hook
vocx="$prefix/bin/vocx"
db="$work/crm.db"
"$vocx" --db "$db" --quiet ingest "$root/examples/data/comments.csv"
"$vocx" --db "$db" --quiet ops import transactions "$root/examples/data/transactions.csv"
"$vocx" --db "$db" clv fit >/dev/null
"$work/crm_embed/crm_hook" "$db" "$prefix/share/vocx/default.rules" \
    < "$root/examples/crm_embed/events.tsv" > "$work/crm.out"
cat "$work/crm.out"
grep -q "ev-1 from customer 1070 via chat" "$work/crm.out"
grep -q "CHURN RISK" "$work/crm.out"
grep -q "CLV at risk" "$work/crm.out"
grep -q "without CLV" "$work/crm.out"
echo "consumer: pkg-config, find_package and the CRM hook ran"
