#!/usr/bin/env bash
# Runs fuzz targets one after another (default: all four, 300 s each) with the seeds from
# seed.sh; logs go to fuzz/logs/<target>.log. Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
secs="${1:-300}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(policy_parse engine org_load condition_values)
mkdir -p "$here/logs"
cd "$here"
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"logs/$t.log" 2>&1
    echo "$t exit $?"
done
