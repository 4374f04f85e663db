#!/usr/bin/env bash
# Builds the agent's native helpers into DIST and puts their sources beside them in DIST/native/, so a
# dist built elsewhere can be compiled on the box (install.sh):
#   DIST/bin/edge-camera-zygote   the camera zygote (agent/ingest/camera-zygote.ts)
#   DIST/lib/vfork-spawn.node     children started by posix_spawn, not a fork of the agent (agent/core/child-spawn.ts)
#   scripts/build-native.sh [DIST] [SOURCE-DIR]
set -euo pipefail
DIST=${1:-dist}
HERE=$(dirname "$0")/..
mkdir -p "$DIST/bin" "$DIST/lib" "$DIST/native"
for src in "${2:-$HERE/agent/ingest/native}/camera-zygote.c" "${2:-$HERE/agent/core/native}/vfork-spawn.c"; do
  [ "$(readlink -f "$src")" = "$(readlink -f "$DIST/native/$(basename "$src")")" ] || cp "$src" "$DIST/native/"
done
# shellcheck disable=SC2046 # pkg-config's flags are separate words
cc -O2 -Wall -Wextra -o "$DIST/bin/edge-camera-zygote" "$DIST/native/camera-zygote.c" $(pkg-config --cflags --libs gstreamer-1.0)
# N-API only: one build serves every Node version from 20 on. Headers: Node's own (nodedir, .npmrc).
node_include=$(node -p "require('path').join(process.execPath, '../../include/node')")
cc -O2 -Wall -Wextra -shared -fPIC -I"$node_include" -o "$DIST/lib/vfork-spawn.node" "$DIST/native/vfork-spawn.c" -lpthread
