# Debian packages unpacked into artifacts/tools/ for the tests, never installed. Source it; don't run it.
# Installing would do more than the tests want: prometheus' package starts a system Prometheus on :9090, and
# kubernetes-client's kubectl 1.20 would replace any newer kubectl on this machine.

# debian_tool PACKAGE: unpacks the package Debian offers (once per version) and prints the folder holding its files,
# e.g. artifacts/tools/prometheus_2.42.0+ds-5+deb12u1/usr/bin/promtool.
debian_tool() {
    local package=$1 version folder staging
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    version=$(apt-cache policy "$package" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    if [ -z "$version" ] || [ "$version" = "(none)" ]; then
        $sudo apt-get update -qq >&2
        version=$(apt-cache policy "$package" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    fi
    if [ -z "$version" ] || [ "$version" = "(none)" ]; then
        echo "debian_tool: Debian offers no package $package here" >&2
        return 1
    fi
    folder=$PWD/artifacts/tools/${package}_${version//:/_}
    if [ ! -f "$folder/.unpacked" ]; then
        echo "setup: unpacking Debian's $package $version into ${folder#"$PWD"/}" >&2
        staging=$(mktemp -d)
        # apt fetches as its own user where it may write; else it warns and fetches as root.
        chown _apt "$staging" 2>/dev/null || true
        (cd "$staging" && apt-get download -qq "$package=$version" >/dev/null 2>&1) \
            || { echo "debian_tool: apt-get download $package=$version failed" >&2; rm -rf "$staging"; return 1; }
        rm -rf "$folder" && mkdir -p "$folder"
        dpkg-deb -x "$staging"/*.deb "$folder"
        rm -rf "$staging"
        touch "$folder/.unpacked"
    fi
    echo "$folder"
}
