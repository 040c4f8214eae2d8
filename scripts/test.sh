#!/usr/bin/env bash
# The whole test suite, from a fresh clone on Debian/Ubuntu. Installs what it
# needs (and skips what is already there), then builds once and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# --- what the build needs ------------------------------------------------
need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || { echo "Rust (cargo 1.95 or newer, via rustup) is required" >&2; exit 1; }

# One build directory outside the clone, reused by later runs on this machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/loket/target}"
export CARGO_TERM_COLOR=never

log "format"
cargo fmt --all -- --check

log "build (once, for every test binary)"
cargo build --locked --workspace --all-targets --quiet

if cargo clippy --version >/dev/null 2>&1; then
  log "lint"
  cargo clippy --locked --workspace --all-targets --quiet -- -D warnings
fi

log "tests"
cargo test --locked --workspace --no-fail-fast
