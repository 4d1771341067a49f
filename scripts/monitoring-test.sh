#!/usr/bin/env bash
# The Grafana dashboard, drawn from a real Prometheus. Debian's Prometheus (2.42) scrapes two silos on this machine
# with deploy/monitoring/prometheus-hosts.yaml as shipped: the silos demand their metrics token (Access:MetricsTokenFile) and
# Prometheus sends it as a bearer token read from a file. promtool checks that configuration first. A short sweep
# runs through the cluster: one job succeeds, the other needs more memory than the silos' trainer limit, so it fails,
# is retried once and fails for good. Beside it a second sweep's one long job trains, and while it does, every query
# of deploy/monitoring/grafana-dashboard.json goes through Prometheus' HTTP API as Grafana would send it
# (scripts/monitoring-report.mjs), and a panel-by-panel report is printed. A query with no data fails the test,
# naming its panel; so does a count the dashboard would show wrongly (jobs succeeded, failed, retried, silos, slots).
#
# usage: bash scripts/monitoring-test.sh        (after scripts/setup.sh; one to two minutes)
# The only change to the shipped file: its scrape interval, 15 s, becomes 5 s, so that a one-minute test has rates.
# Prometheus and the silos listen on free loopback ports, keep everything in a temporary folder, and are stopped on
# every exit path; the folder is kept (and printed) when the test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/postgres.sh
source scripts/debian-tools.sh
[ -n "${UNROLLEDGAN_SKIP_SETUP:-}" ] || bash scripts/setup.sh
command -v curl >/dev/null || ensure_apt_packages curl

SILO=$PWD/$SILO
CLIENT=$PWD/$CLIENT
scrape_seconds=5
began=$SECONDS
prometheus_tools=$(debian_tool prometheus)
prometheus_bin=$prometheus_tools/usr/bin/prometheus
promtool=$prometheus_tools/usr/bin/promtool

