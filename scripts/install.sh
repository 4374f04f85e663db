#!/usr/bin/env bash
# Installs the edge agent on a plain Debian 12 / Raspberry Pi OS / Jetson box, from a release tarball or a
# checkout, as a supervised systemd service. Idempotent; `--uninstall` removes it (keeps data unless --purge).
#
#   sudo scripts/install.sh [--from TARBALL|DIR] [--bootstrap FILE] [--config FILE] [--trusted-key fleet.pub]
#   sudo scripts/install.sh --uninstall [--purge]
# Options for images and tests: --root DIR (install into a throw-away root), --no-apt, --no-start.
set -euo pipefail

ROOT=""
FROM=""
BOOTSTRAP=""
CONFIG=""
TRUSTED_KEY=""
UNINSTALL=0
PURGE=0
APT=1
START=1
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="${2%/}"; shift 2 ;;
    --from) FROM="$2"; shift 2 ;;
    --bootstrap) BOOTSTRAP="$2"; shift 2 ;;
    --config) CONFIG="$2"; shift 2 ;;
    --trusted-key) TRUSTED_KEY="$2"; shift 2 ;;
    --uninstall) UNINSTALL=1; shift ;;
    --purge) PURGE=1; shift ;;
    --no-apt) APT=0; shift ;;
    --no-start) START=0; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

APP="$ROOT/opt/edge-agent"
ETC="$ROOT/etc/edge-agent"
DATA="$ROOT/var/lib/edge-agent"
UNIT="$ROOT/etc/systemd/system/edge-agent.service"
USER_NAME=edge-agent
systemd_running() { [ -z "$ROOT" ] && [ -d /run/systemd/system ]; }
log() { echo "install.sh: $*"; }

if [ "$UNINSTALL" = 1 ]; then
  if systemd_running; then systemctl disable --now edge-agent.service 2>/dev/null || true; fi
  rm -f "$UNIT" "$ROOT/usr/local/bin/edge-agent"
  systemd_running && systemctl daemon-reload || true
  rm -rf "$APP"
  if [ "$PURGE" = 1 ]; then
    rm -rf "$ETC" "$DATA"
    userdel ${ROOT:+--root "$ROOT"} "$USER_NAME" 2>/dev/null || true
    groupdel ${ROOT:+--root "$ROOT"} "$USER_NAME" 2>/dev/null || true
  fi
  if [ "$PURGE" = 1 ]; then log "uninstalled (config, data and user purged)"; else log "uninstalled (kept $ETC, $DATA and the user; --purge removes them)"; fi
  exit 0
fi

# 1. Runtime system packages (GStreamer plugins the pipelines use; Node.js 20 must already be there).
if [ "$APT" = 1 ]; then
  pkgs=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
        gstreamer1.0-plugins-ugly gstreamer1.0-libav libgstreamer1.0-0 libgstreamer-plugins-base1.0-0
        systemd passwd)
  # gstreamer1.0-tools: cameras run as gst-launch-1.0 children (frames over gdppay, plugins-bad) and clips
  # are remuxed by one (tsdemux, parsers, mp4mux). util-linux (essential) brings setpriv for --pdeathsig.
  missing=()
  for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

# The agent needs Node.js >= 20 on the box (NodeSource, Debian's nodejs, or the official build).
if [ -z "$ROOT" ]; then
  node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "$node_major" -ge 20 ] || { echo "install.sh: Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none)); install it first, e.g. from NodeSource" >&2; exit 1; }
fi

# 2. The application files: a release tarball, or a checkout that has been built (scripts/setup.sh).
SRC="${FROM:-$(cd "$(dirname "$0")/.." && pwd)}"
TMP=""
trap 'if [ -n "$TMP" ]; then rm -rf "$TMP"; fi' EXIT
if [ -f "$SRC" ]; then
  TMP=$(mktemp -d)
  tar --no-same-owner -xzf "$SRC" -C "$TMP"
  SRC="$TMP/$(ls "$TMP" | head -1)"
