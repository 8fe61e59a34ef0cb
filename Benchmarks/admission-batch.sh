#!/usr/bin/env bash
# Admissions combined into one script run (`--admission-batch N`, the default 32) against one script
# run per request (`--admission-batch 1`), end to end, in one run: the release build serving 201s
# (a new user per request, one large coupon, then four coupons on four partitions) under wrk at
# 64 and 1000 connections, configurations interleaved, three rounds, each on a fresh Redis
# dataset. Per run: requests/s, p99, Redis CPU per admission (INFO cpu) and script runs per
# admission (INFO commandstats). Prints a Markdown table of the medians.
# Usage: Benchmarks/admission-batch.sh [seconds per run, default 10] [batch sizes, default "1 32"]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages wrk bc

duration=${1:-10}
sizes=${2:-"1 32"}
bench_stack coupon-bench-batch
rcli() { redis-cli -p "$redis_port" "$@"; }
evalsha_calls() { rcli INFO commandstats | awk -F'[=,:]' '/^cmdstat_evalsha:/ { print $3 }'; }
issued_total() { # over every issued hash
    local total=0 key
    for key in $(rcli --scan --pattern 'cpn:{*}:coupon:*:issued'); do total=$((total + $(rcli HLEN "$key"))); done
    echo "$total"
}

multi_lua=Benchmarks/wrk/multi-coupon.lua

declare -A results
run() { # size, connections, shape(one|four)
    local size=$1 connections=$2 shape=$3
    stop_server
    rcli FLUSHALL >/dev/null
    rcli CONFIG RESETSTAT >/dev/null
    "$bin" init >/dev/null
    "$bin" serve --port "$http_port" --workers 0 --admission-batch "$size" >"$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
    local coupons=() p
    if [ "$shape" = one ]; then
        coupons=("$(create_coupon "$url" batch 1000000000)")
    else
        # Four coupons on four different partitions.
        declare -A seen=()
        while [ "${#coupons[@]}" -lt 4 ]; do
            local id
            id=$(create_coupon "$url" batch 1000000000)
            p=$((id % 4))
            [ -n "${seen[$p]:-}" ] && continue
            seen[$p]=1
            coupons+=("$id")
        done
    fi
    wrk -t2 -c"$connections" -d2s -s "$multi_lua" "$url" -- "${coupons[@]}" warm- >/dev/null
    local cpu0 calls0 issued0 out cpu1 calls1 issued1
    cpu0=$(redis_cpu_seconds "$redis_port") calls0=$(evalsha_calls) issued0=$(issued_total)
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$multi_lua" "$url" -- "${coupons[@]}" "r$RANDOM-")
    cpu1=$(redis_cpu_seconds "$redis_port") calls1=$(evalsha_calls) issued1=$(issued_total)
    local n=$((issued1 - issued0))
    local rps p99
    rps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000; printf "%.1f", v }' <<<"$out")
    grep -q "Non-2xx" <<<"$out" && { log "non-201 answers in a run: $out"; exit 1; }
    local cpu_us runs
    cpu_us=$(echo "scale=2; ($cpu1 - $cpu0) * 1000000 / $n" | bc)
    runs=$(echo "scale=3; ($calls1 - $calls0) / $n" | bc)
    results[$shape/$connections/$size]+="$rps $p99 $cpu_us $runs;"
    log "batch $size, $connections connections, $shape coupon(s): $rps req/s, p99 $p99 ms, Redis $cpu_us µs/admission, $runs script runs/admission"
}
for round in 1 2 3; do
    for shape in one four; do
        for connections in 64 1000; do
            for size in $sizes; do run "$size" "$connections" "$shape"; done
        done
    done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
column() { tr ';' '\n' | awk -v c="$1" 'NF { print $c }' | median; }
printf '| coupons | connections | admission batch | req/s | p99 ms | Redis CPU µs/admission | script runs/admission |\n|---|---|---|---|---|---|---|\n'
for shape in one four; do
    for connections in 64 1000; do
        for size in $sizes; do
            r=${results[$shape/$connections/$size]}
            printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$shape" "$connections" "$size" \
                "$(column 1 <<<"$r")" "$(column 2 <<<"$r")" "$(column 3 <<<"$r")" "$(column 4 <<<"$r")"
        done
    done
done
