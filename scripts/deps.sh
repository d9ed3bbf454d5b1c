#!/bin/sh
# Make sure everything vocx needs to build and test is installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and fails.
set -eu

missing=""
need_pkg() { # pkg-config module, Debian package
    if ! pkg-config --exists "$1" 2>/dev/null; then
        missing="$missing $2"
    fi
}
need_cmd() { # command, Debian package
    if ! command -v "$1" >/dev/null 2>&1; then
        missing="$missing $2"
    fi
}

need_cmd pkg-config pkg-config
need_cmd cmake cmake
need_cmd cc gcc
need_cmd c++ g++
need_cmd make make
need_cmd python3 python3
need_cmd nm binutils
if command -v pkg-config >/dev/null 2>&1; then
    need_pkg libpcre2-8 libpcre2-dev
    need_pkg sqlite3 libsqlite3-dev
    need_pkg libutf8proc libutf8proc-dev
    need_pkg check check
else
    missing="$missing libpcre2-dev libsqlite3-dev libutf8proc-dev check"
fi
for extra in "$@"; do  # optional tools a target asks for: "cmd:package"
    need_cmd "${extra%%:*}" "${extra#*:}"
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    exit 0
fi
echo "vocx needs:$missing" >&2
echo "install them with:  sudo apt-get update && sudo apt-get install -y$missing" >&2
exit 1