fi
[ -f "$SRC/dist/agent/cli/main.js" ] || { echo "install.sh: $SRC has no dist/: run scripts/setup.sh or use a release tarball" >&2; exit 1; }
mkdir -p "$APP"
# Addons with no prebuilt binaries (package/binary): compiled on the box when the tarball was built
# elsewhere. gstreamer-superficial links the box's GStreamer; unix-dgram sends on systemd's notify socket.
ADDONS=(gstreamer-superficial/gstreamer-superficial.node unix-dgram/unix_dgram.node)
addon_binary() { echo "node_modules/${1%%/*}/build/Release/${1#*/}"; }
# A re-install keeps the box's own build of the same version (no recompile).
KEEP=$(mktemp -d)
for addon in "${ADDONS[@]}"; do
  binary=$(addon_binary "$addon")
  if [ -f "$APP/$binary" ] && [ ! -f "$SRC/$binary" ] && cmp -s "$APP/node_modules/${addon%%/*}/package.json" "$SRC/node_modules/${addon%%/*}/package.json"; then
    cp "$APP/$binary" "$KEEP/${addon#*/}"
  fi
done
for part in dist node_modules pipelines models scripts package.json README.md docs; do
  [ -e "$SRC/$part" ] || continue
  rm -rf "${APP:?}/$part"
  cp -a "$SRC/$part" "$APP/"
done
for addon in "${ADDONS[@]}"; do
  [ -f "$KEEP/${addon#*/}" ] || continue
  binary=$(addon_binary "$addon")
  mkdir -p "$(dirname "$APP/$binary")" && mv "$KEEP/${addon#*/}" "$APP/$binary" && log "kept this box's ${addon%%/*} build"
done
rm -rf "$KEEP"
# Root-owned code only, whoever built the tarball or checkout (the agent user must not be able to change it).
chown -R 0:0 "$APP"
if [ -n "$TMP" ]; then rm -rf "$TMP"; TMP=""; fi
ln -sfn /opt/edge-agent/dist/agent/cli/main.js "$ROOT/usr/local/bin/edge-agent" 2>/dev/null || { mkdir -p "$ROOT/usr/local/bin"; ln -sfn /opt/edge-agent/dist/agent/cli/main.js "$ROOT/usr/local/bin/edge-agent"; }
chmod 755 "$APP/dist/agent/cli/main.js"

