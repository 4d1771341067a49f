#!/usr/bin/env bash
# Builds the project's image (deploy/docker/Dockerfile) with podman on this machine, with no registry: the Debian 12
# bases are made from Debian's packages, then the image is checked from inside.
#   base      localhost/unrolledgan-base:bookworm        debootstrap --variant=minbase bookworm, imported
#   SDK base  localhost/unrolledgan-sdk:<sdk>-bookworm   the base, .NET's dependencies, and this machine's .NET SDK
#   image     localhost/unrolledgan:0.1.0-cpu            the Dockerfile on those two bases (the names the manifests use)
# A base that exists is reused; the image is built again every time (the old one is removed once replaced). Prints
# how long each step took and how big each image is. The checks run the image as the manifests run pods (non-root,
# read-only root, no capabilities, no new privileges, a memory limit): its user is 1654, it holds no SDK, the silo's
# and the sweep client's --help work, the trainer loads libtorch with jemalloc preloaded (`check`), and a silo
# starts on the read-only root.
#
# usage: bash scripts/image.sh [--backend cpu|cuda] [--check] [--names] [--remove]     (needs root)
#   --check    only check the image that exists
#   --names    print the image, SDK base and base names, one a line, and do nothing else
#   --remove   remove the images and bases this script makes, and nothing else
# SDK_IMAGE and RUNTIME_BASE name other bases (then none is made here): for cuda, RUNTIME_BASE must be NVIDIA's CUDA
# runtime image, which needs a registry, e.g.
#   SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0 RUNTIME_BASE=docker.io/nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 \
#     bash scripts/image.sh --backend cuda
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# The manifests (deploy/kubernetes) and the README name the image unrolledgan:<version>-<backend>.
VERSION=0.1.0
backend=cpu
action=build
while [ $# -gt 0 ]; do
    case $1 in
        --backend) backend=${2:-}; shift 2 ;;
        --backend=*) backend=${1#*=}; shift ;;
        --check) action=check; shift ;;
        --names) action=names; shift ;;
        --remove) action=remove; shift ;;
        *) echo "image: unknown argument '$1' (--backend cpu|cuda, --check, --names, --remove)" >&2; exit 2 ;;
    esac
done
case $backend in
    cpu | cuda) ;;
    *) echo "image: --backend: '$backend' is neither cpu nor cuda" >&2; exit 2 ;;
esac

IMAGE=localhost/unrolledgan:$VERSION-$backend
BASE=localhost/unrolledgan-base:bookworm
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet || echo /usr/share/dotnet/dotnet)")")
sdk_version=$(dotnet --version 2>/dev/null || echo none)
SDK=localhost/unrolledgan-sdk:$sdk_version-bookworm

if [ "$action" = names ]; then
    printf '%s\n' "$IMAGE" "$SDK" "$BASE"
    exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "image: needs root (debootstrap, and podman's runc with cgroups)" >&2; exit 2; }
ensure_apt_packages podman runc debootstrap
export CONTAINERS_CONF=$PWD/deploy/docker/containers.conf

