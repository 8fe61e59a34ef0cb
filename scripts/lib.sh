# Shared by scripts/run and scripts/test. Source it; it defines functions only.

# The Debian packages the service, its tests and its benchmarks need.
COUPON_PACKAGES=(redis-server redis-tools libhiredis-dev libsqlite3-dev libmariadb-dev sqlite3 curl jq pkg-config)

log() { printf '==> %s\n' "$*" >&2; }

# Installs whatever of COUPON_PACKAGES (plus any extra names given) is missing.
ensure_packages() {
    local missing=() pkg
    for pkg in "${COUPON_PACKAGES[@]}" "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    command -v swift >/dev/null || {
        log "swift is not on PATH: install the Swift 6 toolchain first (swift.org), then run this again"
        exit 1
    }
}

# release_build PRODUCT…: builds the products in release mode, saying only what matters on
# stderr, and prints the folder the binaries are in (for the benchmarks).
release_build() {
    local product
    for product in "$@"; do
        swift build -c release --product "$product" 2>&1 | grep -E "error|Build of" >&2
    done
    swift build -c release --show-bin-path
}

# bench_stack NAME: what a benchmark of `serve` needs, on this machine: the release build ($bin),
# a folder ($work, /tmp/NAME.*), its own Redis with AOF ($redis_port), a free HTTP port
# ($http_port, $url) and the COUPON_* environment. stop_server stops the `serve` started as
# $server_pid; on exit everything is stopped and removed.
bench_stack() {
    bin=$(release_build coupon)/coupon
    work=$(mktemp -d "/tmp/$1.XXXXXX")
    redis_port=$(free_port)
    start_redis "$redis_port" "$work/redis"
    http_port=$(free_port)
    url=http://127.0.0.1:$http_port
    export COUPON_REDIS_URL=redis://127.0.0.1:$redis_port COUPON_PARTITIONS=4 COUPON_ADMIN_TOKEN=bench
    export COUPON_LOG_LEVEL=warning
    server_pid=
    trap bench_stack_cleanup EXIT
}
stop_server() {
    [ -z "${server_pid:-}" ] && return 0
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}
# redis_cpu_seconds PORT: the CPU (user + system) the Redis server on PORT has used, in seconds.
redis_cpu_seconds() {
    redis-cli -p "$1" INFO cpu | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { printf "%.6f", s }'
}
# peak_rss_mb PID: the process's peak resident memory (VmHWM), in MB.
peak_rss_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# fresh_serve BINARY SERVE-ARGS…: empties the bench stack's Redis (and its projection file),
# initialises it, starts `serve` on $http_port (server_pid) and waits until it answers; exits if
# it does not start.
fresh_serve() {
    local binary=$1
    shift
    rm -f "$work"/projection.sqlite*
    redis-cli -p "$redis_port" FLUSHALL >/dev/null
    "$binary" init >/dev/null
    "$binary" serve --port "$http_port" "$@" >"$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && return 0; sleep 0.1; done
    log "serve did not start: $(cat "$work/serve.log")"
    exit 1
}
bench_stack_cleanup() {
    stop_server
    stop_redis "$redis_port"
    rm -rf "$work"
}

# create_coupon BASE-URL NAME QUANTITY: defines a coupon through the admin route (with
# $COUPON_ADMIN_TOKEN) and prints its id; fails if the service refuses.
create_coupon() {
    curl -sf -X POST "$1/v1/coupons" -H "Authorization: Bearer $COUPON_ADMIN_TOKEN" \
        -H 'Content-Type: application/json' -d "{\"name\":\"$2\",\"quantity\":$3}" | jq -e .id
}

# unlimited_coupon BASE-URL NAME [CONNECTIONS]: defines a coupon that never sells out, prints its
# id, and warms the server up with 2 s of `/healthz` (wrk, CONNECTIONS, default 64).
unlimited_coupon() {
    create_coupon "$1" "$2" 1000000000 || return
    wrk -t2 -c"${3:-64}" -d2s "$1/healthz" >/dev/null
}

# issue_rate BASE-URL COUPON USER-PREFIX: 201s for 10 s at 64 connections, a new user each
# request (wrk with Benchmarks/wrk/issue.lua); prints requests/s.
issue_rate() {
    wrk -t2 -c64 -d10s -s Benchmarks/wrk/issue.lua "$1" -- "$2" "$3" | awk '/Requests\/sec/ { print $2 }'
}

