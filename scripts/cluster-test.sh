#!/usr/bin/env bash
# Cluster mode proven across hosts, on one machine: three silo hosts and a client host, each in its own network
# namespace with its own address on a private bridge, and PostgreSQL on the bridge. Silos bind and advertise their
# own addresses and speak mutual TLS with certificates from one development CA; the client reaches them only
# through their gateways, with its own certificate. One sweep of short 2-D mixture jobs runs undisturbed, then once
# through each fault:
#   kill       kill -9 of the silo that started first, mid-sweep
#   partition  one host's link down for 50 s, then back: it must be declared dead, and its jobs trained elsewhere, while cut off
#   postgres   PostgreSQL stopped for 30 s mid-sweep, and again the moment the last job ends
#   restart    the whole cluster stopped mid-sweep and started again
# After each it checks, from the database and the job folders, that every grid point has exactly one recorded
# result, that no job was trained to its end twice, and that the table is identical, number for number, to the
# undisturbed run's. It ends with one line: "faults: N scenarios, lost L, duplicated D, tables identical".
#
# usage: bash scripts/cluster-test.sh [kill,partition,postgres,restart]     (default: all four; needs root)
#        CLUSTER_TEST_STEPS=n sets the steps per job (default 2000)
# Everything it creates (namespaces, bridge, database server, processes) is removed on exit, pass or fail; the
# logs of a failed run are kept and their folder printed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/postgres.sh

scenarios=${1:-kill,partition,postgres,restart}
for scenario in ${scenarios//,/ }; do
    case $scenario in
        kill | partition | postgres | restart) ;;
        *) echo "cluster-test: unknown scenario '$scenario' (kill, partition, postgres, restart)" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "cluster-test: needs root, for network namespaces" >&2; exit 2; }
[ -n "${UNROLLEDGAN_SKIP_SETUP:-}" ] || bash scripts/setup.sh
ensure_postgres
ensure_apt_packages iproute2

SILO=$PWD/$SILO
CLIENT=$PWD/$CLIENT
tag=ug$$
work=$(mktemp -d /tmp/unrolledgan-cluster-XXXXXX)
chmod 755 "$work"
passed=false

# A private /24 no interface here uses yet.
while true; do
    net="10.$((200 + RANDOM % 50)).$((RANDOM % 250))"
    ip -4 addr | grep -q " $net\." || break
done
bridge=${tag}b
hosts=(s1 s2 s3)
declare -A address pid
for i in 1 2 3; do address[s$i]=$net.1$i; done
address[cl]=$net.20
pg_address=$net.1
gateways="${address[s1]}:30000,${address[s2]}:30000,${address[s3]}:30000"

