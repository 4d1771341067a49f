# A throwaway PostgreSQL for tests and the cluster test: initdb in a folder of its own as the postgres user, on a
# free port, stopped by the caller's exit trap. Source it; don't run it. Needs root (or sudo) for runuser.
# Test servers trust local connections; scripts/database.sh starts one that needs a password.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# Installs PostgreSQL 15 from Debian's packages if it is missing (its default cluster is not used).
ensure_postgres() {
    ensure_apt_packages postgresql-15 postgresql-client-15
}

# A TCP port nothing listens on.
free_port() {
    local port
    while true; do
        port=$(shuf -i 20000-60000 -n 1)
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}

# pg_start FOLDER PORT ADDRESSES [SUBNET] [AUTH]: a new cluster in FOLDER listening on ADDRESSES (comma-separated) at
# PORT. Connections from SUBNET (e.g. 10.1.2.0/24) must give a password (scram-sha-256). AUTH "trust" (the default,
# for throwaway test servers) trusts every local connection; "password" needs one on every TCP connection and lets
# only the postgres user in over the socket without one.
pg_start() {
    local folder=$1 port=$2 addresses=$3 subnet=${4:-} auth=${5:-trust}
    local methods=(-A trust)
    [ "$auth" = password ] && methods=(--auth-local=peer --auth-host=scram-sha-256)
    mkdir -p "$folder" && chown postgres "$folder"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$folder/data" "${methods[@]}" -U postgres >"$folder/initdb.log" 2>&1
    if [ -n "$subnet" ]; then
        echo "host all all $subnet scram-sha-256" >>"$folder/data/pg_hba.conf"
    fi
    pg_resume "$folder" "$port" "$addresses"
}

# Starts (again) the cluster in FOLDER; waits until it accepts connections.
pg_resume() {
    local folder=$1 port=$2 addresses=$3
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$folder/data" -l "$folder/postgres.log" -w -t 60 \
        -o "-p $port -k $folder -c listen_addresses=$addresses -c max_connections=200" start >/dev/null
}

pg_stop() {
    local folder=$1
    [ -f "$folder/data/postmaster.pid" ] || return 0
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$folder/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

# psql as the superuser over the folder's socket: pg_sql FOLDER PORT [DATABASE] -c "..."
pg_sql() {
    local folder=$1 port=$2
    shift 2
    local database=postgres
    if [ $# -gt 0 ] && [ "${1:0:1}" != "-" ]; then database=$1; shift; fi
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$folder" -p "$port" -d "$database" "$@"
}
