#!/usr/bin/env bash
# Cluster mode proven across hosts, on one machine: three silo hosts and a client host, each in its own network
# namespace with its own address on a private bridge, and PostgreSQL on the bridge. The silos and the client are
# containers of the project's image (scripts/image.sh), run as deploy/kubernetes runs pods: as user 1654, on a
# read-only root, with every capability dropped, no new privileges and a memory limit; the results folder is their
# shared volume, and the connection string and certificates are mounted files. Silos bind and advertise their own
# addresses and speak mutual TLS with certificates from one development CA; the client reaches them only through
# their gateways, with its own certificate. One sweep of short 2-D mixture jobs runs undisturbed, then once through
# each fault:
#   kill       kill -9 of the silo that started first, mid-sweep (its whole container: podman kill -s KILL)
#   partition  one host's link down for 50 s, then back: it must be declared dead, and its jobs trained elsewhere, while cut off
#   postgres   PostgreSQL stopped for 30 s mid-sweep, and again the moment the last job ends
#   restart    the whole cluster stopped mid-sweep and started again
# After each it checks, from the database and the job folders, that every grid point has exactly one recorded
# result, that no job was trained to its end twice, and that the table is identical, number for number, to the
# undisturbed run's. It ends with one line: "faults: N scenarios, lost L, duplicated D, tables identical".
#
# usage: bash scripts/cluster-test.sh [--processes] [kill,partition,postgres,restart]   (default: all four; needs root)
#   --processes           the silos and the client as bare processes of this build (artifacts/), not containers
#   CLUSTER_TEST_STEPS=n  the steps per job (default 2000)
#   UNROLLEDGAN_IMAGE=x   run image x as it is; without it scripts/image.sh builds localhost/unrolledgan:0.1.0-cpu
# Everything it creates (containers, namespaces, bridge, database server, processes, and the images it built that
# were not there before) is removed on exit, pass or fail; the logs of a failed run are kept and their folder printed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/postgres.sh

containers=true
scenarios=kill,partition,postgres,restart
for argument in "$@"; do
    case $argument in
        --processes) containers=false ;;
        -*) echo "cluster-test: unknown option '$argument' (--processes)" >&2; exit 2 ;;
        *) scenarios=$argument ;;
    esac
