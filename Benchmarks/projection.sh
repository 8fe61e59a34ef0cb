#!/usr/bin/env bash
# Projection benchmark, in one run on one machine:
#   1. fill the log with N issuances through the real admission script (release build);
#   2. SQLite alone inserting the same rows in batches of 1000 (the yardstick);
#   3. one projection worker projecting the whole log into a fresh SQLite file;
#   4. `coupon replay` of the whole log into another fresh file (and once more over it);
#   5. `coupon audit verify` of the whole deployment against the worker's file (time, peak memory);
#   6. Redis emptied (FLUSHALL), `coupon recover` from the worker's file, then verify again.
# Usage: Benchmarks/projection.sh [events, default 1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages time

events=${1:-1000000}
work=$(mktemp -d /tmp/coupon-bench-projection.XXXXXX)
bin=$(release_build coupon coupon-bench)
redis_port=$(free_port)
start_redis "$redis_port" "$work/redis"
cleanup() {
    stop_redis "$redis_port"
    rm -rf "$work"
}
trap cleanup EXIT
url=redis://127.0.0.1:$redis_port

"$bin/coupon-bench" fill --redis "$url" --events "$events"
"$bin/coupon-bench" baseline --database "sqlite:$work/baseline.sqlite" --events "$events"
"$bin/coupon-bench" project --redis "$url" --database "sqlite:$work/projected.sqlite"
COUPON_LOG_LEVEL=warning "$bin/coupon" replay --redis "$url" --database "sqlite:$work/replayed.sqlite"
COUPON_LOG_LEVEL=warning "$bin/coupon" replay --redis "$url" --database "sqlite:$work/replayed.sqlite"
/usr/bin/time -f "verify: %e s wall, %M KB peak resident" \
    env COUPON_LOG_LEVEL=warning "$bin/coupon" audit verify --redis "$url" --database "sqlite:$work/projected.sqlite" |
    grep -E "clean|mismatch|behind" || true
redis-cli -p "$redis_port" flushall >/dev/null
/usr/bin/time -f "recover: %e s wall, %M KB peak resident" \
    env COUPON_LOG_LEVEL=warning "$bin/coupon" recover --redis "$url" --database "sqlite:$work/projected.sqlite"
env COUPON_LOG_LEVEL=warning "$bin/coupon" audit verify --redis "$url" --database "sqlite:$work/projected.sqlite" |
    grep -E "clean|mismatch|behind" || true
echo "files: projected $(du -h "$work/projected.sqlite" | cut -f1), replayed $(du -h "$work/replayed.sqlite" | cut -f1)"
