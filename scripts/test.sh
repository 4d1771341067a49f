#!/usr/bin/env bash
# Runs every test as CI does, after scripts/setup.sh. Ends with the line "N passed, F failed, S skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
# Only the tests need a browser: the sweep page's test drives Debian's chromium through chromium-driver.
source scripts/lib.sh
ensure_apt_packages chromium chromium-driver || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test --solution UnrolledGan.sln -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

count() { grep -E "^\s+$1:" "$log" | tail -n 1 | awk '{print $2}'; }
passed=$(count succeeded); failed=$(count failed); skipped=$(count skipped)
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