done
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
# The user the image runs as (and the manifests' runAsUser), which must own what the containers write.
uid=1654
made_images=()

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
    if $containers; then
        podman ps -aq --filter "label=unrolledgan.cluster-test=$tag" | xargs -r podman rm -f -t 0 >/dev/null 2>&1
        [ ${#made_images[@]} -eq 0 ] || podman rmi "${made_images[@]}" >/dev/null 2>&1
    fi
    pkill -9 -f -- "$work/" 2>/dev/null
    pg_stop "$work/postgres"
    for host in "${hosts[@]}" cl; do ip netns del "$tag-$host" 2>/dev/null; done
    ip link del "$bridge" 2>/dev/null
    if $passed; then rm -rf "$work"; else echo "cluster-test: logs kept in $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The image: the one named, else built here from this tree (and removed at exit with the bases it made).
if $containers; then
    export CONTAINERS_CONF=$PWD/deploy/docker/containers.conf
    image=${UNROLLEDGAN_IMAGE:-}
    if [ -z "$image" ]; then
        mapfile -t names < <(bash scripts/image.sh --names)
        for name in "${names[@]}"; do podman image exists "$name" 2>/dev/null || made_images+=("$name"); done
        if ! bash scripts/image.sh 2>&1 | sed 's/^/  /'; then
            echo "cluster-test: the image did not build or failed its checks" >&2
            exit 1
        fi
        image=${names[0]}
    fi
    podman image exists "$image" || { echo "cluster-test: UNROLLEDGAN_IMAGE: no image '$image'" >&2; exit 2; }
fi

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

# Mutual TLS between every silo and for the client: a development CA and one certificate per host. A container gets
# its own certificate and the CA's (never the CA's key) in a read-only folder, as a pod mounts its Secret.
if $containers; then
    mkdir -p "$work/certs" && chown "$uid:$uid" "$work/certs"
    podman run --rm --network none --read-only -v "$work/certs:/certs" "$image" certs /certs "${hosts[@]}" cl >/dev/null
    for host in "${hosts[@]}" cl; do
        mkdir -p "$work/tls/$host"
        cp "$work/certs/ca.crt" "$work/certs/$host.crt" "$work/certs/$host.key" "$work/tls/$host/"
        chown -R "$uid:$uid" "$work/tls/$host" && chmod 0440 "$work/tls/$host"/*
    done
    tls() { echo "Tls__CertificateFile=/etc/unrolledgan/tls/$1.crt Tls__KeyFile=/etc/unrolledgan/tls/$1.key Tls__CaFile=/etc/unrolledgan/tls/ca.crt"; }
else
    "$SILO" certs "$work/certs" "${hosts[@]}" cl >/dev/null
    tls() { echo "Tls__CertificateFile=$work/certs/$1.crt Tls__KeyFile=$work/certs/$1.key Tls__CaFile=$work/certs/ca.crt"; }
fi

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

# A container of the image on a host's network namespace, with the security settings deploy/kubernetes gives pods.
# Writable: only /tmp and the volumes the caller mounts.
silo_memory=2g
declare -A container
run_count=0
pod() {
    local host=$1 memory=$2
    shift 2
    podman run --label "unrolledgan.cluster-test=$tag" --network "ns:/run/netns/$tag-$host" \
        --user "$uid:$uid" --read-only --cap-drop ALL --security-opt no-new-privileges --memory "$memory" \
        --tmpfs /tmp -v "$work/tls/$host:/etc/unrolledgan/tls:ro" "$@"
}

# The database's connection string as a pod gets it: a read-only file (Database:ConnectionStringFile).
connection_file() {
    local run=$1
    mkdir -p "$work/database/$run"
    connection "$run" >"$work/database/$run/connection-string"
    chown -R "$uid:$uid" "$work/database/$run" && chmod 0440 "$work/database/$run/connection-string"
}

# The same settings for a silo in either mode.
silo_settings() {
    local host=$1
    echo Cluster__Provider=postgres Cluster__Address="${address[$host]}" Cluster__SiloName="$host" \
        Workers__CpuSlots=1 Workers__Gpus=none Workers__PollInterval=00:00:01 \
        Workers__HeartbeatPeriod=00:00:02 Workers__LeaseTimeout=00:00:12 Workers__RunSilenceTimeout=00:01:30 \
        Dashboard__Port=0 Telemetry__PrometheusPort=0
}

# Started directly, not through a function, so that $! is the silo itself (ip netns exec and env exec it), or, for
# a container, the podman client attached to it, which ends with it. The logs folder is on its command line so the
# exit trap finds every process of this run by its work folder.
start_silo() {
    local host=$1 run=$2
    mkdir -p "$work/logs/$run/$host"
    if $containers; then
        mkdir -p "$work/results/$run"
        chown "$uid:$uid" "$work/results/$run" "$work/logs/$run/$host"
        connection_file "$run"
        run_count=$((run_count + 1))
        container[$host]=$tag-$host-$run_count
        local settings=()
        # shellcheck disable=SC2046 # NAME=value words
        for setting in $(tls "$host") $(silo_settings "$host") Database__ConnectionStringFile=/etc/unrolledgan/database/connection-string; do
            settings+=(-e "$setting")
        done
        pod "$host" "$silo_memory" --name "${container[$host]}" "${settings[@]}" -v "$work/database/$run:/etc/unrolledgan/database:ro" \
            -v "$work/results/$run:/results" -v "$work/logs/$run/$host:/logs" "$image" >>"$work/logs/$run/$host.out" 2>&1 &
    else
        # shellcheck disable=SC2046 # tls and silo_settings print NAME=value words
        ip netns exec "$tag-$host" env $(tls "$host") $(silo_settings "$host") \
            ConnectionStrings__Cluster="$(connection "$run")" Results__Folder="$work/results/$run" \
            "$SILO" --Logs:Folder="$work/logs/$run/$host" >>"$work/logs/$run/$host.out" 2>&1 &
    fi
    pid[$host]=$!
    # Not this shell's job: a silo killed on purpose is not reported as one.
    disown "${pid[$host]}"
}

# The host's PID of the silo: the process itself, or its container's first process.
silo_pid() {
    if $containers; then
        podman inspect -f '{{.State.Pid}}' "${container[$1]}" 2>/dev/null | grep -v '^0$' || true
    else
        echo "${pid[$1]}"
    fi
}

# The podman client attached to a container ends with it; a container not created yet is starting, not dead.
silo_alive() {
    kill -0 "${pid[$1]}" 2>/dev/null || return 1
    ! $containers || [ "$(podman inspect -f '{{.State.Status}}' "${container[$1]}" 2>/dev/null || echo starting)" != exited ]
}

# The trainers a silo runs: its child processes, found from the host (the silo starts each with --parent-pid).
trainers_of() {
    local silo
    silo=$(silo_pid "$1")
    [ -z "$silo" ] || pgrep -P "$silo" -f -- "--parent-pid" || true
}

# A process's memory cgroup file, e.g. memory.limit_in_bytes (cgroup v1, as here) or memory.max (v2).
memory_cgroup_file() {
    local path
    path=$(awk -F: '$2 == "memory" || $2 == "" { print $3; exit }' "/proc/$1/cgroup" 2>/dev/null)
    for folder in "/sys/fs/cgroup/memory$path" "/sys/fs/cgroup$path"; do
        [ -f "$folder/$2" ] && { echo "$folder/$2"; return; }
    done
}

# The highest memory use of any silo container so far (its trainers included), in MiB.
peak_mib=0
note_peak_memory() {
    local silo file
    silo=$(silo_pid "$1")
    [ -n "$silo" ] || return 0
    file=$(memory_cgroup_file "$silo" memory.max_usage_in_bytes)
    [ -n "$file" ] || file=$(memory_cgroup_file "$silo" memory.peak)
    [ -n "$file" ] || return 0
    local mib=$(($(cat "$file") / 1048576))
    [ $mib -le $peak_mib ] || peak_mib=$mib
}

# What the kernel says about a running silo and one of its trainers: in a container, the user, the capabilities,
# no_new_privs, the read-only root and the memory limit the manifests ask for; in either mode, jemalloc mapped into
# the trainer (the silo preloads UNROLLEDGAN_ALLOCATOR's library).
check_processes() {
    local host="" trainer="" silo deadline=$((SECONDS + 240))
    while [ -z "$trainer" ] && [ $SECONDS -lt $deadline ]; do
        for host in "${hosts[@]}"; do
            trainer=$(trainers_of "$host" | head -n 1)
            [ -n "$trainer" ] && break
        done
        sleep 0.5
    done
    [ -n "$trainer" ] || { echo "cluster-test: no silo started a trainer within 240 s" >&2; exit 1; }
    silo=$(silo_pid "$host")
    local problems=() said
    grep -q libjemalloc "/proc/$trainer/maps" 2>/dev/null || problems+=("its trainer (PID $trainer) has no jemalloc mapped")
    said="its trainer (PID $trainer) has jemalloc mapped"
    if $containers; then
        for process in "$silo" "$trainer"; do
            grep -qE "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid\s*$" "/proc/$process/status" || problems+=("PID $process is not uid $uid")
            grep -qE '^CapEff:\s+0+$' "/proc/$process/status" || problems+=("PID $process has capabilities")
            grep -qE '^NoNewPrivs:\s+1$' "/proc/$process/status" || problems+=("PID $process may gain privileges")
        done
        awk '$5 == "/" { print $6 }' "/proc/$silo/mountinfo" | grep -qE '(^|,)ro(,|$)' || problems+=("its root is writable")
        local limit file
        file=$(memory_cgroup_file "$silo" memory.limit_in_bytes)
        [ -n "$file" ] || file=$(memory_cgroup_file "$silo" memory.max)
        limit=$(cat "$file" 2>/dev/null || echo none)
        [ "$limit" = $((${silo_memory%g} * 1073741824)) ] || problems+=("its memory limit is $limit, not $silo_memory")
        said="uid $uid, no capabilities, no_new_privs, read-only root, memory limit $silo_memory; $said"
    fi
    if [ ${#problems[@]} -gt 0 ]; then
        echo "cluster-test: silo $host: $(IFS=';'; echo "${problems[*]}")" >&2
        exit 1
    fi
    echo "    $host: $said"
}

# A node dying: kill -9 of the silo, or of its whole container.
kill_silo() {
    local host=$1
    if $containers; then podman kill -s KILL "${container[$host]}" >/dev/null; else kill -9 "${pid[$host]}"; fi
    unset "pid[$host]"
}

wait_ready() {
    local host=$1 run=$2 deadline=$((SECONDS + 90))
    until grep -q "^silo ready" "$work/logs/$run/$host.out" 2>/dev/null; do
        silo_alive "$host" || { echo "cluster-test: silo $host exited: $(tail -n 3 "$work/logs/$run/$host.out")" >&2; exit 1; }
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

# SIGTERM, as Kubernetes stops a pod: the silo passes it to its trainers, which checkpoint, then leaves the cluster.
stop_silo() {
    local host=$1
    if $containers; then
        [ -n "${container[$host]:-}" ] || return 0
        note_peak_memory "$host"
        podman stop -t 120 "${container[$host]}" >/dev/null 2>&1 || true
        podman rm -f "${container[$host]}" >/dev/null 2>&1 || true
        unset "container[$host]"
    else
        kill -TERM "${pid[$host]}" 2>/dev/null || return 0
        timeout 120 tail --pid="${pid[$host]}" -f /dev/null || kill -9 "${pid[$host]}" 2>/dev/null || true
    fi
    unset "pid[$host]"
}

# The sweep client on its own host. In a container, each argument that is a file of this run's folder (a spec) is
# mounted read-only at the same path.
if $containers; then
    client() {
        local options=() argument
        # shellcheck disable=SC2046 # NAME=value words
        for setting in $(tls cl) XDG_STATE_HOME=/tmp; do options+=(-e "$setting"); done
        for argument in "$@"; do
            if [[ $argument == "$work"/* && -f $argument ]]; then options+=(-v "$argument:$argument:ro"); fi
        done
        pod cl 512m --rm "${options[@]}" --entrypoint /app/client/UnrolledGan.SweepClient "$image" "$@" --gateway "$gateways"
    }
else
    # shellcheck disable=SC2046
    client() { in_host cl env $(tls cl) "$CLIENT" "$@" --gateway "$gateways"; }
fi

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

# Trainer processes running on a host: in its network namespace, so a trainer whose silo was killed still counts.
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
    if $containers; then
        connection_file "$1"
        pod s1 512m --rm -e Database__ConnectionStringFile=/etc/unrolledgan/database/connection-string \
            -v "$work/database/$1:/etc/unrolledgan/database:ro" "$image" db migrate >/dev/null
    else
        in_host s1 env ConnectionStrings__Cluster="$(connection "$1")" "$SILO" db migrate >/dev/null
    fi
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
    check_processes
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
    kill_silo s1
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
    while silo_alive s2 && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if silo_alive s2; then
        echo "    the cut-off silo still runs 90 s after the link returned" >&2
    else
        echo "    the cut-off silo stopped itself $(elapsed "$t" "$(now)") s after the cut"
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
        silo_alive "$host" || { echo "cluster-test: silo $host did not ride out the outage" >&2; exit 1; }
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
if $containers; then
    say "silos ran as containers of $image; the most memory one used was $peak_mib MiB of its $silo_memory"
fi
tables=$([ $differing -eq 0 ] && echo "tables identical" || echo "tables differ in $differing scenario(s)")
echo "faults: $count scenarios, lost $lost_total, duplicated $duplicated_total, $tables"
if [ $lost_total -eq 0 ] && [ $duplicated_total -eq 0 ] && [ $differing -eq 0 ]; then
    passed=true
else
    exit 1
fi
