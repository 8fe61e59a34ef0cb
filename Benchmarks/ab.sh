#!/usr/bin/env bash
# Interleaved A/B of two `coupon` binaries (say, before and after a change): both serve the same
# Redis at once, and wrk drives GET /healthz, POST issues (201, a new user per request), POST
# issues with an invalid body (400, no Redis), and a sold-out coupon's flood as one fixed request
# each (410 for a non-holder, 409 for a holder, both answered from memory) for 10 s each, at 64
# and 512 connections, binary A then B, in two rounds. Compare absolute requests/s as well as the
# ratios: a change that slows /healthz too hides behind a ratio to /healthz.
# Usage: Benchmarks/ab.sh BINARY_A BINARY_B   (build the other with `git worktree` + `swift build -c release`)
# AB_ROUNDS (default 2), AB_CONNECTIONS (default "64 512") and AB_SECONDS (default 10) change the run.
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
# A sold-out coupon with 500 holders, known sold out to both servers (each learns it from Redis).
sold=$(create_coupon "http://127.0.0.1:$pa" ab-sold 500)
post() { issue_status "http://127.0.0.1:$1" "$sold" "$2"; }
for n in $(seq 1 500); do post "$pa" "h-$n" >/dev/null; done
for port in $pa $pb; do [ "$(post "$port" late)" = 410 ] && [ "$(post "$port" h-7)" = 409 ] || exit 1; done
sleep 1
cat > "$work/bad.lua" <<'LUA'
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"; wrk.body = '{"userId": ""}'
LUA
seconds=${AB_SECONDS:-10}
rps() { wrk -t2 -c"$c" -d"${seconds}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
rate() { rps -s "$2" "$1" -- "$id" "ab$RANDOM$3"; }
ratio() { echo "$1/$h" | bc -l | cut -c1-4; }
for round in $(seq 1 "${AB_ROUNDS:-2}"); do
  for c in ${AB_CONNECTIONS:-64 512}; do
    for side in A B; do
      port=$pa; [ $side = B ] && port=$pb
      h=$(rps "http://127.0.0.1:$port/healthz")
      i=$(rate "http://127.0.0.1:$port" Benchmarks/wrk/issue.lua "$side$round")
      v=$(rate "http://127.0.0.1:$port/v1/coupons/$id/issues" "$work/bad.lua" x)
      s410=$(rps -s Benchmarks/wrk/static-post.lua "http://127.0.0.1:$port" -- "$sold" late)
      s409=$(rps -s Benchmarks/wrk/static-post.lua "http://127.0.0.1:$port" -- "$sold" h-7)
      echo "round $round $side c=$c healthz=$h issue201=$i invalid400=$v soldout410=$s410 holder409=$s409" \
        "ratio201=$(ratio "$i") ratio400=$(ratio "$v") ratio410=$(ratio "$s410") ratio409=$(ratio "$s409")"
    done
  done
done
