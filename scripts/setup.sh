#!/usr/bin/env bash
# Prepares this machine for UnrolledGan: system packages, a Release build (which applies the TorchSharp
# loading fix for Debian 12's libstdc++, see README) and a check that libtorch loads and double-backward works.
# Safe to re-run; a machine that is already set up takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

require_dotnet
# Fonts for the text in pictures; fontconfig lets SkiaSharp find them.
ensure_apt_packages fontconfig fonts-dejavu-core

echo "setup: building (Release)"
dotnet build UnrolledGan.sln -c Release -nologo -clp:"ErrorsOnly;NoSummary" -v q
"$TRAINER" check
