#!/usr/bin/env bash
# Where `serve`'s CPU goes during a 201 flood, per thread: one run with `--workers 0` and one with
# the default in-process worker (SQLite), each on a fresh log, wrk at 64 connections for 10 s
# after a 2-s warm-up. Prints admissions/s, CPU seconds per thread name (from /proc/<pid>/task;
# threads of one name summed), redis-server's CPU and its commandstats for EVALSHA, XREADGROUP
# and XACK, so the worker's cost can be read next to an admission's. Thread names as Linux cuts
# them to 15 bytes: `oot.default-qos` is the Swift concurrency pool, `-qos.overcommit` dispatch's
# threads for blocking queues (the database writer), `NIO-ELT-…` the event loops,
# `redis-<port>-<n>` the Redis connections' threads (the worker's own connection among them).
# Usage: Benchmarks/threads.sh [rounds, default 1]   (THREADS_BINARY: another `coupon` binary)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages wrk bc jq

bench_stack coupon-bench-threads
bin=${THREADS_BINARY:-$bin}
cpu_by_thread() { # pid -> "tid name ticks" lines
    for task in /proc/"$1"/task/*; do
        echo "$(basename "$task") $(tr ' ' _ <"$task/comm") $(awk '{ print $14 + $15 }' "$task/stat")"
    done
}
measure() { # label, serve arguments…
    local label=$1
    shift
    fresh_serve "$bin" "$@"
    local big
    big=$(unlimited_coupon "$url" "threads")
    redis-cli -p "$redis_port" CONFIG RESETSTAT >/dev/null
    cpu_by_thread "$server_pid" | sort >"$work/before"
    local redis_before rate
    redis_before=$(redis_cpu_seconds "$redis_port")
    rate=$(issue_rate "$url" "$big" "t-$label-$RANDOM-")
    cpu_by_thread "$server_pid" | sort >"$work/after"
    echo "## $label: $rate admissions/s"
    join "$work/before" "$work/after" |
        awk '{ d = $5 - $3; if (d > 0) cpu[$2] += d } END { for (n in cpu) printf "%-22s %6.2f s\n", n, cpu[n] / 100 }' |
        sort -k2 -nr
    echo "redis-server           $(echo "$(redis_cpu_seconds "$redis_port") - $redis_before" | bc) s"
    redis-cli -p "$redis_port" INFO commandstats | grep -E "cmdstat_(evalsha|xreadgroup|xack):" |
        sed -E 's/,rejected_calls.*//' || true
    stop_server
}
for _ in $(seq 1 "${1:-1}"); do
    measure "serve --workers 0" --workers 0
    measure "serve, default worker" --workers 1 --database "sqlite:$work/projection.sqlite"
done
