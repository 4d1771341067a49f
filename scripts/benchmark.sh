#!/usr/bin/env bash
# Trainer speed and memory. Three modes:
#
#   bash scripts/benchmark.sh [ARGS]
#     Per experiment (issue 4, "Speed"): steps per second and peak RSS at K = 0 and K = 10 on each experiment's quick
#     preset, one trainer process per experiment so each peak RSS is its own. Prints the trainer's own tables, then one
#     summary line per experiment. ARGS go to every `UnrolledGan.Trainer benchmark` (e.g. --timed-steps 50). The 2-D
#     mixture's full benchmark (K ∈ {0,1,5,10} and the RSS drift run) is `UnrolledGan.Trainer benchmark` alone.
#
#   bash scripts/benchmark.sh --against-pytorch [--rounds N]
#     Our trainer against bench/pytorch/unrolled_gan.py, the same GAN in PyTorch (Debian's python3-torch on OpenBLAS,
#     installed here), one thread each, at K ∈ {0,1,5,10} for the paper and notebook presets. For each K the two run
#     one after the other, which goes first alternating by round, with the same allocator preloaded on both sides:
#     jemalloc, then glibc malloc. Prints steps/s and the ratio ours ÷ PyTorch, the median of N rounds (default 3).
#
#   bash scripts/benchmark.sh --allocators [--rounds N] [--preset P]
#     The trainer under glibc malloc, jemalloc, tcmalloc and mimalloc, interleaved per K (README, "Allocator").
#
#   bash scripts/benchmark.sh --commits A,B,... [--rounds N] [--preset P]
#     What each commit did to the trainer's speed: builds the trainer of every commit once, in its own worktree under
#     $UNROLLEDGAN_BENCH_CACHE (default /tmp/unrolledgan-bench), then times them interleaved per K, which goes first
#     rotating by round, all with jemalloc, and prints the median steps/s of N rounds and the ratio to the first commit.
#     Each build warms up for the same steps (at least 2 s at its K), whatever its own benchmark's default was.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# Timed steps per K: about the same seconds for each cell (the notebook's 2-layer discriminator costs about twice as much).
timed_steps() {
    local k=$1 preset=$2 steps
    case $k in 0) steps=400 ;; 1) steps=300 ;; 5) steps=150 ;; *) steps=100 ;; esac
    [ "$preset" = notebook ] && steps=$((steps / 2))
    echo "$steps"
}

# One timed K of our trainer under an allocator: prints "steps/s cpu-ms/step quiet-steps/s".
ours() {
    local allocator=$1 preset=$2 k=$3
    UNROLLEDGAN_ALLOCATOR=$allocator trainer benchmark --preset "$preset" --unrolls "$k" --memory-steps 0 \
        --warmup-steps 20 --timed-steps "$(timed_steps "$k" "$preset")" | awk '$1 ~ /^[0-9]+$/ { print $2, $5, $6 }'
}

# The same for the PyTorch reference.
pytorch() {
    local allocator=$1 preset=$2 k=$3 library
    library=$(allocator_library "$allocator")
    LD_PRELOAD=$library OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 LD_LIBRARY_PATH=$OPENBLAS \
        /usr/bin/python3 bench/pytorch/unrolled_gan.py --preset "$preset" --unrolls "$k" --warmup-steps 20 \
        --timed-steps "$(timed_steps "$k" "$preset")" | awk '$1 ~ /^[0-9]+$/ { print $2, $3, $4 }'
}

against_pytorch() {
    local rounds=$1
    # Debian links python3-torch against the reference BLAS by default; OpenBLAS is what a PyTorch user runs.
    ensure_apt_packages python3-torch libopenblas0-pthread libjemalloc2
    OPENBLAS=/usr/lib/$(uname -m)-linux-gnu/openblas-pthread
    local log
    log=$(mktemp)
    trap "rm -f '$log'" EXIT
    echo "ours: $TRAINER; PyTorch: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') on OpenBLAS; $rounds round(s)"
    for round in $(seq 1 "$rounds"); do
        for preset in paper notebook; do
            for allocator in jemalloc glibc; do
                for k in 0 1 5 10; do
                    local sides=(ours pytorch)
                    [ $((round % 2)) -eq 0 ] && sides=(pytorch ours)
                    for side in "${sides[@]}"; do
                        echo "$allocator $preset $k $round $side $($side "$allocator" "$preset" "$k")" | tee -a "$log"
                    done
                done
            done
        done
    done
    /usr/bin/python3 bench/pytorch/summarize.py "$log"
}

allocators() {
    local rounds=$1 preset=$2 names=(glibc jemalloc tcmalloc mimalloc) log
    ensure_apt_packages libjemalloc2 libgoogle-perftools4 libmimalloc2.0
    log=$(mktemp)
    trap "rm -f '$log'" EXIT
    for round in $(seq 1 "$rounds"); do
        for k in 0 1 5 10; do
            for i in 0 1 2 3; do
                local allocator=${names[$(((i + round + k) % 4))]}
                echo "$allocator $k $(ours "$allocator" "$preset" "$k")" | tee -a "$log"
            done
        done
    done
    echo
    echo "$preset preset, median of $rounds round(s): steps/s (CPU ms per step)"
    for allocator in "${names[@]}"; do
        printf '%-9s' "$allocator"
        for k in 0 1 5 10; do
            printf '  K=%-2s %7.1f (%6.2f)' "$k" \
                "$(awk -v a="$allocator" -v k="$k" '$1 == a && $2 == k { print $3 }' "$log" | median)" \
                "$(awk -v a="$allocator" -v k="$k" '$1 == a && $2 == k { print $4 }' "$log" | median)"
        done
        echo
    done
}

