#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 / Raspberry Pi OS / Jetson box with Node 20:
# system packages (when missing), npm dependencies (offline-safe), the TypeScript build and the model.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-rtsp
  mosquitto mosquitto-clients build-essential pkg-config openssl
  # Test deps, never the agent's: the RTSP test camera and the clip oracle run /usr/bin/python3 with gi.
  gir1.2-gst-rtsp-server-1.0 python3-gi
)
# Test and benchmark peers: the oracle photos, OpenCV for the motion benchmark, a real browser, strace
# (the outbox sync=always test watches fdatasync).
if [ "${EDGE_SETUP_TEST_DEPS:-1}" = "1" ]; then
  APT_PACKAGES+=(darknet python3-opencv chromium strace)
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# onnxruntime-node's postinstall would download CUDA files: its CPU binaries ship inside the package.
export ONNXRUNTIME_NODE_INSTALL=skip
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.setup-lock-hash ] || [ "$(cat node_modules/.setup-lock-hash)" != "$lock_hash" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.setup-lock-hash
fi

echo "setup: building TypeScript"
npx tsc -p tsconfig.json

# The native helpers: the camera zygote (agent/ingest/camera-zygote.ts: cameras forked from one
# GStreamer process share its loaded libraries) and vfork-spawn (agent/core/child-spawn.ts: children
# started without a fork of the agent). Without them the agent runs, at more memory and CPU.
echo "setup: building the native helpers"
bash scripts/build-native.sh dist

if [ -f dist/scripts/convert-model.js ]; then
  node dist/scripts/convert-model.js
fi
touch .setup-stamp
echo "setup: done"
