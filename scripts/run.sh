#!/usr/bin/env bash
# Runs Loket on this machine: builds it (release) and serves the local API on
# 127.0.0.1. On the first start it creates the first admin user.
#   LOKET_DATA_DIR   where the data lives (default: ~/.local/share/loket)
#   LOKET_PORT       port (default 8377)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cc >/dev/null 2>&1 || {
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends build-essential pkg-config
}
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/loket/target}"
cargo build --release --locked --quiet
loket="$CARGO_TARGET_DIR/release/loket"

export LOKET_DATA_DIR="${LOKET_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/loket}"
if [ ! -f "$LOKET_DATA_DIR/loket.db" ]; then
  mkdir -p "$LOKET_DATA_DIR"
  chmod 700 "$LOKET_DATA_DIR"
  if [ -n "${LOKET_ADMIN_PASSWORD:-}" ]; then
    password="$LOKET_ADMIN_PASSWORD"
  elif [ -t 0 ]; then
    read -r -s -p "First start: choose a password for user 'admin' (8+ characters): " password; echo
  else
    password="$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
    echo "First start: user 'admin' has password $password (change it after logging in)"
  fi
  printf '%s\n' "$password" | "$loket" user add admin --role admin --password-stdin
fi
exec "$loket" serve --port "${LOKET_PORT:-8377}"
