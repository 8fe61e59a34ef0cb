#!/usr/bin/env bash
# Interleaved A/B of two `coupon` binaries (say, before and after a change): both serve the same
# Redis at once, and wrk drives GET /healthz, POST issues (201, a new user per request) and POST
# issues with an invalid body (400, no Redis) for 10 s each, at 64 and 512 connections, binary A
# then B, in two rounds. Compare absolute requests/s as well as the ratios: a change that slows
# /healthz too hides behind a ratio to /healthz.
# Usage: Benchmarks/ab.sh BINARY_A BINARY_B   (build the other with `git worktree` + `swift build -c release`)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages wrk bc jq
A=$1 B=$2
work=$(mktemp -d /tmp/ab.XXXXXX)
rp=$(free_port); start_redis "$rp" "$work/redis"
export COUPON_REDIS_URL=redis://127.0.0.1:$rp COUPON_PARTITIONS=4 COUPON_ADMIN_TOKEN=ab COUPON_LOG_LEVEL=warning
"$A" init >/dev/null
pa=$(free_port); pb=$(free_port)
"$A" serve --port "$pa" --workers 0 >/dev/null 2>&1 & sa=$!
"$B" serve --port "$pb" --workers 0 >/dev/null 2>&1 & sb=$!
trap 'kill $sa $sb; stop_redis $rp; rm -rf $work' EXIT
sleep 2
id=$(create_coupon "http://127.0.0.1:$pa" ab 1000000000)
cat > "$work/bad.lua" <<'LUA'
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"; wrk.body = '{"userId": ""}'
LUA
rate() { wrk -t2 -c"$3" -d10s -s "$2" "$1" -- "$id" "ab$RANDOM$4" | awk '/Requests\/sec/ {print $2}'; }
for round in 1 2; do
  for c in 64 512; do
    for side in A B; do
      port=$pa; [ $side = B ] && port=$pb
      h=$(wrk -t2 -c$c -d10s "http://127.0.0.1:$port/healthz" | awk '/Requests\/sec/ {print $2}')
      i=$(rate "http://127.0.0.1:$port" Benchmarks/wrk/issue.lua $c "$side$round")
      v=$(rate "http://127.0.0.1:$port/v1/coupons/$id/issues" "$work/bad.lua" $c x)
      echo "round $round $side c=$c healthz=$h issue201=$i invalid400=$v ratio201=$(echo "$i/$h" | bc -l | cut -c1-4) ratio400=$(echo "$v/$h" | bc -l | cut -c1-4)"
    done
  done
done
