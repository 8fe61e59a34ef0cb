#!/usr/bin/env bash
# Is the in-process worker's cost hidden outside the server's threads, in the filesystem (the WAL
# and its checkpoints written back by kernel threads, ext4's journal)? 201s at 64 connections for
# 10 s after a 2-s warm-up, each on a fresh log, interleaved: `serve --workers 0`, the default
# worker with its SQLite file on this disk, and the same with the file on tmpfs (/dev/shm). Prints
# admissions/s, the CPU of every kernel thread, the machine's idle time, what the server wrote
# (/proc/<pid>/io) and redis-server's CPU, over each 10-s run.
# Usage: Benchmarks/worker-io.sh [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages wrk bc jq

bench_stack coupon-bench-worker-io
shm=/dev/shm/coupon-bench-worker-io.$$
mkdir -p "$shm"
trap 'bench_stack_cleanup; rm -rf "$shm"' EXIT
kernel_thread_ticks() { # the CPU ticks (user + system) of all children of kthreadd
    awk '{ sub(/^.*\) /, ""); if ($2 == 2) s += $12 + $13 } END { print s + 0 }' /proc/[0-9]*/stat 2>/dev/null || true
}
idle_ticks() { awk '/^cpu / { print $5 + $6 }' /proc/stat; }
written_bytes() { awk '/^write_bytes/ { print $2 }' "/proc/$1/io"; }
measure() { # label, serve arguments…
    local label=$1
    shift
    rm -f "$shm"/*
    fresh_serve "$bin" "$@"
    local big
    big=$(unlimited_coupon "$url" "worker-io")
    local kernel idle written redis rate
    kernel=$(kernel_thread_ticks) idle=$(idle_ticks) written=$(written_bytes "$server_pid")
    redis=$(redis_cpu_seconds "$redis_port")
    rate=$(issue_rate "$url" "$big" "io-$label-$RANDOM-")
    printf '%-6s %9s admissions/s  kernel threads %5.2f s  idle %5.2f s  written %6.1f MB  redis-server %5.2f s\n' \
        "$label" "$rate" "$(echo "($(kernel_thread_ticks) - $kernel) / 100" | bc -l)" \
        "$(echo "($(idle_ticks) - $idle) / 100" | bc -l)" \
        "$(echo "($(written_bytes "$server_pid") - $written) / 1048576" | bc -l)" \
        "$(echo "$(redis_cpu_seconds "$redis_port") - $redis" | bc)"
    stop_server
}
for _ in $(seq 1 "${1:-3}"); do
    measure none --workers 0
    measure disk --workers 1 --database "sqlite:$work/projection.sqlite"
    measure tmpfs --workers 1 --database "sqlite:$shm/projection.sqlite"
done
