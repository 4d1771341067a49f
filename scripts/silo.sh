#!/usr/bin/env bash
# Starts a worker silo on this machine (after scripts/setup.sh). The first is the cluster's primary; add more with
#   bash scripts/silo.sh --Cluster:Instance=1      (ports 11112/30001, joins instance 0)
# Any setting of src/Silo/UnrolledGan.Silo/appsettings.json can be given as --Section:Key=value.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
exec "$SILO" "$@"
