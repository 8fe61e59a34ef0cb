#!/usr/bin/env bash
# The full-disk scenario, end to end with a release build: `coupon serve --workers 0` on loopback,
# one `coupon worker` projecting into SQLite on a tmpfs with only a few MB left free, wrk driving
# the issue route (a unique user per request) for FILL seconds. Then the space is freed, and after
# SETTLE more seconds the script reports what Redis, the table, the dead stream and the pending
# list hold. Needs root (mount). Usage: Benchmarks/disk-full.sh [free MB, 3] [FILL s, 20] [SETTLE s, 15]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages wrk

free_mb=${1:-3} fill=${2:-20} settle=${3:-15}
bin=$(release_build coupon)/coupon
work=$(mktemp -d /tmp/coupon-disk-full.XXXXXX)
disk=$work/disk
mkdir -p "$disk"
mount -t tmpfs -o size=256m tmpfs "$disk"
redis_port=$(free_port)
start_redis "$redis_port" "$work/redis"
http_port=$(free_port)
export COUPON_REDIS_URL=redis://127.0.0.1:$redis_port COUPON_PARTITIONS=4 COUPON_ADMIN_TOKEN=bench COUPON_LOG_LEVEL=notice
"$bin" init >/dev/null
"$bin" serve --port "$http_port" --workers 0 >"$work/serve.log" 2>&1 &
server=$!
"$bin" worker --consumer disk --database "sqlite:$disk/coupons.sqlite" >"$work/worker.log" 2>&1 &
worker=$!
cleanup() {
    kill "$server" "$worker" 2>/dev/null || true
    wait "$server" "$worker" 2>/dev/null || true
    stop_redis "$redis_port"
    umount -l "$disk" || true
    rm -rf "$work"
}
trap cleanup EXIT
url=http://127.0.0.1:$http_port
for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && [ -s "$disk/coupons.sqlite" ] && break; sleep 0.1; done
sleep 1
avail=$(df --output=avail -B1 "$disk" | tail -1)
fallocate -l $((avail - free_mb * 1024 * 1024)) "$disk/filler"
log "tmpfs: $(df -h --output=avail "$disk" | tail -1 | tr -d ' ') left for the projection"

id=$(create_coupon "$url" "disk full" 1000000000)
wrk -t2 -c64 -d"${fill}s" -s Benchmarks/wrk/issue.lua "$url" -- "$id" "df" | grep -E "Requests/sec|requests in"
log "freeing the space; waiting ${settle}s"
rm "$disk/filler"
sleep "$settle"

p=$((id % 4))
issued=$(redis-cli -p "$redis_port" hlen "cpn:{$p}:coupon:$id:issued")
rows=$(sqlite3 "$disk/coupons.sqlite" "SELECT count(*) FROM coupon_issues")
dead=0 pending=0
for q in 0 1 2 3; do
    dead=$((dead + $(redis-cli -p "$redis_port" xlen "cpn:{$q}:dead")))
    pending=$((pending + $(redis-cli -p "$redis_port" xpending "cpn:{$q}:events" projector | head -1)))
done
echo "issued in Redis: $issued; rows in coupon_issues: $rows; dead letters: $dead; pending: $pending"
echo "worker log lines: $(wc -l <"$work/worker.log"); SQLITE_FULL mentions: $(grep -c SQLITE_FULL "$work/worker.log" || true)"
grep -E "cannot write|writes again|ALARM" "$work/worker.log" | cut -c1-240 | head -8