cleanup() {
    set +e
    for host in "${!pid[@]}"; do kill -9 "${pid[$host]}" 2>/dev/null; done
    pkill -9 -f -- "$work/" 2>/dev/null
    pg_stop "$work/postgres"
    for host in "${hosts[@]}" cl; do ip netns del "$tag-$host" 2>/dev/null; done
    ip link del "$bridge" 2>/dev/null
    if $passed; then rm -rf "$work"; else echo "cluster-test: logs kept in $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "[$(date +%H:%M:%S)] $*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# The network: a bridge at $net.1 and one namespace per host, joined to it by a veth pair.
ip link add "$bridge" type bridge
ip addr add "$pg_address/24" dev "$bridge"
ip link set "$bridge" up
for host in "${hosts[@]}" cl; do
    ip netns add "$tag-$host"
    ip link add "$tag$host" type veth peer name eth0 netns "$tag-$host"
    ip link set "$tag$host" master "$bridge" up
    ip netns exec "$tag-$host" ip addr add "${address[$host]}/24" dev eth0
    ip netns exec "$tag-$host" ip link set eth0 up
    ip netns exec "$tag-$host" ip link set lo up
done

# Mutual TLS between every silo and for the client: a development CA and one certificate per host.
"$SILO" certs "$work/certs" "${hosts[@]}" cl >/dev/null
tls() { echo "Tls__CertificateFile=$work/certs/$1.crt Tls__KeyFile=$work/certs/$1.key Tls__CaFile=$work/certs/ca.crt"; }

# PostgreSQL on the bridge; silos log in with a password (scram-sha-256), which must never reach a log.
pg_port=$(free_port)
pg_start "$work/postgres" "$pg_port" "$pg_address" "$net.0/24"
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
pg_sql "$work/postgres" "$pg_port" -c "CREATE ROLE unrolledgan LOGIN PASSWORD '$password'" >/dev/null

# Jobs long enough for a fault to land mid-job (K = 1 and 5 train at about 250 and 100 steps/s on an idle core).
steps=${CLUSTER_TEST_STEPS:-2000}
cat >"$work/spec.yaml" <<EOF
name: cluster-test
experiment: mixture-of-gaussians
preset: quick
axes:
  unroll: [1, 5]
  seeds: 3
steps: $steps
overrides: {checkpointInterval: 250, snapshotInterval: $steps, logInterval: 50}
retries: 2
EOF
jobs_total=6

# Per scenario: its own database and results folder (the shared volume of a real cluster).
database() { echo "sweeps_$1"; }
sql() { pg_sql "$work/postgres" "$pg_port" "$(database "$1")" -At -c "$2"; }
connection() { echo "Host=$pg_address;Port=$pg_port;Username=unrolledgan;Password=$password;Database=$(database "$1");Timeout=5"; }

in_host() { local host=$1; shift; ip netns exec "$tag-$host" "$@"; }

# Started directly, not through a function, so that $! is the silo itself (ip netns exec and env exec it). The logs
# folder is on its command line so the exit trap finds every process of this run by its work folder.
start_silo() {
    local host=$1 run=$2
    mkdir -p "$work/logs/$run"
    # shellcheck disable=SC2046 # tls prints NAME=value words
    ip netns exec "$tag-$host" env $(tls "$host") \
        ConnectionStrings__Cluster="$(connection "$run")" \
        Cluster__Provider=postgres Cluster__Address="${address[$host]}" Cluster__SiloName="$host" \
        Results__Folder="$work/results/$run" \
        Workers__CpuSlots=1 Workers__Gpus=none Workers__PollInterval=00:00:01 \
        Workers__HeartbeatPeriod=00:00:02 Workers__LeaseTimeout=00:00:12 Workers__RunSilenceTimeout=00:01:30 \
        Dashboard__Port=0 Telemetry__PrometheusPort=0 \
        "$SILO" --Logs:Folder="$work/logs/$run/$host" >>"$work/logs/$run/$host.out" 2>&1 &
    pid[$host]=$!
    # Not this shell's job: a silo killed on purpose is not reported as one.
    disown "${pid[$host]}"
}

wait_ready() {
    local host=$1 run=$2 deadline=$((SECONDS + 90))
    until grep -q "^silo ready" "$work/logs/$run/$host.out" 2>/dev/null; do
        kill -0 "${pid[$host]}" 2>/dev/null || { echo "cluster-test: silo $host exited: $(tail -n 3 "$work/logs/$run/$host.out")" >&2; exit 1; }
        [ $SECONDS -lt $deadline ] || { echo "cluster-test: silo $host did not start" >&2; exit 1; }
        sleep 0.5
    done
}

start_cluster() {
    local run=$1
    for host in "${hosts[@]}"; do
        start_silo "$host" "$run"
        # The first silo creates the membership version row; starting them apart keeps "the first" unambiguous.
        [ "$host" = s1 ] && wait_ready s1 "$run"
    done
    for host in "${hosts[@]}"; do wait_ready "$host" "$run"; done
}

stop_silo() {
    local host=$1
    kill -TERM "${pid[$host]}" 2>/dev/null || return 0
    timeout 120 tail --pid="${pid[$host]}" -f /dev/null || kill -9 "${pid[$host]}" 2>/dev/null || true
    unset "pid[$host]"
}

# shellcheck disable=SC2046
client() { in_host cl env $(tls cl) "$CLIENT" "$@" --gateway "$gateways"; }

# The sweep's own state, read from the database: phase, and each job's status and silo.
jobs_sql="FROM orleansstorage, jsonb_array_elements(convert_from(payloadbinary, 'UTF8')::jsonb -> 'jobs') AS job WHERE graintypestring = 'sweep'"
phase() { sql "$1" "SELECT convert_from(payloadbinary, 'UTF8')::jsonb ->> 'phase' FROM orleansstorage WHERE graintypestring = 'sweep'" 2>/dev/null || true; }
running_on() { sql "$1" "SELECT job -> 'spec' ->> 'jobId' $jobs_sql AND job ->> 'status' = 'Running' AND job ->> 'silo' LIKE '${address[$2]}:%' ORDER BY 1" 2>/dev/null || true; }
silo_dead() { [ "$(sql "$1" "SELECT count(*) FROM orleansmembershiptable WHERE address = '${address[$2]}' AND status = 6" 2>/dev/null)" = "1" ]; }

# Waits until the host runs a job that has written a checkpoint, so the fault lands mid-job; prints that job.
wait_mid_job() {
    local run=$1 host=$2 deadline=$((SECONDS + 240)) job
    while [ $SECONDS -lt $deadline ]; do
        for job in $(running_on "$run" "$host"); do
            [ -f "$work/results/$run/cluster-test/jobs/$job/checkpoint.bin" ] && { echo "$job"; return 0; }
        done
        sleep 0.5
    done
    echo "cluster-test: $host never ran a job past a checkpoint" >&2
    exit 1
}

wait_completed() {
    local run=$1 deadline=$((SECONDS + ${2:-1800}))
    until [ "$(phase "$run")" = "Completed" ]; do
        [ $SECONDS -lt $deadline ] || { echo "cluster-test: the sweep of '$run' did not complete" >&2; exit 1; }
        sleep 1
    done
}

# The host whose trainer holds the job's folder (its exclusive lock, job.lock): the run that really trains the job.
# A run leased elsewhere while another still holds the folder exits "busy" at once and does not count. Found through
# /proc/locks and the holder's network namespace, so it holds for silos run as bare processes or as containers.
job_holder() {
    local run=$1 job=$2 inode holder host
    inode=$(stat -c %i "$work/results/$run/cluster-test/jobs/$job/job.lock" 2>/dev/null) || return 0
    holder=$(awk -v inode="$inode" '$2 == "FLOCK" { n = split($6, f, ":"); if (f[n] == inode) { print $5; exit } }' /proc/locks)
    [ -n "$holder" ] || return 0
    host=$(ip netns identify "$holder" 2>/dev/null) || return 0
    echo "${host#"$tag-"}"
}

# Trainer processes running on a host (in its network namespace).
trainers_on() {
    local host=$1 p
    for p in $(ip netns pids "$tag-$host" 2>/dev/null); do
        tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'UnrolledGan.Trainer train ' && echo "$p"
    done
    return 0
}

# Once a fault hit at $2: how long until the host was declared dead (its membership row says Dead), until its jobs
# were taken from it (queued again), until each was trained on another silo (a trainer there holds its folder, which
# also waits for a free slot there), and until the host itself had no trainer left. Measured until $5 seconds after
# the fault (default 600) or until all four are known; sets failover_dead, _requeued, _moved and _stopped (seconds,
# or empty when it did not happen in time) and prints them.
measure_failover() {
    local run=$1 start=$2 host=$3 jobs=$4 until=${5:-600} job status holder t
    local dead_at="" requeued_at="" moved_at="" stopped_at="" deadline
    deadline=$(awk -v s="$start" -v u="$until" 'BEGIN { printf "%.1f", s + u }')
    while awk -v n="$(now)" -v d="$deadline" 'BEGIN { exit !(n < d) }' &&
        { [ -z "$dead_at" ] || [ -z "$moved_at" ] || [ -z "$stopped_at" ]; }; do
        t=$(now)
        [ -z "$dead_at" ] && silo_dead "$run" "$host" && dead_at=$t
        [ -z "$stopped_at" ] && [ -z "$(trainers_on "$host")" ] && stopped_at=$t
        local taken=true elsewhere=true
        for job in $jobs; do
            status=$(sql "$run" "SELECT job ->> 'status' || ' ' || coalesce(job ->> 'silo', '') $jobs_sql AND job -> 'spec' ->> 'jobId' = '$job'" 2>/dev/null || true)
            case $status in
                "Running ${address[$host]}:"* | "") taken=false ;;
            esac
            holder=$(job_holder "$run" "$job")
            # A job that ended meanwhile (its result recorded) has moved as far as it will.
            case $status in Succeeded* | Failed* | Cancelled*) ;; *) [ -n "$holder" ] && [ "$holder" != "$host" ] || elsewhere=false ;; esac
        done
        [ -z "$requeued_at" ] && $taken && requeued_at=$t
        [ -z "$moved_at" ] && $elsewhere && moved_at=$t
        sleep 0.5
    done
    failover_dead=$([ -n "$dead_at" ] && elapsed "$start" "$dead_at" || true)
    failover_requeued=$([ -n "$requeued_at" ] && elapsed "$start" "$requeued_at" || true)
    failover_moved=$([ -n "$moved_at" ] && elapsed "$start" "$moved_at" || true)
    failover_stopped=$([ -n "$stopped_at" ] && elapsed "$start" "$stopped_at" || true)
    echo "    declared dead after ${failover_dead:-more than $until} s; its jobs queued again after ${failover_requeued:-more than $until} s," \
        "trained elsewhere after ${failover_moved:-more than $until} s; its own trainers stopped after ${failover_stopped:-more than $until} s"
}