# The addons are compiled here when the tarball was built elsewhere (or a kept build no longer loads, e.g.
# after a Node.js upgrade: both are NAN addons, tied to the Node ABI).
addon_loads() { [ -f "$APP/$(addon_binary "$1")" ] && { [ -n "$ROOT" ] || (cd "$APP" && node -e "require('${1%%/*}')" 2>/dev/null); }; }
UNBUILT=()
for addon in "${ADDONS[@]}"; do addon_loads "$addon" || UNBUILT+=("${addon%%/*}"); done
if [ ${#UNBUILT[@]} -gt 0 ]; then
  if [ -n "$ROOT" ]; then echo "install.sh: ${UNBUILT[*]} not built for this box; run install.sh inside the target root" >&2; exit 1; fi
  log "building ${UNBUILT[*]} for $(uname -m)"
  if [ "$APT" = 1 ]; then
    build_pkgs=(build-essential pkg-config python3 libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev)
    command -v npm >/dev/null || build_pkgs+=(npm)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${build_pkgs[@]}"
  fi
  # Headers of the node that runs the agent (/usr for Debian's nodejs, /usr/local for the official build).
  node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  (cd "$APP" && npm_config_nodedir="$node_prefix" npm rebuild "${UNBUILT[@]}" --foreground-scripts)
fi

# The camera zygote (cameras share its loaded GStreamer libraries): compiled here when the dist came without
# one for this box. Without a compiler the agent runs its cameras as plain gst-launch-1.0.
zygote="$APP/dist/bin/edge-camera-zygote"
zygote_runs() { [ -x "$zygote" ] && { "$zygote" >/dev/null 2>&1; [ $? -eq 2 ]; }; }
if [ -z "$ROOT" ] && ! zygote_runs && [ -f "$APP/dist/native/camera-zygote.c" ]; then
  if command -v cc >/dev/null && pkg-config --exists gstreamer-1.0; then
    log "building the camera zygote for $(uname -m)"
    mkdir -p "$APP/dist/bin"
    # shellcheck disable=SC2046
    cc -O2 -o "$zygote" "$APP/dist/native/camera-zygote.c" $(pkg-config --cflags --libs gstreamer-1.0) \
      || { rm -f "$zygote"; log "the camera zygote did not compile: cameras run as plain gst-launch-1.0"; }
  else
    rm -f "$zygote"; log "no compiler: cameras run as plain gst-launch-1.0 (more memory per camera)"
  fi
fi
# vfork-spawn (the agent starts its children without forking itself): N-API, so the Node headers only.
spawner="$APP/dist/lib/vfork-spawn.node"
spawner_loads() { [ -f "$spawner" ] && node -e "require('$spawner')" 2>/dev/null; }
if [ -z "$ROOT" ] && ! spawner_loads && [ -f "$APP/dist/native/vfork-spawn.c" ]; then
  node_include="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node"
  mkdir -p "$APP/dist/lib"
  if command -v cc >/dev/null && [ -f "$node_include/node_api.h" ]; then
    log "building vfork-spawn for $(uname -m)"
    cc -O2 -shared -fPIC -I"$node_include" -o "$spawner" "$APP/dist/native/vfork-spawn.c" -lpthread \
      || { rm -f "$spawner"; log "vfork-spawn did not compile: the agent forks itself for each child (slower with many cameras)"; }
  else
    rm -f "$spawner"; log "no compiler or Node headers: the agent forks itself for each child (slower with many cameras)"
  fi
fi

# 3. A dedicated system user and its directories: config root-owned, readable by the agent's group only (the
# agent never writes there, so a compromised camera process cannot rename or replace a file in it); data
# writable by the agent.
if ! grep -q "^$USER_NAME:" "$ROOT/etc/passwd" 2>/dev/null; then
  useradd ${ROOT:+--root "$ROOT"} --system --user-group --no-create-home --home-dir /var/lib/edge-agent --shell /usr/sbin/nologin "$USER_NAME" 2> >(grep -v 'missing or non-executable shell' >&2)
fi
grep -q '^video:' "$ROOT/etc/group" 2>/dev/null && usermod ${ROOT:+--root "$ROOT"} -a -G video "$USER_NAME" || true
# Trusted fleet keys: root-owned and read-only to the agent, never in its writable data dir (a compromised
# camera process could otherwise add or replace one). The bootstrap's or config's trustedKeys name this folder.
mkdir -p "$ETC/trusted-keys" "$DATA"
chmod 750 "$ETC" "$ETC/trusted-keys" "$DATA"
# Numeric ids from the target's passwd (with --root the host may not know this user, or know another one).
# Not recursive into the data dir: it can hold many recordings, all the agent's own already.
owner=$(grep "^$USER_NAME:" "$ROOT/etc/passwd" | cut -d: -f3,4)
group=${owner#*:}
chown "$owner" "$DATA"
# Also takes back files an earlier install.sh gave the agent user (bootstrap.json, config.json at 0600).
chown -R "0:$group" "$ETC"
find "$ETC" -type f -exec chmod 640 {} +
if [ -n "$TRUSTED_KEY" ]; then install -o 0 -g "$group" -m 0640 "$TRUSTED_KEY" "$ETC/trusted-keys/$(basename "$TRUSTED_KEY")"; log "trusted key $(basename "$TRUSTED_KEY") installed"; fi

# 4. Bootstrap and config (never overwritten once present: the box's own state wins). They may hold secrets:
# readable by root and the agent's group only.
install_config() { # src dest
  if [ -n "$1" ] && [ ! -f "$2" ]; then install -o 0 -g "$group" -m 0640 "$1" "$2"; log "installed $(basename "$2")"; fi
}
install_config "$BOOTSTRAP" "$ETC/bootstrap.json"
if [ -n "$BOOTSTRAP" ] && grep -q 'BEGIN PUBLIC KEY' "$BOOTSTRAP"; then
  log "warning: $(basename "$BOOTSTRAP") has inline trustedKeys, which the agent refuses (TRUST_KEY_WRITABLE: they would land in its writable data dir); install fleet.pub with --trusted-key and name /etc/edge-agent/trusted-keys in trustedKeys"
fi
install_config "$CONFIG" "$ETC/config.json"

# 5. The service.
mkdir -p "$(dirname "$UNIT")"
install -m 0644 "$APP/scripts/systemd/edge-agent.service" "$UNIT"
if systemd_running; then
  systemctl daemon-reload
  systemctl enable edge-agent.service
  if [ "$START" = 1 ]; then systemctl restart edge-agent.service; log "service started"; fi
elif command -v systemd-analyze >/dev/null; then
  # No systemd running here (a chroot, an image build, a test root): check the unit instead, against this
  # system's units (a throw-away root has no sysinit.target to resolve dependencies with).
  if systemd-analyze verify "$UNIT"; then log "systemd is not running here: unit installed and verified, not started"
  else log "warning: systemd-analyze verify reported problems in $UNIT"; fi
fi
log "installed to $APP"
