#!/usr/bin/env bash
# Audit benchmark: one coupon with 100,000 issuances (filled through the real admission script,
# projected by `coupon replay`), then timed over HTTP with curl against a release `coupon serve`:
# the first timeline page, a page 90,000 events deep (cursor paging), the last page, a winners
# page deep in the list, and the rate report; then the same deep page from the log
# (`coupon audit timeline --source log`) for comparison.
# Usage: Benchmarks/audit.sh [issuances, default 100000]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages bc

events=${1:-100000}
work=$(mktemp -d /tmp/coupon-bench-audit.XXXXXX)
bin=$(release_build coupon coupon-bench)
redis_port=$(free_port)
http_port=$(free_port)
start_redis "$redis_port" "$work/redis"
export COUPON_REDIS_URL=redis://127.0.0.1:$redis_port COUPON_PARTITIONS=4 COUPON_DATABASE_URL=sqlite:$work/audit.sqlite
export COUPON_LOG_LEVEL=warning COUPON_ADMIN_TOKEN=bench
server=
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
    stop_redis "$redis_port"
    rm -rf "$work"
}
trap cleanup EXIT

"$bin/coupon-bench" fill --redis "$COUPON_REDIS_URL" --events "$events"
"$bin/coupon" replay | tail -1
"$bin/coupon" serve --port "$http_port" --workers 0 >"$work/serve.log" 2>&1 &
server=$!
url=http://127.0.0.1:$http_port
for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
coupon=$(sqlite3 "$work/audit.sqlite" "SELECT id FROM coupons ORDER BY id LIMIT 1")
deep=$(sqlite3 "$work/audit.sqlite" "SELECT event_id FROM coupon_events WHERE coupon_id = $coupon
    ORDER BY event_ms, event_seq LIMIT 1 OFFSET $((events * 9 / 10))")
last=$(sqlite3 "$work/audit.sqlite" "SELECT event_id FROM coupon_events WHERE coupon_id = $coupon
    ORDER BY event_ms DESC, event_seq DESC LIMIT 1 OFFSET 50")

# Best of five, after one warm-up: the machine is shared and noisy.
timed() {
    local best=999 t
    curl -s -o /dev/null "$1"
    for _ in 1 2 3 4 5; do
        t=$(curl -s -o "$work/body" -w '%{time_total}' "$1")
        best=$(echo "$t $best" | awk '{print ($1 < $2) ? $1 : $2}')
    done
    printf '| %s | %.1f ms | %s bytes |\n' "$2" "$(echo "$best * 1000" | bc -l)" "$(wc -c <"$work/body")"
}
echo "| request ($events issuances of coupon $coupon) | best of 5 | body |"
echo "|---|---|---|"
timed "$url/healthz" "GET /healthz (baseline)"
timed "$url/v1/coupons/$coupon/events?limit=100" "events, first page of 100"
timed "$url/v1/coupons/$coupon/events?limit=100&after=$deep" "events, 100 after the $((events * 9 / 10))th"
timed "$url/v1/coupons/$coupon/events?limit=1000&after=$deep" "events, 1000 after the $((events * 9 / 10))th"
timed "$url/v1/coupons/$coupon/events?limit=100&after=$last" "events, the last page"
timed "$url/v1/coupons/$coupon/winners?fromSeq=$((events * 9 / 10))&limit=100" "winners, 100 from seq $((events * 9 / 10))"
timed "$url/v1/coupons/$coupon/rate?bucket=1s" "rate, 1 s buckets (reads all $events)"
start=$(date +%s.%N)
"$bin/coupon" audit timeline --coupon "$coupon" --after "$deep" --limit 100 --source log --format csv >/dev/null
echo "| coupon audit timeline --source log, 100 after the $((events * 9 / 10))th (a scan of the stream) | $(echo "($(date +%s.%N) - $start) * 1000" | bc -l | cut -d. -f1) ms, whole process | |"
