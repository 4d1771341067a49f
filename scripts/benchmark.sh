#!/usr/bin/env bash
# Trainer speed and memory per experiment (issue 4, "Speed"): steps per second and peak RSS at K = 0 and K = 10 on
# each experiment's quick preset, one trainer process per experiment so each peak RSS is its own. Prints the
# trainer's own tables, then one summary line per experiment. Arguments go to every `UnrolledGan.Trainer benchmark`
# (e.g. --timed-steps 50). The 2-D mixture's full benchmark (K ∈ {0,1,5,10} and the RSS drift run) is
# `UnrolledGan.Trainer benchmark` with no arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/setup.sh

summary=()
for experiment in mixture-of-gaussians rnn-mnist stacked-mnist colored-mnist cifar10; do
    # The 2-D mixture takes milliseconds per step, the image experiments a tenth of a second or more.
    extra=(--timed-steps 30)
    [ "$experiment" = mixture-of-gaussians ] && extra=(--timed-steps 300)
    # No CIFAR-10 ships with this machine; App. D's model is timed on MNIST unless the batches are installed.
    [ "$experiment" = cifar10 ] && ! ls data/cifar10/*data_batch_1.bin data/cifar10/*/data_batch_1.bin >/dev/null 2>&1 \
        && extra+=(--set dataset=mnist)
    output=$("$TRAINER" benchmark --experiment "$experiment" --unrolls 0,10 --memory-steps 0 --warmup-steps 3 \
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
