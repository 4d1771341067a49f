#!/usr/bin/env bash
# The main job: sets the machine up (scripts/setup.sh), then runs a sweep on a silo hosted in-process and prints
# its mean ± standard-error table. With no arguments: the 2-D mixture of Gaussians over K ∈ {0,1,5,10} × 3 seeds
# on the quick preset (about 10 minutes on 2 cores). Arguments go to `UnrolledGan.SweepClient run`, e.g. a spec
# file (specs/paper-mixture.yaml) or --gateway host:port for a running cluster. Ctrl-C stops; run again to resume.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/setup.sh
exec "$CLIENT" run "$@"
