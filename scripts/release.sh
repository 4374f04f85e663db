#!/usr/bin/env bash
# Builds versioned release tarballs: edge-agent-<version>-linux-<arch>.tar.gz (+ .sha256) with the built
# agent, production dependencies only, and only that platform's native binaries.
#   scripts/release.sh [--arch arm64|x64|all] [--out DIR]
# Native parts: onnxruntime-node and classic-level ship prebuilt binaries for both arches (the others are
# pruned); gstreamer-superficial (compiled against the box's GStreamer) and unix-dgram (systemd's notify
# socket) have none, so for a foreign arch the tarball carries their sources and install.sh builds them on
# the box (or in scripts/verify-arm64.sh's emulated root).
set -euo pipefail
cd "$(dirname "$0")/.."
ARCH=all
OUT=release
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "release.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
VERSION=$(node -p "require('./package.json').version")
HOST_ARCH=$(node -p "process.arch")
case "$ARCH" in all) ARCHES=(arm64 x64) ;; arm64|x64) ARCHES=("$ARCH") ;; *) echo "release.sh: --arch arm64|x64|all" >&2; exit 2 ;; esac
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# A fresh checkout gets its dependencies and the converted model first.
[ -d node_modules ] && [ -f models/centernet.onnx ] || bash scripts/setup.sh

# Compile this tree once into a private dist (the shared dist/ may be stale). Type errors in the agent fail
# the release; test files are not shipped, so theirs are only reported.
BUILD=$(mktemp -d)
STAGE_ROOT=""
trap 'rm -rf "$BUILD" ${STAGE_ROOT:+"$STAGE_ROOT"}' EXIT
npx tsc -p tsconfig.json --outDir "$BUILD/dist" > "$BUILD/tsc.log" 2>&1 || true
if grep -v '^test/' "$BUILD/tsc.log" | grep -q 'error TS'; then
  grep -v '^test/' "$BUILD/tsc.log" >&2; echo "release.sh: the agent does not compile" >&2; exit 1
fi
[ -f "$BUILD/dist/agent/cli/main.js" ] || { cat "$BUILD/tsc.log" >&2; echo "release.sh: tsc produced no dist" >&2; exit 1; }

for arch in "${ARCHES[@]}"; do
  name="edge-agent-$VERSION-linux-$arch"
  STAGE_ROOT=$(mktemp -d)
  stage=$STAGE_ROOT/$name
  mkdir -p "$stage/models" "$stage/scripts"
  cp -a "$BUILD/dist" pipelines package.json package-lock.json .npmrc README.md docs "$stage/"
  cp -a models/*.onnx models/*.manifest.json "$stage/models/"
  cp -a models/*.md "$stage/models/" 2>/dev/null || true
  cp -a scripts/install.sh scripts/systemd scripts/demo "$stage/scripts/"
  rm -rf "$stage/dist/test" "$stage/dist/scripts/bench"
  # The native helpers: built here for this machine's arch, else only their sources (install.sh compiles them on the box).
  mkdir -p "$stage/dist/native" && cp agent/ingest/native/camera-zygote.c agent/core/native/vfork-spawn.c "$stage/dist/native/"
  rm -rf "$stage/dist/bin" "$stage/dist/lib"
  if [ "$arch" = "$HOST_ARCH" ]; then bash scripts/build-native.sh "$stage/dist" "$stage/dist/native"; fi
  find "$stage/dist" -name '*.map' -delete
  (cd "$stage" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null)
  if [ "$arch" = "$HOST_ARCH" ]; then
    # The checkout's own build of the same version is the one its tests ran: reuse it, else compile.
    pkg_version() { node -p "require('./$1/package.json').version" 2>/dev/null; }
    for addon in gstreamer-superficial/gstreamer-superficial.node unix-dgram/unix_dgram.node; do
      pkg=node_modules/${addon%%/*}
      binary=$pkg/build/Release/${addon#*/}
      if [ -f "$binary" ] && [ "$(pkg_version "$pkg")" = "$(cd "$stage" && pkg_version "$pkg")" ]; then
        mkdir -p "$stage/$pkg/build/Release" && cp "$binary" "$stage/$binary"
      else
        (cd "$stage" && npm rebuild "${addon%%/*}" >/dev/null)
      fi
    done
  fi
  # Keep only this platform's native binaries.
  ort="$stage/node_modules/onnxruntime-node/bin"
  if [ -d "$ort" ]; then
    find "$ort" -mindepth 2 -maxdepth 2 -type d ! -name linux -exec rm -rf {} +
    find "$ort" -mindepth 3 -maxdepth 3 -type d -path '*/linux/*' ! -name "$arch" -exec rm -rf {} +
  fi
  find "$stage/node_modules" -type d -name prebuilds | while read -r pb; do
    find "$pb" -mindepth 1 -maxdepth 1 -type d ! -name "linux-$arch" -exec rm -rf {} +
  done
  rm -rf "$stage"/node_modules/{gstreamer-superficial,unix-dgram}/build/Release/obj.target "$stage/node_modules/.package-lock.json"
  # Root-owned entries (numeric, no names): extracted on the box, the code must not belong to the build
  # user's uid (1000 is the Pi's login user there).
  tar --owner=0 --group=0 --numeric-owner -C "$(dirname "$stage")" -czf "$OUT/$name.tar.gz" "$name"
  (cd "$OUT" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
  rm -rf "$STAGE_ROOT"; STAGE_ROOT=""
  echo "release.sh: $OUT/$name.tar.gz ($(du -h "$OUT/$name.tar.gz" | cut -f1))"
done
