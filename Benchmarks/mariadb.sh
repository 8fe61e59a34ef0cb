#!/usr/bin/env bash
# MariaDB projection benchmark, in one run on one machine:
#   1. fill the log with N issuances through the real admission script (release build);
#   2. MariaDB alone: the same rows batch-bound into a fresh database (the yardstick);
#   3. 1, 2 and 4 projection workers projecting the whole log, each run into a fresh database;
#   4. `coupon replay` of the whole log into a fresh database, then once more over it;
#   5. the same replay into a fresh SQLite file, and both databases compared row for row.
# The server is this script's own (loopback, a free port, data under /tmp), durable as shipped
# (innodb_flush_log_at_trx_commit=1: each commit is on disk), with a 1 GB buffer pool.
# Usage: Benchmarks/mariadb.sh [events, default 1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages time mariadb-server mariadb-client

events=${1:-1000000}
work=$(mktemp -d /tmp/coupon-bench-mariadb.XXXXXX)
bin=$(release_build coupon coupon-bench)
redis_port=$(free_port)
start_redis "$redis_port" "$work/redis"
db_port=$(free_port)
MARIADB_EXTRA=(--innodb-buffer-pool-size=1G)
start_mariadb "$work/mariadb" "$db_port"
cleanup() {
    stop_redis "$redis_port"
    stop_mariadb "$work/mariadb"
    rm -rf "$work"
}
trap cleanup EXIT
url=redis://127.0.0.1:$redis_port
sql() { mariadb --no-defaults --socket="$work/mariadb/sock" -u root --batch --raw --skip-column-names "$@"; }
database() { # a fresh database; prints its URL (over TCP, as a remote server is reached)
    sql -e "CREATE DATABASE $1"
    sql -e "CREATE USER IF NOT EXISTS 'bench'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'127.0.0.1'"
    echo "mysql://bench:bench@127.0.0.1:$db_port/$1"
}

log "MariaDB $(sql -e 'SELECT VERSION()'), $events events"
"$bin/coupon-bench" fill --redis "$url" --events "$events"
"$bin/coupon-bench" baseline --database "$(database baseline)" --events "$events"
for workers in 1 2 4; do
    "$bin/coupon-bench" project --redis "$url" --database "$(database "projected$workers")" --workers "$workers"
done
replayed=$(database replayed)
/usr/bin/time -f "replay: %e s wall, %M KB peak resident" \
    env COUPON_LOG_LEVEL=warning "$bin/coupon" replay --redis "$url" --database "$replayed"
/usr/bin/time -f "replay again (over the full database): %e s wall" \
    env COUPON_LOG_LEVEL=warning "$bin/coupon" replay --redis "$url" --database "$replayed"
COUPON_LOG_LEVEL=warning "$bin/coupon" replay --redis "$url" --database "sqlite:$work/replayed.sqlite" >/dev/null
# The same rows in both engines: every table's rows, in key order, hashed.
same=1
for query in "SELECT * FROM coupons ORDER BY id" "SELECT * FROM coupon_issues ORDER BY coupon_id, user_id" \
    "SELECT partition_no, event_id, type, coupon_id, user_id, seq, payload, occurred_at, event_ms, event_seq FROM coupon_events ORDER BY partition_no, event_id" \
    "SELECT partition_no, last_event_id FROM projection_progress ORDER BY partition_no"; do
    a=$(sql replayed -e "$query" | tr '\t' '|' | sha256sum)
    b=$(sqlite3 -nullvalue NULL "$work/replayed.sqlite" "$query" | sha256sum)
    [ "$a" = "$b" ] || { same=""; log "differs: $query"; }
done
[ "$same" ] && log "replayed into MariaDB and into SQLite: the same rows in every table"
sql -e "SELECT table_name, table_rows, ROUND((data_length + index_length) / 1048576) AS mb FROM information_schema.tables WHERE table_schema = 'replayed'"
