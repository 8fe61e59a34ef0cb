#!/usr/bin/env bash
# Write-path benchmark: a release `coupon serve` on loopback, driven by wrk. In one run, for 64
# and 512 connections: GET /healthz (the baseline), POST issues with a body that fails validation
# (everything but Redis), POST issues to a coupon that cannot sell out, and POST issues to a
# sold-out coupon; then a sell-out run that checks there is no over-issuance.
# Then the lag phase: the same issue runs again with a separate `coupon worker` process projecting
# into SQLite; on SIGTERM it reports the projection lag (201 to row committed). Prints a Markdown
# table; raw wrk output goes to Benchmarks/out/.
#
# Usage: Benchmarks/issue.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages wrk bc

duration=${1:-10}
out=Benchmarks/out
mkdir -p "$out"
bin=$(release_build coupon)/coupon

redis_port=$(free_port)
redis_dir=$(mktemp -d /tmp/coupon-bench-redis.XXXXXX)
start_redis "$redis_port" "$redis_dir"
http_port=$(free_port)
export COUPON_REDIS_URL=redis://127.0.0.1:$redis_port COUPON_PARTITIONS=4 COUPON_ADMIN_TOKEN=bench
export COUPON_LOG_LEVEL=warning
"$bin" init >/dev/null
"$bin" serve --port "$http_port" --workers 0 --database "sqlite:$redis_dir/projection.sqlite" >"$out/serve.log" 2>&1 &
server_pid=$!
worker_pid=
cleanup() {
    kill "$server_pid" $worker_pid 2>/dev/null || true
    wait "$server_pid" $worker_pid 2>/dev/null || true
    stop_redis "$redis_port"
    rm -rf "$redis_dir"
}
trap cleanup EXIT
url=http://127.0.0.1:$http_port
for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done

big=$(create_coupon "$url" "bench big" 1000000000)
sold=$(create_coupon "$url" "bench sold out" 1)
curl -sf -X POST "$url/v1/coupons/$sold/issues" -H 'Content-Type: application/json' -d '{"userId":"first"}' >/dev/null

# run NAME CONNECTIONS wrk-args… -> "rps p50 p99 non2xx"
run() {
    local name=$1 connections=$2
    shift 2
    wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" >"$out/$name-$connections.txt"
    awk '
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = $2 }
        $1 == "99%" { p99 = $2 }
        /Non-2xx/ { non = $5 }
        END { printf "%s %s %s %s\n", rps, p50, p99, (non == "" ? 0 : non) }' "$out/$name-$connections.txt"
}


printf '| connections | route | requests/s | p50 | p99 | non-2xx | ratio to /healthz |\n'
printf '|---|---|---|---|---|---|---|\n'
for c in 64 512; do
    read -r h_rps h_p50 h_p99 h_non < <(run healthz "$c" "$url/healthz")
    read -r v_rps v_p50 v_p99 v_non < <(run invalid "$c" -s Benchmarks/wrk/post-invalid.lua "$url/v1/coupons/$big/issues")
    read -r i_rps i_p50 i_p99 i_non < <(run issue "$c" -s Benchmarks/wrk/issue.lua "$url" -- "$big" "big$c-")
    read -r s_rps s_p50 s_p99 s_non < <(run soldout "$c" -s Benchmarks/wrk/issue.lua "$url" -- "$sold" "sold$c-")
    printf '| %s | GET /healthz | %s | %s | %s | %s | 1.00 |\n' "$c" "$h_rps" "$h_p50" "$h_p99" "$h_non"
    printf '| %s | POST issues, invalid body (400, no Redis) | %s | %s | %s | %s | %.2f |\n' "$c" "$v_rps" "$v_p50" \
        "$v_p99" "$v_non" "$(echo "$v_rps / $h_rps" | bc -l)"
    printf '| %s | POST issues (201) | %s | %s | %s | %s | %.2f |\n' "$c" "$i_rps" "$i_p50" "$i_p99" "$i_non" \
        "$(echo "$i_rps / $h_rps" | bc -l)"
    printf '| %s | POST issues (410 sold out) | %s | %s | %s | %s | %.2f |\n' "$c" "$s_rps" "$s_p50" "$s_p99" \
        "$s_non" "$(echo "$s_rps / $h_rps" | bc -l)"
done
echo
echo "server peak resident memory (VmHWM) after the 512-connection runs: $(peak_rss_mb "$server_pid") MB"

# Sell-out under load: 20,000 coupons, 512 connections of distinct users.
quantity=20000
limited=$(create_coupon "$url" "bench sell-out" "$quantity")
read -r _ _ _ l_non < <(run sellout 512 -s Benchmarks/wrk/issue.lua "$url" -- "$limited" "limited-")
shown=$(curl -sf "$url/v1/coupons/$limited")
issued=$(echo "$shown" | sed -E 's/.*"issued":([0-9]+).*/\1/')
p=$((limited % 4))
# Count the coupon's CouponIssued events and their distinct seq values, inside Redis.
count_events='local n, u, seen = 0, 0, {}
for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do
  local f, t, c, s = e[2]
  for i = 1, #f, 2 do
    if f[i] == "type" then t = f[i + 1] elseif f[i] == "coupon" then c = f[i + 1] elseif f[i] == "seq" then s = f[i + 1] end
  end
  if t == "CouponIssued" and c == ARGV[1] then
    n = n + 1
    if not seen[s] then seen[s] = true; u = u + 1 end
  end
end
return {n, u}'
events=$(redis-cli -p "$redis_port" --raw EVAL "$count_events" 1 "cpn:{$p}:events" "$limited" | paste -sd' ')
echo "sell-out run: quantity $quantity, issued $issued, CouponIssued events (total, distinct seq) $events, non-201 answers $l_non"

# Lag phase, on a fresh log (so the worker's lag figures cover only events issued under load):
# empty this benchmark's own Redis, init again, then a worker process and wrk together.
redis-cli -p "$redis_port" FLUSHALL >/dev/null
"$bin" init >/dev/null
lagged=$(create_coupon "$url" "bench lag" 1000000000)
COUPON_LOG_LEVEL=info "$bin" worker --consumer bench-worker --database "sqlite:$redis_dir/projection.sqlite" \
    >"$out/worker.log" 2>&1 &
worker_pid=$!
until grep -q "projection worker started" "$out/worker.log"; do sleep 0.1; done
for c in 64 512; do
    read -r l_rps l_p50 l_p99 _ < <(run lag "$c" -s Benchmarks/wrk/issue.lua "$url" -- "$lagged" "lag$c-")
    echo "with a projection worker process running, $c connections: $l_rps issues/s, p50 $l_p50, p99 $l_p99"
done
sleep 2
kill -TERM "$worker_pid"
wait "$worker_pid" || true
worker_pid=
issued_rows=$(sqlite3 "$redis_dir/projection.sqlite" "SELECT count(*) FROM coupon_issues WHERE coupon_id = $lagged")
echo "projection worker: $(grep -o 'lag=[^[]*' "$out/worker.log" | tail -1); rows of that coupon in coupon_issues: $issued_rows"
