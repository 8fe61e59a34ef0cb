#!/usr/bin/env bash
# The flash sale's shape, measured in one run against /healthz (wrk, 64 connections, 10 s each,
# release build, Redis and the server on this machine):
#   A. the final-answer cache on (the default) and off (--final-answer-cache 0), each with
#      /healthz, a sold-out flood of non-holders (410), holders pressing again (409), and 201s;
#      the 410 and 409 also as one fixed request (static-post.lua): wrk builds it once, as it does
#      /healthz, so the ratio shows the server's cost without wrk's Lua making each body;
#   B. `serve` with its default in-process worker (SQLite) against `serve --workers 0`, 201s.
# Each configuration runs twice (FLOOD_ROUNDS), interleaved, each time on a fresh log. Prints a
# Markdown table and the server's peak RSS.
# Usage: Benchmarks/flood.sh [seconds per run, default 10] [connections, default 64]
# (FLOOD_SKIP_NOCACHE=1 leaves out the runs without the cache; FLOOD_ONLY_201=1 measures only
# /healthz and the 201s, for the worker's ratio (the other columns then read "—"); FLOOD_BINARIES="A B" measures
# two `coupon` binaries, say before and after a change, each configuration of one right after
# the same of the other, labelled by their position: cache-1 is A's, cache-2 B's.)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages wrk bc

duration=${1:-10}
connections=${2:-64}
bench_stack coupon-bench-flood
read -r -a binaries <<<"${FLOOD_BINARIES:-$bin}"
rounds=${FLOOD_ROUNDS:-2}
# A configuration's label gets the binary's position only when there are two.
suffix() { ((${#binaries[@]} > 1)) && echo "-$(($1 + 1))" || true; }
rps() { # wrk-args… -> requests/s (and the answers' statuses checked by the caller's expectation)
    wrk -t2 -c"$connections" -d"${duration}s" "$@" | awk '/Requests\/sec/ { print $2 }'
}

declare -A sum rounds201
# A fresh log for every configuration (an in-process worker must not spend the measurement
# catching up on earlier runs' issuances), a sold-out coupon with 500 holders, a coupon that never
# sells out, and a warm-up run.
prepare() {
    sold=$(create_coupon "$url" "flood" 500)
    for n in $(seq 1 500); do issue_status "$url" "$sold" "h-$n" >/dev/null; done
    [ "$(issue_status "$url" "$sold" "late")" = 410 ] || { log "the coupon did not sell out"; exit 1; }
    [ "$(issue_status "$url" "$sold" "h-7")" = 409 ] || { log "a holder did not get 409"; exit 1; }
    big=$(unlimited_coupon "$url" "flood big" "$connections")
}
measure() { # label, binary, serve arguments…
    local label=$1 binary=$2
    shift 2
    fresh_serve "$binary" "$@"
    prepare
    sum[$label/healthz]=$(echo "${sum[$label/healthz]:-0} + $(rps "$url/healthz")" | bc)
    if [ -z "${FLOOD_ONLY_201:-}" ]; then
        sum[$label/410]=$(echo "${sum[$label/410]:-0} + $(rps -s Benchmarks/wrk/issue.lua "$url" -- "$sold" "late-$label-$RANDOM-")" | bc)
        sum[$label/409]=$(echo "${sum[$label/409]:-0} + $(rps -s Benchmarks/wrk/holders.lua "$url" -- "$sold" h- 500)" | bc)
        sum[$label/410s]=$(echo "${sum[$label/410s]:-0} + $(rps -s Benchmarks/wrk/static-post.lua "$url" -- "$sold" late)" | bc)
        sum[$label/409s]=$(echo "${sum[$label/409s]:-0} + $(rps -s Benchmarks/wrk/static-post.lua "$url" -- "$sold" h-7)" | bc)
    fi
    issued=$(rps -s Benchmarks/wrk/issue.lua "$url" -- "$big" "b-$label-$RANDOM-")
    sum[$label/201]=$(echo "${sum[$label/201]:-0} + $issued" | bc)
    rounds201[$label]="${rounds201[$label]:-} $issued"
    rss=$(peak_rss_mb "$server_pid")
    sum[$label/rss]=$rss
    stop_server
}
labels=()
for round in $(seq 1 "$rounds"); do
    for configuration in cache nocache worker; do
        [ "$configuration" = nocache ] && [ "${FLOOD_SKIP_NOCACHE:-}" ] && continue
        case $configuration in
            cache) arguments=(--workers 0) ;;
            nocache) arguments=(--workers 0 --final-answer-cache 0) ;;
            worker) arguments=(--workers 1 --database "sqlite:$work/projection.sqlite") ;;
        esac
        for index in "${!binaries[@]}"; do
            label=$configuration$(suffix "$index")
            ((round > 1)) || labels+=("$label")
            measure "$label" "${binaries[$index]}" "${arguments[@]}"
        done
    done
done
ratio() { echo "scale=2; $1 / $2" | bc; }
avg() { echo "scale=0; ${sum[$1]} / $rounds" | bc; }
# A route measured: its mean and its ratio to /healthz; a route left out (FLOOD_ONLY_201): "—".
cell() { [ -n "${sum[$1/$2]:-}" ] && echo "$(avg "$1/$2") ($(ratio "${sum[$1/$2]}" "${sum[$1/healthz]}"))" || echo "—"; }
printf '| configuration | /healthz | 410 sold out | 409 holder | 410, fixed request | 409, fixed request | 201 | peak RSS |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for label in "${labels[@]}"; do
    h=$(avg "$label/healthz")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s MB |\n' "$label" "$h" "$(cell "$label" 410)" \
        "$(cell "$label" 409)" "$(cell "$label" 410s)" "$(cell "$label" 409s)" "$(cell "$label" 201)" "${sum[$label/rss]}"
done
for index in "${!binaries[@]}"; do
    s=$(suffix "$index")
    read -r -a with <<<"${rounds201[worker$s]}"
    read -r -a without <<<"${rounds201[cache$s]}"
    each=""
    for k in "${!with[@]}"; do each+=" $(ratio "${with[$k]}" "${without[$k]}")"; done
    echo "201 with the in-process worker / without (serve --workers 0)$s: $(ratio "${sum[worker$s/201]}" "${sum[cache$s/201]}") (per round:$each)"
done
