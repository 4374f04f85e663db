#!/usr/bin/env bash
# Builds the camera zygote (agent/ingest/camera-zygote.ts) into DIST/bin/edge-camera-zygote and puts its
# source beside it in DIST/native/, so a dist built elsewhere can be compiled on the box (install.sh).
#   scripts/build-zygote.sh [DIST] [SOURCE]
set -euo pipefail
DIST=${1:-dist}
SRC=${2:-$(dirname "$0")/../agent/ingest/native/camera-zygote.c}
mkdir -p "$DIST/bin" "$DIST/native"
[ "$(readlink -f "$SRC")" = "$(readlink -f "$DIST/native/camera-zygote.c")" ] || cp "$SRC" "$DIST/native/camera-zygote.c"
# shellcheck disable=SC2046 # pkg-config's flags are separate words
cc -O2 -Wall -Wextra -o "$DIST/bin/edge-camera-zygote" "$SRC" $(pkg-config --cflags --libs gstreamer-1.0)
