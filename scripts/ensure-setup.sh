#!/usr/bin/env bash
# Runs scripts/setup.sh only when this checkout lacks something it needs, so `npm test` and
# `npm run demo` each work alone on a fresh machine and stay fast on a prepared one.
set -euo pipefail
cd "$(dirname "$0")/.."
need=0
command -v gst-launch-1.0 >/dev/null || need=1
[ -x /usr/sbin/mosquitto ] || need=1
[ -d node_modules ] || need=1
[ -f node_modules/.setup-lock-hash ] && [ "$(cat node_modules/.setup-lock-hash)" = "$(sha256sum package-lock.json | cut -d' ' -f1)" ] || need=1
[ -f .setup-stamp ] || need=1
# A source file newer than the last build means the build is stale.
if [ "$need" = 0 ] && [ -n "$(find agent scripts models provisioning \( -name "*.ts" -o -name "*.c" \) -newer .setup-stamp 2>/dev/null | head -1)" ]; then need=1; fi
if [ "$need" = 1 ]; then bash scripts/setup.sh; fi