work=$(mktemp -d /tmp/unrolledgan-monitoring-XXXXXX)
passed=false
declare -A pid
cleanup() {
    set +e
    for name in "${!pid[@]}"; do kill -TERM "${pid[$name]}" 2>/dev/null; done
    for name in "${!pid[@]}"; do
        timeout 30 tail --pid="${pid[$name]}" -f /dev/null || kill -9 "${pid[$name]}" 2>/dev/null
    done
    if $passed; then rm -rf "$work"; else echo "monitoring-test: logs kept in $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "[$(date +%H:%M:%S)] $*"; }
fail() { echo "monitoring-test: $*" >&2; exit 1; }

# A port p with p + 1 free too: instance 0 listens on p, instance 1 on p + 1.
free_port_pair() {
    local port
    while true; do
        port=$(free_port)
        (exec 3<>"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null || { echo "$port"; return; }
    done
}
silo_port=$(free_port_pair)
gateway_port=$(free_port_pair)
metrics_port=$(free_port_pair)
prometheus_port=$(free_port)
gateway=127.0.0.1:$gateway_port
prometheus=http://127.0.0.1:$prometheus_port

# Prometheus' folder: the shipped configuration with what it reads beside it, the token and the silos' addresses.
mkdir -p "$work/prometheus" "$work/client"
config=$work/prometheus/prometheus.yml
sed -E "s/^(  (scrape|evaluation)_interval:) 15s$/\1 ${scrape_seconds}s/" deploy/monitoring/prometheus-hosts.yaml >"$config"
[ "$(grep -c "_interval: ${scrape_seconds}s$" "$config")" = 2 ] || fail "prometheus-hosts.yaml no longer sets its intervals as '  scrape_interval: 15s'"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/prometheus/metrics-token"
printf -- '- targets:\n    - 127.0.0.1:%s\n    - 127.0.0.1:%s\n' "$metrics_port" "$((metrics_port + 1))" >"$work/prometheus/silos.yaml"
say "promtool check config (Debian's $("$promtool" --version 2>&1 | awk 'NR == 1 { print $3 }'))"
"$promtool" check config "$config" || fail "promtool rejects deploy/monitoring/prometheus-hosts.yaml"
"$promtool" test rules deploy/monitoring/duration-queries.test.yaml || fail "the job-duration queries' form does not count what it should"

# Two silos on loopback, as deploy/README.md's "One machine" starts them; each ends if this script dies.
start_silo() {
    local instance=$1
    mkdir -p "$work/logs"
    XDG_STATE_HOME=$work/client "$SILO" --Cluster:Instance="$instance" --Cluster:ParentProcessId=$$ \
        --Cluster:SiloPort="$silo_port" --Cluster:GatewayPort="$gateway_port" \
        --Telemetry:PrometheusHost=127.0.0.1 --Telemetry:PrometheusPort="$metrics_port" \
        --Access:MetricsTokenFile="$work/prometheus/metrics-token" --Dashboard:Port=0 \
        --Workers:CpuSlots=1 --Workers:Gpus=none --Workers:TrainerMemoryLimit=512MiB \
        --Results:Folder="$work/results" --Logs:Folder="$work/logs/silo$instance" >"$work/logs/silo$instance.out" 2>&1 &
    pid[silo$instance]=$!
    local deadline=$((SECONDS + 90))
    until grep -q "^silo ready" "$work/logs/silo$instance.out" 2>/dev/null; do
        kill -0 "${pid[silo$instance]}" 2>/dev/null || fail "silo $instance exited: $(tail -n 3 "$work/logs/silo$instance.out")"
        [ $SECONDS -lt $deadline ] || fail "silo $instance did not start"
        sleep 0.5
    done
}
say "starting silos 0 and 1 (silo ports $silo_port+, gateways $gateway_port+, /metrics on $metrics_port and $((metrics_port + 1)))"
start_silo 0
start_silo 1

# The token is what lets Prometheus in: a request without it is refused.
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$metrics_port/metrics")
[ "$status" = 401 ] || fail "/metrics without the token answered $status, not 401"

say "starting Prometheus on $prometheus"
"$prometheus_bin" --config.file="$config" --storage.tsdb.path="$work/prometheus/data" \
    --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn >"$work/logs/prometheus.out" 2>&1 &
pid[prometheus]=$!

# The value of a PromQL expression's first series, or nothing.
value() {
    curl -s --get --data-urlencode "query=$1" "$prometheus/api/v1/query" 2>/dev/null | node -e '
        let text = ""; process.stdin.on("data", d => text += d).on("end", () => {
            const result = text ? JSON.parse(text).data?.result ?? [] : [];
            if (result.length) console.log(Number(result[0].value[1]));
        });'
}
# wait_for EXPR VALUE SECONDS: until the expression's value is VALUE.
wait_for() {
    local deadline=$((SECONDS + $3))
    until [ "$(value "$1")" = "$2" ]; do
        kill -0 "${pid[prometheus]}" 2>/dev/null || fail "Prometheus exited: $(tail -n 5 "$work/logs/prometheus.out")"
        [ $SECONDS -lt $deadline ] || fail "$1 is '$(value "$1")', not $2, after $3 s"
        sleep 1
    done
}
wait_for 'count(up{job="unrolledgan-hosts"} == 1)' 2 60
say "Prometheus scrapes both silos with the token"

# monitoring-a: one job succeeds; the K = 10 one needs about 600 MiB at this batch (README, "Memory"), over the silos'
# 512 MiB trainer limit, so it fails, is queued again once, and fails for good. monitoring-b trains while the
# dashboard is read, for the panels that show what runs now.
cat >"$work/monitoring-a.yaml" <<EOF
name: monitoring-a
experiment: mixture-of-gaussians
preset: quick
axes:
  unroll: [0, 10]
  seeds: 1
steps: 20
overrides: {batchSize: 8192, logInterval: 10, checkpointInterval: 10, snapshotInterval: 20}
retries: 1
EOF
cat >"$work/monitoring-b.yaml" <<EOF
name: monitoring-b
experiment: mixture-of-gaussians
preset: quick
axes:
  unroll: [0]
  seeds: 1
steps: 100000
overrides: {logInterval: 50}
EOF
client() { XDG_STATE_HOME=$work/client "$CLIENT" "$@" --gateway "$gateway"; }
# Both at once: monitoring-b's job trains in one slot while monitoring-a's jobs take turns in the other.
say "sweep monitoring-a (K = 0 succeeds; K = 10 fails over the trainer memory limit, is retried, fails) and monitoring-b (one long job)"
sweep_began=$SECONDS
client submit "$work/monitoring-a.yaml" >"$work/logs/client.out"
client submit "$work/monitoring-b.yaml" >>"$work/logs/client.out"
timeout 300 "$CLIENT" watch monitoring-a --gateway "$gateway" >>"$work/logs/client.out" 2>&1 \
    && fail "sweep monitoring-a: every job succeeded, but K = 10 should have failed"
client status monitoring-a >"$work/logs/status-a.txt" 2>&1 || true
grep -q "exceeded its memory limit" "$work/logs/status-a.txt" || fail "the K = 10 job did not fail over its memory limit: $(cat "$work/logs/status-a.txt")"
say "sweep monitoring-a ended in $((SECONDS - sweep_began)) s"

# What the dashboard must show, against what happened: Prometheus has scraped the end of monitoring-a and the
# running job of monitoring-b. A range panel shows a series once a point of its step (20 s over the dashboard's
# 6 hours) falls after the series began: wait until the running job has been scraped for 30 s.
wait_for 'count(count_over_time(unrolledgan_training_steps_per_second[30s]) >= 6)' 1 120
wait_for 'sum(unrolledgan_jobs_running)' 1 30
wait_for 'sum(unrolledgan_jobs_succeeded_total)' 1 30
wait_for 'sum(unrolledgan_jobs_failed_total)' 1 30
wait_for 'sum(unrolledgan_job_retries_total)' 1 30
wait_for 'sum(unrolledgan_job_duration_seconds_count{outcome="failed"})' 2 30
wait_for 'sum(unrolledgan_job_duration_seconds_count{outcome="succeeded"})' 1 30
wait_for 'sum(unrolledgan_worker_slots)' 2 30
wait_for 'max(orleans_consistent_ring_size)' 2 30
say "Prometheus holds the sweeps' counts: 1 succeeded, 1 retry, 1 failed for good, 1 running, 2 silos, 2 slots"

report_began=$SECONDS
node scripts/monitoring-report.mjs "$prometheus" deploy/monitoring/grafana-dashboard.json "$scrape_seconds" \
    || fail "the dashboard has panels without data"
say "report in $((SECONDS - report_began)) s"
client cancel monitoring-b >/dev/null 2>&1 || true
passed=true
say "monitoring-test: passed in $((SECONDS - began)) s"
