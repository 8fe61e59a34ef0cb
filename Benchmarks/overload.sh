#!/usr/bin/env bash
# A surge: 4,000 connections pressing for 201s at once, `serve` with and without --max-inflight,
# same run, two rounds interleaved. For each: requests/s by status (wrk), and the latency of the
# admitted requests (201) from the server's own histogram `coupon_issue_duration_seconds`
# (its p50/p99 are bucket bounds: the histogram's resolution), next to wrk's p99 over all answers.
# Usage: Benchmarks/overload.sh [seconds per run, default 15] [max-inflight, default 256]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages wrk bc jq

duration=${1:-15}
limit=${2:-256}
connections=4000
bench_stack coupon-bench-overload
ulimit -n 20000

# Quantile q of the issued histogram, as the upper bound of the bucket it falls in (ms).
quantile() { # metrics-text q
    awk -v q="$2" '
        /^coupon_issue_duration_seconds_bucket\{.*outcome="issued"/ {
            match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); n++; bound[n] = le; count[n] = $NF
        }
        END {
            total = count[n]; if (total == 0) { print "-"; exit }
            for (i = 1; i <= n; i++) if (count[i] >= q * total) { print (bound[i] == "+Inf" ? "> 2500" : bound[i] * 1000); exit }
        }' <<<"$1"
}
run() { # label, serve arguments…
    local label=$1
    shift
    stop_server
    redis-cli -p "$redis_port" FLUSHALL >/dev/null
    "$bin" init >/dev/null
    "$bin" serve --port "$http_port" --workers 0 "$@" >"$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
    local coupon out metrics
    coupon=$(create_coupon "$url" surge 1000000000)
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency --timeout 10s -s Benchmarks/wrk/multi-coupon.lua "$url" -- "$coupon" "s$RANDOM-")
    metrics=$(curl -s "$url/metrics")
    local issued shed rps p99
    issued=$(awk '/^coupon_issue_requests_total\{outcome="issued"\}/ { print $2 }' <<<"$metrics")
    shed=$(awk '/^coupon_issue_requests_total\{outcome="overloaded"\}/ { print $2 }' <<<"$metrics")
    rps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    printf '| %s | %s | %.0f | %.0f | ≤ %s ms | ≤ %s ms | %s |\n' "$label" "$rps" \
        "$(echo "$issued / $duration" | bc -l)" "$(echo "${shed:-0} / $duration" | bc -l)" \
        "$(quantile "$metrics" 0.5)" "$(quantile "$metrics" 0.99)" "$p99"
}
printf '| serve | answers/s (wrk) | 201/s | 503 OVERLOADED/s | 201 p50 (server) | 201 p99 (server) | p99 of all answers (wrk) |\n|---|---|---|---|---|---|---|\n'
for round in 1 2; do
    run "no limit" 
    run "--max-inflight $limit" --max-inflight "$limit"
done
