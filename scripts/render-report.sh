#!/bin/sh
# Render a vocx HTML report to a PNG screenshot with headless Chromium, to
# look at the design or to attach it to a ticket.  Optional and manual: no
# test depends on it.
#
# Usage: scripts/render-report.sh REPORT.html OUT.png [WIDTH [HEIGHT]]
#   WIDTH x HEIGHT is the browser window (default 1280 x 2400); the
#   screenshot is that window, from the top of the page.
#
# Needs Chromium (Debian: apt-get install chromium).  Set CHROMIUM to use
# another binary.  Run as root it adds --no-sandbox, which Chromium
# requires there.  Networking is off: the report loads nothing anyway.
set -eu
if [ $# -lt 2 ]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
report=$1
out=$2
width=${3:-1280}
height=${4:-2400}
[ -f "$report" ] || { echo "render-report: no file $report" >&2; exit 2; }

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
    for b in chromium chromium-browser google-chrome; do
        if command -v "$b" >/dev/null 2>&1; then
            browser=$b
            break
        fi
    done
fi
if [ -z "$browser" ]; then
    echo "render-report: Chromium not found (apt-get install chromium)" >&2
    exit 1
fi

case $report in
/*) abs=$report ;;
*) abs=$(pwd)/$report ;;
esac
case $out in
/*) ;;
*) out=$(pwd)/$out ;;
esac

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT INT TERM
sandbox=
[ "$(id -u)" = 0 ] && sandbox=--no-sandbox

# shellcheck disable=SC2086 # $sandbox is empty or one word
"$browser" --headless $sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update \
    --disable-sync --disable-extensions --hide-scrollbars \
    --user-data-dir="$profile" --window-size="$width,$height" \
    --screenshot="$out" "file://$abs" >/dev/null 2>&1
[ -s "$out" ] || { echo "render-report: no screenshot written" >&2; exit 1; }
echo "$out"
