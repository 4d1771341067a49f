#!/usr/bin/env bash
# The README's cluster path, run as written. The fenced bash blocks of its section "Cluster mode on PostgreSQL" are
# taken from README.md itself, so an edit there that breaks them breaks this test, and run as a new user runs them:
#   - from a fresh copy of the repository's tracked files (what a clone holds), with this checkout's build
#     (artifacts/, as scripts/setup.sh leaves it) beside them;
#   - in a network namespace of its own, holding loopback and one other address (192.0.2.2: most machines have one,
#     and a silo used to pick it), so the README's fixed ports are free whatever else runs here, and nothing leaves;
#   - in one shell, so the export carries over; after a block that starts silos in the background it waits until
#     each says "silo ready", as a reader does before the next block.
# Then it checks that: both silos trained jobs of the sweep, which completed (the client's exit code); `open` named
# the second silo's page; the psql block's rows are the sweep's table.json, number for number; and the silos' output
# holds no stack trace, no watchdog false stall, and no page address on the metrics port.
# Everything it starts (the silos and their trainers, the database server and its folder, the namespace) is removed
# on every exit path; a failed run prints the end of what ran.
#
# usage: bash scripts/readme-cluster-test.sh     (as root; runs scripts/setup.sh first unless UNROLLEDGAN_SKIP_SETUP=1)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/postgres.sh

[ "$(id -u)" -eq 0 ] || { echo "readme-cluster-test: needs root, for a network namespace and the database server" >&2; exit 2; }
[ -n "${UNROLLEDGAN_SKIP_SETUP:-}" ] || bash scripts/setup.sh
# What the README's commands would install for themselves, installed now: apt cannot be reached from the namespace.
ensure_postgres
ensure_apt_packages iproute2 python3 git

repo=$PWD
namespace=ugreadme$$
work=$(mktemp -d /tmp/unrolledgan-readme-XXXXXX)
chmod 755 "$work"   # the database server runs as the postgres user, inside the copy
clone=$work/clone
log=$work/readme.log
started=$(date +%s.%N)
sweep=first-cluster-sweep

