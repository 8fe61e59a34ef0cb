#!/usr/bin/env bash
# One Redis server against a six-node Redis Cluster (three masters, a replica each), each in
# durability local and replicated, same machine, same run: the release build serving 201s (a new
# user per request, four coupons on four partitions) under wrk, P = 16, --workers 0, two rounds
# interleaved. The single server gets a replica of its own so that `replicated` has one to wait
# for. Prints a Markdown table of the means: requests/s, p99, and the ratio to one server, local.
# Usage: Benchmarks/cluster.sh [seconds per run, default 10] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages wrk bc

duration=${1:-10}
connections=${2:-64}
bench_stack coupon-bench-cluster
export COUPON_PARTITIONS=16
# The single server's replica.
replica_port=$(free_port)
start_redis "$replica_port" "$work/replica" --replicaof 127.0.0.1 "$redis_port"
# The cluster: six nodes whose bus ports (port + 10000) are free too.
cluster_ports=()
while [ "${#cluster_ports[@]}" -lt 6 ]; do
    p=$((20000 + RANDOM % 12000))
    port_in_use "$p" || port_in_use $((p + 10000)) || cluster_ports+=("$p")
done
for p in "${cluster_ports[@]}"; do
    start_redis "$p" "$work/node-$p" --cluster-enabled yes --cluster-config-file nodes.conf \
        --cluster-node-timeout 5000 --repl-diskless-sync-delay 0
done
cluster_cleanup() {
    for p in "${cluster_ports[@]}"; do stop_redis "$p"; done
    stop_redis "$replica_port"
    bench_stack_cleanup
}
trap cluster_cleanup EXIT
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${cluster_ports[@]}") --cluster-replicas 1 --cluster-yes >/dev/null
for _ in $(seq 1 100); do
    redis-cli -p "${cluster_ports[0]}" CLUSTER INFO | grep -q cluster_state:ok && break
    sleep 0.2
done
sleep 2 # replicas finish their first sync
cluster_url=redis://$(printf '127.0.0.1:%s,' "${cluster_ports[@]}" | sed 's/,$//')
single_url=redis://127.0.0.1:$redis_port

multi_lua=Benchmarks/wrk/multi-coupon.lua

declare -A rps p99s
run() { # label, redis URL, durability
    local label=$1 redis=$2 durability=$3
    stop_server
    COUPON_REDIS_URL=$redis "$bin" init >/dev/null
    COUPON_REDIS_URL=$redis "$bin" serve --port "$http_port" --workers 0 --durability "$durability" \
        >"$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
    local coupons=() id
    for _ in 1 2 3 4; do
        id=$(create_coupon "$url" cluster 1000000000)
        coupons+=("$id")
    done
    wrk -t2 -c"$connections" -d2s -s "$multi_lua" "$url" -- "${coupons[@]}" "warm$RANDOM-" >/dev/null
    local out r p
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$multi_lua" "$url" -- "${coupons[@]}" "r$RANDOM-")
    grep -q "Non-2xx" <<<"$out" && { log "non-201 answers: $out"; exit 1; }
    r=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
    p=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000; printf "%.1f", v }' <<<"$out")
    rps[$label/$durability]=$(echo "${rps[$label/$durability]:-0} + $r" | bc)
    p99s[$label/$durability]=$(echo "${p99s[$label/$durability]:-0} + $p" | bc)
    log "$label, durability $durability: $r req/s, p99 $p ms"
}
for round in 1 2; do
    for durability in local replicated; do
        run "one server" "$single_url" "$durability"
        run "cluster (3 masters)" "$cluster_url" "$durability"
    done
done
base=${rps["one server/local"]}
printf '| Redis | durability | req/s | p99 ms | ratio to one server, local |\n|---|---|---|---|---|\n'
for label in "one server" "cluster (3 masters)"; do
    for durability in local replicated; do
        printf '| %s | %s | %s | %s | %s |\n' "$label" "$durability" \
            "$(echo "${rps[$label/$durability]} / 2" | bc)" "$(echo "scale=1; ${p99s[$label/$durability]} / 2" | bc)" \
            "$(echo "scale=2; ${rps[$label/$durability]} / $base" | bc)"
    done
done
