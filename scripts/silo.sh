#!/usr/bin/env bash
# Starts a worker silo on this machine (after scripts/setup.sh); add more with
#   bash scripts/silo.sh --Cluster:Instance=1      (ports 11112/30001, web :8081, metrics :9465)
# With --Cluster:Provider=postgres every silo is equal and any may stop (README, "Cluster mode on PostgreSQL"). In the
# embedded default, instance 0 holds the membership: the others join through it and cannot go on without it.
# Any setting of src/Silo/UnrolledGan.Silo/appsettings.json can be given as --Section:Key=value.
#   bash scripts/silo.sh db migrate | db status      the PostgreSQL schema (needs ConnectionStrings__Cluster)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
exec "$SILO" "$@"
