#!/usr/bin/env bash
# Runs Loket on this machine.
#   With a display ($DISPLAY or $WAYLAND_DISPLAY): installs the Debian/Ubuntu
#   packages the desktop app needs (only those missing), builds the web UI and
#   the desktop app (release) and opens the Loket window. On a fresh data
#   directory the window asks for the first admin's password.
#   Without a display (or with --serve): builds the UI and `loket`, creates the
#   first admin on the first start and serves the UI and the API on
#   http://127.0.0.1:8377 for a browser.
#
#   LOKET_DATA_DIR        where the data lives (default: ~/.local/share/loket)
#   LOKET_PORT            port for --serve (default 8377)
#   LOKET_ADMIN_PASSWORD  the first admin's password, for an unattended first start
#   CARGO_TARGET_DIR      the build directory (default: ~/.cache/loket/target)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=desktop
case "${1:-}" in
  --serve) mode=serve ;;
  "") ;;
  *) echo "usage: $0 [--serve]" >&2; exit 2 ;;
esac
if [ "$mode" = desktop ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: serving Loket for a browser instead."
  mode=serve
fi

# --- system packages (Debian/Ubuntu), only the missing ones ----------------
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install the equivalents of: ${missing[*]}" >&2
    return 0
  fi
  echo "Installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
if command -v dpkg-query >/dev/null 2>&1; then
  apt_install build-essential pkg-config
  if [ "$mode" = desktop ]; then
    apt_install libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev \
      librsvg2-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libxdo-dev
  fi
fi
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null 2>&1 || { echo "Rust (cargo 1.95 or newer, via rustup) is required" >&2; exit 1; }

# --- the web UI --------------------------------------------------------------
if [ -f ui/package.json ]; then
  command -v npm >/dev/null 2>&1 || { echo "Node.js 20 or newer (with npm) is required to build the UI" >&2; exit 1; }
  # npm ci only when the lock file changed since the last install.
  if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    (cd ui && npm ci --no-audit --no-fund)
  fi
  (cd ui && npm run build)
fi

# --- build -------------------------------------------------------------------
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/loket/target}"
if [ "$mode" = desktop ]; then
  [ -f ui/dist/index.html ] || { echo "ui/dist is not built; the desktop app needs the web UI" >&2; exit 1; }
  echo "Building Loket (the first build takes several minutes)..."
  cargo build --release --locked --quiet -p loket -p loket-desktop
else
  cargo build --release --locked --quiet -p loket
fi
loket="$CARGO_TARGET_DIR/release/loket"

# --- the first admin -----------------------------------------------------------
export LOKET_DATA_DIR="${LOKET_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/loket}"
if [ "$mode" = serve ] || [ -n "${LOKET_ADMIN_PASSWORD:-}" ]; then
  # (The desktop window asks for it itself, unless LOKET_ADMIN_PASSWORD is set.)
  scripts/first-admin.sh "$loket"
fi

# --- run -----------------------------------------------------------------------
if [ "$mode" = desktop ]; then
  echo "Opening the Loket window (data: $LOKET_DATA_DIR)"
  exec "$CARGO_TARGET_DIR/release/loket-desktop"
fi
port="${LOKET_PORT:-8377}"
echo "Loket will be at http://127.0.0.1:$port/ (open it in a browser; Ctrl+C stops it)"
# The UI was built before the binary, which carries it.
exec "$loket" serve --port "$port"