cleanup() {
    local status=$?
    set +e
    # The silos first (nothing of theirs is worth a graceful stop: a trainer left behind stops within a second, its
    # parent gone), then the database, then whatever of this run is left in its namespace: every process of the run
    # lives there, and nothing else does.
    [ -f "$work/silos" ] && kill -9 $(cat "$work/silos") 2>/dev/null
    [ -f "$clone/cluster-db/connection-string" ] && ip netns exec "$namespace" bash "$clone/scripts/database.sh" stop >/dev/null 2>&1
    if ip netns list | grep -qw "$namespace"; then
        ip netns pids "$namespace" | xargs -r kill -9 2>/dev/null
        ip netns del "$namespace"
    fi
    if [ "$status" -ne 0 ] && [ -f "$log" ]; then
        echo "readme-cluster-test: FAILED; the last lines of what ran:" >&2
        tail -n 60 "$log" >&2
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh clone of this working tree: its tracked files as they are now, and the build beside them.
mkdir -p "$clone"
git ls-files -z | tar --null -T - --ignore-failed-read -cf - | tar -xf - -C "$clone"
ln -s "$repo/artifacts" "$clone/artifacts"

# The section's bash blocks, verbatim, one file each.
python3 - "$clone/README.md" "$work" <<'EOF'
import re, sys
readme, work = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
section = readme.split("\n### Cluster mode on PostgreSQL\n", 1)[1]
section = re.split(r"\n#{2,3} ", section, 1)[0]
blocks = re.findall(r"^```bash\n(.*?)^```$", section, re.S | re.M)
if len(blocks) < 3:
    sys.exit(f"readme-cluster-test: the section has {len(blocks)} bash blocks; expected the start, the sweep and the SQL")
for i, block in enumerate(blocks, 1):
    open(f"{work}/block-{i}.sh", "w", encoding="utf-8").write(block)
EOF
blocks=$(ls "$work"/block-*.sh | wc -l)

# One shell runs every block as written. After a block that started silos in the background, it records their
# process ids and waits for each one's "silo ready" (or fails as soon as one of them has exited).
{
    echo "set -eo pipefail"
    echo "cd '$clone'"
    cat <<'EOF'
wait_ready() {
    local silos=$1 deadline=$((SECONDS + 180))
    until [ "$(grep -c '^silo ready$' "$README_LOG")" -ge "$silos" ]; do
        [ "$(jobs -rp | wc -l)" -ge "$silos" ] || { echo "readme-cluster-test: a silo exited before it was ready" >&2; return 1; }
        [ $SECONDS -lt $deadline ] || { echo "readme-cluster-test: silos not ready after 180 s" >&2; return 1; }
        sleep 0.5
    done
}
EOF
    for i in $(seq "$blocks"); do
        echo "echo '### block $i'"
        cat "$work/block-$i.sh"
        background=$(sed -e 's/[[:space:]]#.*$//' "$work/block-$i.sh" | grep -c '&[[:space:]]*$' || true)
        if [ "$background" -gt 0 ]; then
            echo "jobs -p >'$work/silos'"
            echo "wait_ready $background"
        fi
    done
    echo "echo '### end'"
} >"$work/driver.sh"

# The namespace: loopback, and a second interface with an address that is not loopback (a veth pair, both ends here).
ip netns add "$namespace"
ip netns exec "$namespace" ip link set lo up
ip netns exec "$namespace" ip link add "${namespace}a" type veth peer name "${namespace}b"
ip netns exec "$namespace" ip addr add 192.0.2.2/24 dev "${namespace}a"
ip netns exec "$namespace" ip link set "${namespace}a" up
ip netns exec "$namespace" ip link set "${namespace}b" up

echo "readme-cluster-test: running the README's $blocks blocks of \"Cluster mode on PostgreSQL\" in $clone"
# In the background, so that an interrupt reaches the traps (and the cleanup) at once rather than after the README's commands.
ip netns exec "$namespace" env -u ConnectionStrings__Cluster README_LOG="$log" bash "$work/driver.sh" >"$log" 2>&1 &
wait $! || {
    echo "readme-cluster-test: a README command failed" >&2
    exit 1
}
grep -q '^### end$' "$log"

problems=()
# Both silos trained jobs of the sweep, and every job's last run succeeded.
trained=$(cat "$clone"/results/$sweep/jobs/*/runs.jsonl | python3 -c '
import json, sys
runs = [json.loads(l) for l in sys.stdin if l.strip()]
print(len({r["silo"] for r in runs if r["exit"] == "Succeeded"}))')
[ "$trained" -eq 2 ] || problems+=("jobs were trained on $trained silo(s), not 2")
# `open --gateway 127.0.0.1:30001` names the second silo's page.
grep -qx "http://127.0.0.1:8081/sweeps/$sweep" "$log" || problems+=("open did not print http://127.0.0.1:8081/sweeps/$sweep")
# The SQL block's rows against the table the sweep wrote.
sed -n "/^### block $blocks\$/,/^### end\$/p" "$log" >"$work/sql.out"
if ! comparison=$(python3 - "$clone/results/$sweep/table.json" "$work/sql.out" 2>&1 <<'EOF'
import json, math, sys
table = json.load(open(sys.argv[1]))
rows = {}
for line in open(sys.argv[2]).read().splitlines():
    fields = [f.strip() for f in line.split("|")]
    if len(fields) == 6 and fields[0] not in ("size", ""):
        size, metric, unroll, n, mean, se = fields
        rows[(float(size), metric, int(unroll))] = (int(n), float(mean), float(se) if se else None)
cells = [(float(r["size"]), r["metric"], c) for r in table["rows"] for c in r["cells"] if c["n"] > 0]
problems = []
for size, metric, cell in cells:
    row = rows.get((size, metric, cell["unroll"]))
    if row is None:
        problems.append(f"no SQL row for {metric} at K = {cell['unroll']}")
    elif row[0] != cell["n"] or not math.isclose(row[1], cell["mean"], rel_tol=1e-12, abs_tol=1e-15) \
            or not math.isclose(row[2], cell["standardError"], rel_tol=1e-9, abs_tol=1e-15):
        problems.append(f"{metric} at K = {cell['unroll']}: SQL {row}, table {cell['n']}, {cell['mean']}, {cell['standardError']}")
if len(rows) != len(cells) or not cells:
    problems.append(f"{len(rows)} SQL rows for {len(cells)} table cells")
print("; ".join(problems) if problems else f"{len(cells)} cells identical")
sys.exit(1 if problems else 0)
EOF
); then
    problems+=("the SQL's rows are not the table: $comparison")
fi
# What a new user saw in the silos' output.
grep -q '^   at ' "$log" && problems+=("a stack trace in the output")
grep -q 'Participant check thread has not completed' "$log" && problems+=("the watchdog's false stall at start")
grep -q ':946[45]/sweeps' "$log" && problems+=("a sweep page address on a metrics port")
grep -q '^  sweep pages    http://127.0.0.1:8081/sweeps/$' "$log" || problems+=("no sweep pages line for the second silo")

if [ ${#problems[@]} -gt 0 ]; then
    printf 'readme-cluster-test: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "readme-cluster-test: the README's cluster path works as written: 2 silos trained the sweep, open named the second silo's page, the SQL gave the table ($comparison); $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s"