# Lease → trainer training, and trainer exit → result recorded in the database, over a run's successful runs.
measure_overhead() {
    local run=$1 folder="$work/results/$run/cluster-test/jobs"
    sql "$run" "SELECT job_id, extract(epoch FROM recorded_at) FROM job_result" | tr '|' ' ' >"$work/recorded-$run"
    for job in "$folder"/*/; do
        # A run that resumed from a final checkpoint (its trainer was fenced after training) never starts training: skipped.
        { grep '"exit":"Succeeded"' "$job/runs.jsonl" || true; } | tail -n 1 |
            sed -n -E 's/.*"leasedAt":"([^"]+)".*"trainingStartedAt":"([^"]+)".*"endedAt":"([^"]+)".*/\1 \2 \3/p' |
            while read -r leased started ended; do
                echo "$(basename "$job") $(date -d "$leased" +%s.%N) $(date -d "$started" +%s.%N) $(date -d "$ended" +%s.%N)"
            done
    done | awk -v recorded="$work/recorded-$run" '
        BEGIN { while ((getline line < recorded) > 0) { split(line, f, " "); at[f[1]] = f[2] } }
        $1 in at { n++; start += $3 - $2; if ($3 - $2 > start_max) start_max = $3 - $2;
                   rec = at[$1] - $4; record += rec; if (rec > record_max) record_max = rec }
        END { if (n) printf "    lease → trainer training: mean %.2f s, max %.2f s; result → recorded: mean %.3f s, max %.3f s (%d jobs)\n",
                  start / n, start_max, record / n, record_max, n }'
}