exists() { podman image exists "$1"; }
megabytes() { podman image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if [ "$action" = remove ]; then
    for name in "localhost/unrolledgan:$VERSION-cpu" "localhost/unrolledgan:$VERSION-cuda" "$SDK" "$BASE"; do
        if exists "$name"; then podman rmi "$name" >/dev/null && echo "image: removed $name"; fi
    done
    exit 0
fi

work=$(mktemp -d /tmp/unrolledgan-image-XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# The base: Debian 12's minimal root file system, without apt's lists and downloads (every build updates them).
make_base() {
    local started root=$work/root
    started=$(now)
    echo "image: making $BASE (debootstrap --variant=minbase bookworm)"
    if ! debootstrap --variant=minbase bookworm "$root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
        >"$work/debootstrap.log" 2>&1; then
        tail -n 5 "$work/debootstrap.log" >&2
        echo "image: debootstrap failed" >&2
        exit 1
    fi
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root/etc/resolv.conf"
    tar --numeric-owner -C "$root" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
    rm -rf "$root"
    echo "image: base $BASE made in $(since "$started") s, $(megabytes "$BASE")"
}

# The SDK base, for the build stage only: Debian 12 has no .NET package, so this machine's own SDK is copied in, and
# the certificate authorities this machine added (/usr/local/share/ca-certificates) are trusted as here, so that
# restore reaches the NuGet source this machine reaches. Both are mounted only for the copy.
make_sdk_base() {
    local started
    started=$(now)
    require_dotnet
    echo "image: making $SDK (the base, .NET's dependencies, and the SDK from $dotnet_root)"
    mkdir -p "$work/sdk"
    cat >"$work/sdk/Containerfile" <<EOF
FROM $BASE
RUN apt-get update \\
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates libicu72 libssl3 tzdata zlib1g \\
    && rm -rf /var/lib/apt/lists/*
RUN cp -a /host-dotnet/. /usr/share/dotnet/ && ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \\
    && find /host-ca -name '*.crt' -exec cp {} /usr/local/share/ca-certificates/ ';' && update-ca-certificates >/dev/null
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
EOF
    mkdir -p "$work/no-ca"
    local authorities=$work/no-ca
    [ -d /usr/local/share/ca-certificates ] && authorities=/usr/local/share/ca-certificates
    podman build --layers=false --force-rm --network host -v "$dotnet_root:/host-dotnet:ro" -v "$authorities:/host-ca:ro" \
        -t "$SDK" "$work/sdk" \
        >"$work/sdk.log" 2>&1 || { tail -n 20 "$work/sdk.log" >&2; echo "image: the SDK base did not build" >&2; exit 1; }
    echo "image: SDK base $SDK made in $(since "$started") s, $(megabytes "$SDK")"
}

build_image() {
    local started previous args=()
    if [ -n "${SDK_IMAGE:-}${RUNTIME_BASE:-}" ]; then
        args+=(--build-arg "SDK_IMAGE=${SDK_IMAGE:-mcr.microsoft.com/dotnet/sdk:10.0}")
        [ -n "${RUNTIME_BASE:-}" ] && args+=(--build-arg "RUNTIME_BASE=$RUNTIME_BASE")
    else
        [ "$backend" = cpu ] || {
            echo "image: --backend cuda needs NVIDIA's CUDA runtime image as RUNTIME_BASE (and SDK_IMAGE of the same" \
                "Ubuntu release), which no Debian package makes; see the usage at the top of this script" >&2
            exit 2
        }
        if exists "$BASE"; then echo "image: reusing $BASE"; else make_base; fi
        if exists "$SDK"; then echo "image: reusing $SDK"; else make_sdk_base; fi
        args+=(--build-arg "SDK_IMAGE=$SDK" --build-arg "RUNTIME_BASE=$BASE")
    fi
    # Restore reads this machine's NuGet packages (an overlay: the build never writes into them) and reaches its
    # NuGet source through the host's network; the build's RUN steps are capped at 6 GiB.
    local packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
    if [ -d "$packages" ]; then
        args+=(--build-arg NUGET_PACKAGES=/nuget -v "$packages:/nuget:O")
    fi
    previous=$(podman image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
    started=$(now)
    echo "image: building $IMAGE (log: $work/build.log while it runs)"
    if ! timeout 3600 podman build --layers=false --force-rm --network host --memory 6g \
        -f deploy/docker/Dockerfile --ignorefile deploy/docker/Dockerfile.dockerignore \
        --build-arg "BACKEND=$backend" "${args[@]}" -t "$IMAGE" . >"$work/build.log" 2>&1; then
        tail -n 30 "$work/build.log" >&2
        echo "image: $IMAGE did not build" >&2
        exit 1
    fi
    echo "image: $IMAGE built in $(since "$started") s, $(megabytes "$IMAGE")"
    if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect -f '{{.Id}}' "$IMAGE")" ]; then
        podman rmi "$previous" >/dev/null 2>&1 || true
    fi
}

# Runs the image as a pod of the manifests runs: read-only root, no capabilities, no new privileges, a memory limit.
in_image() {
    local entrypoint=$1
    shift
    timeout 300 podman run --rm --read-only --cap-drop ALL --security-opt no-new-privileges --memory 2g \
        --tmpfs /tmp --network none --entrypoint "$entrypoint" "$IMAGE" "$@"
}

failures=0
expect() {
    local what=$1 output=$2 pattern=$3
    if grep -qE -- "$pattern" <<<"$output"; then
        echo "image: ok: $what"
    else
        echo "image: FAILED: $what; it printed:" >&2
        sed 's/^/    /' <<<"$output" | tail -n 10 >&2
        failures=$((failures + 1))
    fi
}

check_image() {
    exists "$IMAGE" || { echo "image: $IMAGE does not exist; bash scripts/image.sh builds it" >&2; exit 1; }
    local started output
    started=$(now)
    expect "runs as uid 1654 by default" "$(in_image id -u 2>&1)" '^1654$'
    expect "holds no .NET SDK" "SDKs: [$(in_image /usr/share/dotnet/dotnet --list-sdks 2>&1 | tr '\n' ' ')]" '^SDKs: \[\]$'
    expect "holds the .NET 10 runtime" "$(in_image /usr/share/dotnet/dotnet --list-runtimes 2>&1)" '^Microsoft.NETCore.App 10\.'
    # What .NET and Npgsql load by name at run time, so that no link check finds them missing.
    expect "the libraries loaded at run time are installed (OpenSSL, ICU, GSSAPI, zlib, libgomp, jemalloc)" \
        "$(in_image sh -c 'missing=""; for library in libssl.so.3 libicuuc.so libgssapi_krb5.so.2 libz.so.1 libgomp.so.1 libjemalloc.so.2; do
                               ldconfig -p | grep -q "[[:space:]]$library" || missing="$missing $library"; done
                           echo "missing:${missing:- none}"' 2>&1)" '^missing: none$'
    expect "UnrolledGan.Silo --help" "$(in_image /app/silo/UnrolledGan.Silo --help 2>&1 && echo "exit 0")" '^exit 0$'
    expect "UnrolledGan.SweepClient --help" "$(in_image /app/client/UnrolledGan.SweepClient --help 2>&1 && echo "exit 0")" '^exit 0$'
    # What the silo preloads into every trainer (UNROLLEDGAN_ALLOCATOR=jemalloc, found by path as TrainerAllocator does).
    output=$(in_image sh -c 'for d in /usr/lib/$(uname -m)-linux-gnu /usr/lib64 /usr/lib; do
                                 [ -f $d/libjemalloc.so.2 ] && exec env LD_PRELOAD=$d/libjemalloc.so.2 "$@"; done
                             echo "libjemalloc.so.2 is not installed"' sh /app/trainer/UnrolledGan.Trainer check 2>&1)
    if [ "$backend" = cpu ]; then
        expect "the trainer loads libtorch with jemalloc (check)" "$output" '^ok: .*jemalloc malloc, double backward works'
    else
        expect "the trainer loads libtorch with jemalloc (check)" "$output" '^ok: .*CUDA .*jemalloc malloc, double backward works'
    fi
    expect "UNROLLEDGAN_ALLOCATOR=jemalloc in the image" \
        "$(podman image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE")" '^UNROLLEDGAN_ALLOCATOR=jemalloc$'
    # A silo on the read-only root, with writable /results and /logs as the Deployment mounts them.
    mkdir -p "$work/results" "$work/logs"
    chown 1654:1654 "$work/results" "$work/logs"
    local name=unrolledgan-image-check-$$
    podman run -d --name "$name" --read-only --cap-drop ALL --security-opt no-new-privileges --memory 2g --tmpfs /tmp \
        --network none -v "$work/results:/results" -v "$work/logs:/logs" "$IMAGE" >/dev/null
    local deadline=$((SECONDS + 120))
    until podman logs "$name" 2>&1 | grep -q '^silo ready' || [ $SECONDS -ge $deadline ] ||
        [ "$(podman inspect -f '{{.State.Running}}' "$name")" != true ]; do
        sleep 1
    done
    output=$(podman logs "$name" 2>&1 | tail -n 20)
    podman stop -t 60 "$name" >/dev/null 2>&1 || true
    output+=$'\n'"exit $(podman inspect -f '{{.State.ExitCode}}' "$name")"
    podman rm -f "$name" >/dev/null 2>&1 || true
    expect "a silo starts on the read-only root and stops on SIGTERM" "$output" '^silo ready'
    expect "... and exits 0" "$output" '^exit 0$'
    echo "image: checks took $(since "$started") s"
    [ $failures -eq 0 ] || { echo "image: $failures check(s) of $IMAGE failed" >&2; exit 1; }
}

if [ "$action" = build ]; then
    build_image
fi
check_image
if [ "$action" = build ]; then
    echo "image: kept; remove the image and its bases with: bash scripts/image.sh --remove" \
        "(or podman rmi $IMAGE $SDK $BASE)"
fi
