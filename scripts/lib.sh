# Shared by scripts/run and scripts/test. Source it; it defines functions only.

# The Debian packages the service, its tests and its benchmarks need.
COUPON_PACKAGES=(redis-server redis-tools libhiredis-dev libsqlite3-dev sqlite3 curl jq pkg-config)

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