# Every grid point recorded once, nothing trained twice, the same rows and table as the undisturbed run.
lost_total=0
duplicated_total=0
differing=0
check() {
    local run=$1 recorded distinct duplicated=0 job
    recorded=$(sql "$run" "SELECT count(*) FROM job_result WHERE sweep = 'cluster-test'")
    distinct=$(sql "$run" "SELECT count(DISTINCT job_id) FROM job_metric WHERE sweep = 'cluster-test'")
    for job in "$work/results/$run/cluster-test/jobs"/*/; do
        local trained
        trained=$(grep -c '"trainedToEnd":true' "$job/runs.jsonl" 2>/dev/null || true)
        [ "${trained:-0}" -le 1 ] || duplicated=$((duplicated + 1))
    done
    local lost=$((jobs_total - recorded))
    [ "$distinct" -eq "$recorded" ] || lost=$((lost + recorded - distinct))
    lost_total=$((lost_total + lost))
    duplicated_total=$((duplicated_total + duplicated))
    client results cluster-test >"$work/table-$run.md"
    sql "$run" "SELECT job_id || ' ' || metric || ' ' || coalesce(value::text, 'null') FROM job_metric ORDER BY 1" >"$work/rows-$run"
    local same=identical
    if [ "$run" != undisturbed ]; then
        if ! cmp -s "$work/rows-undisturbed" "$work/rows-$run" ||
            ! cmp -s "$work/results/undisturbed/cluster-test/table.csv" "$work/results/$run/cluster-test/table.csv"; then
            same=DIFFERENT
            differing=$((differing + 1))
        fi
    fi
    echo "    $recorded of $jobs_total results recorded, $lost lost, $duplicated trained twice; table $same"
    measure_overhead "$run"
}

fresh_database() {
    pg_sql "$work/postgres" "$pg_port" -c "CREATE DATABASE $(database "$1") OWNER unrolledgan" >/dev/null
    in_host s1 env ConnectionStrings__Cluster="$(connection "$1")" "$SILO" db migrate >/dev/null
}

submit() { client submit "$work/spec.yaml" >/dev/null; }

stop_cluster() { for host in "${!pid[@]}"; do stop_silo "$host"; done; }

run_undisturbed() {
    say "undisturbed: 3 silos, $jobs_total jobs"
    local t0
    t0=$(now)
    fresh_database undisturbed
    start_cluster undisturbed
    submit
    wait_completed undisturbed
    say "  completed in $(elapsed "$t0" "$(now)") s (start-up included)"
    check undisturbed
    stop_cluster
}

run_kill() {
    say "kill: kill -9 of the silo that started first (s1), mid-job"
    fresh_database kill
    start_cluster kill
    submit
    local job jobs t
    job=$(wait_mid_job kill s1)
    jobs=$(running_on kill s1)
    t=$(now)
    kill -9 "${pid[s1]}"
    unset "pid[s1]"
    say "  killed s1 while it ran $jobs"
    measure_failover kill "$t" s1 "$jobs"
    wait_completed kill
    check kill
    stop_cluster
}

# The partition must be noticed while it lasts: membership declares the cut-off host dead within 25 s, and its jobs
# are trained on other silos before the link returns (its own trainers stop once no sweep renews their leases,
# Workers:LeaseTimeout, and free the jobs' folders). Measured while the link is down only.
run_partition() {
    local cut=50
    say "partition: s2's link down for $cut s, then up; it must be declared dead within 25 s and its jobs trained elsewhere while it is cut off"
    fresh_database partition
    start_cluster partition
    # Two jobs at a time on three one-slot silos: a slot is free when the cut-off silo's job is queued again, as on a
    # cluster with room to spare. Without one the job would wait for a slot, whatever membership does.
    { cat "$work/spec.yaml"; echo "concurrency: 2"; } >"$work/spec-partition.yaml"
    client submit "$work/spec-partition.yaml" >/dev/null
    local jobs t
    wait_mid_job partition s2 >/dev/null
    jobs=$(running_on partition s2)
    t=$(now)
    ip link set "${tag}s2" down
    say "  cut s2 off while it ran $jobs"
    measure_failover partition "$t" s2 "$jobs" "$cut"
    while awk -v e="$(elapsed "$t" "$(now)")" -v c="$cut" 'BEGIN { exit !(e < c) }'; do sleep 0.2; done
    ip link set "${tag}s2" up
    say "  link back up after $(elapsed "$t" "$(now)") s"
    # Back on the network, the cut-off silo reads that it was declared dead and stops itself.
    local deadline=$((SECONDS + 90))
    while kill -0 "${pid[s2]}" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if kill -0 "${pid[s2]}" 2>/dev/null; then
        echo "    the cut-off silo still runs 90 s after the link returned" >&2
    else
        echo "    the cut-off silo stopped itself $(elapsed "$t" "$(now)") s after the cut"
        unset "pid[s2]"
    fi
    if [ -z "$failover_dead" ] || awk -v d="$failover_dead" 'BEGIN { exit !(d >= 25) }'; then
        echo "cluster-test: partition: s2 was not declared dead within 25 s of the cut while cut off (${failover_dead:-not before the link returned})" >&2
        exit 1
    fi
    if [ -z "$failover_moved" ]; then
        echo "cluster-test: partition: s2's jobs were not trained elsewhere before the link returned at $cut s" >&2
        exit 1
    fi
    wait_completed partition
    check partition
    stop_cluster
}

# The database restarted twice: for 30 s mid-sweep, and again the moment the sweep's last job ends (its trainer
# wrote result.json), so that the end's state write and the report after it meet a server that is going away and
# connections its restart killed (57P01). Every result is recorded once, and the sweep writes its report by itself
# once the database is back, identical to the undisturbed run's.
run_postgres() {
    say "postgres: the database stopped for 30 s mid-sweep, and for 15 s the moment the last job ends"
    fresh_database postgres
    start_cluster postgres
    submit
    wait_mid_job postgres s1 >/dev/null
    pg_stop "$work/postgres"
    say "  database stopped mid-sweep"
    sleep 30
    pg_resume "$work/postgres" "$pg_port" "$pg_address"
    say "  database back"
    local last stopped recorded
    last=$(wait_last_job postgres)
    stopped=$(now)
    pg_stop "$work/postgres"
    say "  database stopped as the last job ($last) ended"
    sleep 15
    pg_resume "$work/postgres" "$pg_port" "$pg_address"
    say "  database back"
    wait_completed postgres
    recorded=$(sql postgres "SELECT extract(epoch FROM recorded_at) FROM job_result WHERE job_id = '$last'")
    echo "    the last job's result was recorded $(elapsed "$stopped" "$recorded") s after the database stopped"
    wait_report postgres
    for host in "${hosts[@]}"; do
        kill -0 "${pid[$host]}" 2>/dev/null || { echo "cluster-test: silo $host did not ride out the outage" >&2; exit 1; }
    done
    check postgres
    stop_cluster
}

# Waits until every job but one has its result recorded and the last one's trainer has just written result.json
# (polled every 0.05 s: its end is reported to the sweep within milliseconds); prints that job.
wait_last_job() {
    local run=$1 deadline=$((SECONDS + 900)) last=""
    while [ $SECONDS -lt $deadline ]; do
        if [ -z "$last" ] && [ "$(sql "$run" "SELECT count(*) FROM job_result" 2>/dev/null)" = "$((jobs_total - 1))" ]; then
            last=$(sql "$run" "SELECT job -> 'spec' ->> 'jobId' $jobs_sql AND job ->> 'status' <> 'Succeeded'" 2>/dev/null || true)
            [ "$(echo "$last" | wc -w)" -eq 1 ] || last=""
        fi
        if [ -n "$last" ]; then
            while [ ! -f "$work/results/$run/cluster-test/jobs/$last/result.json" ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
            echo "$last"
            return 0
        fi
        sleep 0.2
    done
    echo "cluster-test: the last job of '$run' never ended" >&2
    exit 1
}

# A completed sweep writes its report (tables, pictures) by itself, though the database went away under it; waited
# for without a results call, which would write missing files on demand.
wait_report() {
    local run=$1 deadline=$((SECONDS + 180)) file
    for file in table.md table.csv table.json table.tex densities.png; do
        until [ -f "$work/results/$run/cluster-test/$file" ]; do
            [ $SECONDS -lt $deadline ] || { echo "cluster-test: the sweep of '$run' did not write its $file" >&2; exit 1; }
            sleep 0.5
        done
    done
    echo "    the sweep wrote its report by itself"
}

run_restart() {
    say "restart: the whole cluster stopped mid-sweep (SIGTERM: trainers checkpoint), then started again"
    fresh_database restart
    start_cluster restart
    submit
    wait_mid_job restart s3 >/dev/null
    stop_cluster
    say "  all silos stopped; starting them again"
    start_cluster restart
    wait_completed restart
    check restart
    stop_cluster
}

started=$(now)
run_undisturbed
count=0
for scenario in ${scenarios//,/ }; do
    "run_$scenario"
    count=$((count + 1))
done

# The password went to silos only through their environment; no log or output may hold it.
if grep -rqF -- "$password" "$work/logs"; then
    echo "cluster-test: the database password appears in a log" >&2
    exit 1
fi
say "all of it took $(elapsed "$started" "$(now)") s; the database password appears in no log"
tables=$([ $differing -eq 0 ] && echo "tables identical" || echo "tables differ in $differing scenario(s)")
echo "faults: $count scenarios, lost $lost_total, duplicated $duplicated_total, $tables"
if [ $lost_total -eq 0 ] && [ $duplicated_total -eq 0 ] && [ $differing -eq 0 ]; then
    passed=true
else
    exit 1
fi
