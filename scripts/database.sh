#!/usr/bin/env bash
# A PostgreSQL server for a cluster, on this machine: Debian's package, data in $UNROLLEDGAN_DB (default cluster-db/),
# a role and database named unrolledgan with a generated password (scram-sha-256). It prints the connection string's
# file (Npgsql's format); silos read it through the environment, never from a command line:
#   bash scripts/database.sh [start] [--listen 10.0.0.5] [--port 5432]    start (creating it the first time)
#   bash scripts/database.sh stop
#   bash scripts/database.sh psql [psql arguments]    psql on the cluster's database, as the silos log in (SQL on stdin or -c)
#   export ConnectionStrings__Cluster="$(cat cluster-db/connection-string)"
# For a production database, use your own server and give silos its connection string the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/postgres.sh

folder=$(realpath -m "${UNROLLEDGAN_DB:-cluster-db}")

# psql reads libpq's variables, not Npgsql's connection string: the file's fields go to PGHOST, PGPORT, PGUSER,
# PGDATABASE and PGPASSWORD, in psql's environment only, so the password is on no command line.
if [ "${1:-}" = psql ]; then
    shift
    [ -f "$folder/connection-string" ] || { echo "database: no database in $folder yet (bash scripts/database.sh)" >&2; exit 1; }
    command -v psql >/dev/null || ensure_postgres
    IFS=';' read -ra fields <"$folder/connection-string"
    for field in "${fields[@]}"; do
        case ${field%%=*} in
            Host) export PGHOST=${field#*=} ;;
            Port) export PGPORT=${field#*=} ;;
            Username) export PGUSER=${field#*=} ;;
            Password) export PGPASSWORD=${field#*=} ;;
            Database) export PGDATABASE=${field#*=} ;;
        esac
    done
    exec psql -X -v ON_ERROR_STOP=1 "$@"
fi

verb=start
listen=""
port=""
while [ $# -gt 0 ]; do
    case $1 in
        start | stop) verb=$1 ;;
        --listen) listen=$2; shift ;;
        --port) port=$2; shift ;;
        *) echo "database: unknown argument '$1' (start|stop|psql, --listen address, --port n)" >&2; exit 2 ;;
    esac
    shift
done
# A restart keeps the address and port the server was created with, unless told otherwise.
if [ -f "$folder/listen" ]; then
    read -r saved_listen saved_port <"$folder/listen"
    listen=${listen:-$saved_listen}
    port=${port:-$saved_port}
fi
listen=${listen:-127.0.0.1}
port=${port:-5432}

if [ "$verb" = stop ]; then
    pg_stop "$folder/server"
    echo "database: stopped ($folder)"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "database: run as root (or with sudo): the server runs as the postgres user" >&2; exit 2; }
ensure_postgres
if [ ! -f "$folder/connection-string" ]; then
    mkdir -p "$folder"
    chmod 711 "$folder"
    password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
    # Every TCP connection needs a password; only the postgres administrator gets in over the socket without one.
    pg_start "$folder/server" "$port" "$listen" "0.0.0.0/0" password
    pg_sql "$folder/server" "$port" -c "CREATE ROLE unrolledgan LOGIN PASSWORD '$password'" >/dev/null
    pg_sql "$folder/server" "$port" -c "CREATE DATABASE unrolledgan OWNER unrolledgan" >/dev/null
    umask 077
    echo "Host=$listen;Port=$port;Username=unrolledgan;Password=$password;Database=unrolledgan" >"$folder/connection-string"
    echo "$listen $port" >"$folder/listen"
    echo "database: created $folder (server listening on $listen:$port)"
elif [ -f "$folder/server/data/postmaster.pid" ]; then
    echo "database: already running ($folder)"
else
    pg_resume "$folder/server" "$port" "$listen"
    echo "database: started ($folder, $listen:$port)"
fi
echo "database: export ConnectionStrings__Cluster=\"\$(cat $folder/connection-string)\""
echo "database: SQL as the silos log in: bash scripts/database.sh psql -c 'SELECT count(*) FROM job_result'"