# issue_status BASE-URL COUPON USER: asks for the coupon for the user and prints the HTTP status.
issue_status() {
    curl -s -o /dev/null -w '%{http_code}' -X POST "$1/v1/coupons/$2/issues" \
        -H 'Content-Type: application/json' -d "{\"userId\":\"$3\"}"
}

# True when something on 127.0.0.1:$1 accepts TCP connections.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints a free TCP port on loopback, below Linux's ephemeral range (32768+), where an outgoing
# connection can hold a port that nothing listens on.
free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 12000))
        port_in_use "$port" || { echo "$port"; return 0; }
    done
    return 1
}

# start_redis PORT DIR [extra redis-server args…]: a Redis on loopback, AOF on (fsync every
# second), never evicting. Waits until it answers PING.
start_redis() {
    local port=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd) # redis-server changes into --dir before it opens the other paths
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" \
        --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --save "" \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "$@"
    for _ in $(seq 1 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    log "redis-server did not start on port $port; see $dir/redis.log"
    return 1
}

stop_redis() {
    local port=$1
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
}

# use_or_start_redis PORT DIR: makes sure a Redis fit for the service answers on PORT. The one this
# script started earlier (the process in DIR/redis.pid) is reused; any other server on the port is
# used only with AOF on and noeviction, else this refuses (returns 1) and says why; a free port
# gets a new Redis with its data in DIR.
use_or_start_redis() {
    local port=$1 dir=$2 answering aof policy
    # (|| true: under set -e and pipefail, a port nobody answers on must not end the script)
    answering=$(redis-cli -p "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p' || true)
    if [ -n "$answering" ] && [ -s "$dir/redis.pid" ] && [ "$answering" = "$(cat "$dir/redis.pid")" ]; then
        log "Redis started earlier by this script answers on 127.0.0.1:$port; using it"
    elif port_in_use "$port"; then
        aof=$(redis-cli -p "$port" config get appendonly 2>/dev/null | sed -n 2p || true)
        policy=$(redis-cli -p "$port" config get maxmemory-policy 2>/dev/null | sed -n 2p || true)
        if [ "$aof" != yes ] || [ "$policy" != noeviction ]; then
            log "port $port is taken by a server with appendonly='${aof:-?}' maxmemory-policy='${policy:-?}';"
            log "the service needs appendonly=yes and maxmemory-policy=noeviction (acknowledged issuances"
            log "must survive a restart and never be evicted). Stop it, or set COUPON_REDIS_PORT to a free port."
            return 1
        fi
        log "a Redis with AOF on and noeviction already answers on 127.0.0.1:$port; using it"
    else
        log "starting Redis on 127.0.0.1:$port (AOF everysec, noeviction; data in $dir)"
        start_redis "$port" "$dir"
    fi
}

# start_mariadb DIR PORT: a MariaDB with its data in DIR (created the first time), on loopback
# PORT and the socket DIR/sock, root without a password over the socket. Waits until it answers.
# `stop_mariadb DIR` stops it. Server options in the array MARIADB_EXTRA go last.
start_mariadb() {
    local dir=$1 port=$2
    mkdir -p "$dir/tmp" # its own temporary files, apart from other servers' in /tmp
    dir=$(cd "$dir" && pwd) # mariadbd changes into its datadir: every path it is given must be absolute
    [ -d "$dir/data" ] || mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
        --auth-root-authentication-method=normal --tmpdir="$dir/tmp" >"$dir/install.log" 2>&1
    mariadbd --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --socket="$dir/sock" --port="$port" --bind-address=127.0.0.1 \
        --user="$(id -un)" --pid-file="$dir/pid" --log-error="$dir/error.log" --skip-log-bin \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_nopad_bin --max-connections=500 \
        "${MARIADB_EXTRA[@]}" >/dev/null 2>&1 &
    for _ in $(seq 1 100); do
        mariadb --no-defaults --socket="$dir/sock" -u root -e "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    log "mariadbd did not start; see $dir/error.log"
    return 1
}

# Stops it and waits until it has gone (it is not this shell's child: poll, do not `wait`).
stop_mariadb() {
    local dir=$1 pid
    [ -s "$dir/pid" ] || return 0
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && return 0
        sleep 0.1
    done
}