# The trainer of one commit, built once into a worktree of its own; prints the program's path.
commit_trainer() {
    local sha folder
    sha=$(git rev-parse --verify "$1^{commit}") || { echo "error: --commits: '$1' is not a commit" >&2; exit 2; }
    folder=${UNROLLEDGAN_BENCH_CACHE:-/tmp/unrolledgan-bench}/$sha
    if [ ! -x "$folder/$TRAINER" ]; then
        [ -d "$folder" ] || git worktree add --detach --quiet "$folder" "$sha" >&2
        echo "building the trainer of $(git log -1 --format='%h %s' "$sha" | cut -c1-70)" >&2
        dotnet build "$folder/src/Trainer/UnrolledGan.Trainer/UnrolledGan.Trainer.csproj" -c Release -nologo -v q \
            -clp:"ErrorsOnly;NoSummary" >&2
    fi
    echo "$folder/$TRAINER"
}

commits() {
    local rounds=$1 preset=$2 list=$3 log library programs=() names=()
    IFS=, read -r -a names <<<"$list"
    [ ${#names[@]} -ge 2 ] || { echo "error: --commits: name at least two commits, comma-separated" >&2; exit 2; }
    for name in "${names[@]}"; do
        programs+=("$(commit_trainer "$name")")
    done
    library=$(allocator_library jemalloc)
    log=$(mktemp)
    trap "rm -f '$log'" EXIT
    local n=${#names[@]}
    for round in $(seq 1 "$rounds"); do
        for k in 0 1 5 10; do
            local warmup
            case $k in 0) warmup=1000 ;; 1) warmup=600 ;; 5) warmup=300 ;; *) warmup=200 ;; esac
            [ "$preset" = notebook ] && warmup=$((warmup / 2))
            for i in $(seq 0 $((n - 1))); do
                local c=$(((i + round) % n))
                echo "$c $k $(LD_PRELOAD=$library "${programs[$c]}" benchmark --preset "$preset" --unrolls "$k" --memory-steps 0 \
                    --warmup-steps "$warmup" --timed-steps "$(timed_steps "$k" "$preset")" | awk '$1 ~ /^[0-9]+$/ { print $2 }')" \
                    | tee -a "$log"
            done
        done
    done
    echo
    echo "$preset preset, jemalloc, median of $rounds round(s): steps/s (ratio to ${names[0]})"
    for c in $(seq 0 $((n - 1))); do
        printf '%-12s' "${names[$c]}"
        for k in 0 1 5 10; do
            local rate base
            rate=$(awk -v c="$c" -v k="$k" '$1 == c && $2 == k { print $3 }' "$log" | median)
            base=$(awk -v k="$k" '$1 == 0 && $2 == k { print $3 }' "$log" | median)
            printf '  K=%-2s %7.1f (%.2f)' "$k" "$rate" "$(awk -v a="$rate" -v b="$base" 'BEGIN { print a / b }')"
        done
        echo
    done
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

per_experiment() {
    local summary=()
    for experiment in mixture-of-gaussians rnn-mnist stacked-mnist colored-mnist cifar10; do
        # The 2-D mixture takes milliseconds per step, the image experiments a tenth of a second or more.
        local extra=(--timed-steps 30)
        [ "$experiment" = mixture-of-gaussians ] && extra=(--timed-steps 300)
        # No CIFAR-10 ships with this machine; App. D's model is timed on MNIST unless the batches are installed.
        [ "$experiment" = cifar10 ] && ! ls data/cifar10/*data_batch_1.bin data/cifar10/*/data_batch_1.bin >/dev/null 2>&1 \
            && extra+=(--set dataset=mnist)
        local output k0 k10 rss
        output=$(trainer benchmark --experiment "$experiment" --unrolls 0,10 --memory-steps 0 --warmup-steps 3 \
            "${extra[@]}" "$@")
        echo "$output"
        k0=$(awk '$1 == "0" { print $2 }' <<<"$output")
        k10=$(awk '$1 == "10" { print $2 }' <<<"$output")
        rss=$(awk '/peak RSS/ { print $3 }' <<<"$output")
        summary+=("$(printf '%-22s %10s %10s %10s %12s' "$experiment" "$k0" "$k10" \
            "$(awk -v a="$k10" -v b="$k0" 'BEGIN { printf "%.3f", a / b }')" "$rss MB")")
    done
    echo
    printf '%-22s %10s %10s %10s %12s\n' experiment "K=0 st/s" "K=10 st/s" "ratio" "peak RSS"
    printf '%s\n' "${summary[@]}"
}

mode=per-experiment rounds=3 preset=paper
case ${1:-} in
    --against-pytorch) mode=against-pytorch; shift ;;
    --allocators) mode=allocators; shift ;;
    --commits) mode=commits; list=${2:?--commits needs commits, comma-separated}; shift 2 ;;
esac
if [ "$mode" != per-experiment ]; then
    while [ $# -gt 0 ]; do
        case $1 in
            --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
            --preset) preset=${2:?--preset needs paper or notebook}; shift 2 ;;
            *) echo "error: $1: unknown option for --$mode (known: --rounds N, --preset P)" >&2; exit 2 ;;
        esac
    done
    [[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "error: --rounds: expected a positive integer, got '$rounds'" >&2; exit 2; }
fi
bash scripts/setup.sh
case $mode in
    against-pytorch) against_pytorch "$rounds" ;;
    allocators) allocators "$rounds" "$preset" ;;
    commits) commits "$rounds" "$preset" "$list" ;;
    *) per_experiment "$@" ;;
esac
