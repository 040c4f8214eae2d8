#!/usr/bin/env bash
# The whole test suite, from a fresh clone on Debian/Ubuntu. Installs what it
# needs (skipping what is already there), builds once, and runs every test:
# Rust (unit, API, core, desktop shell, head office `loket-hq` against its own
# throwaway PostgreSQL), the UI's unit tests, the browser
# end-to-end tests in Debian's Chromium, and the desktop window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }

# --- system packages (only the missing ones) --------------------------------
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
missing=()
for p in build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev \
  libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libxdo-dev \
  chromium xvfb xauth xdotool imagemagick tesseract-ocr tesseract-ocr-eng sqlite3 strace postgresql nodejs npm; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
# nodejs/npm may come from elsewhere (Node 20+ is needed by the UI's tools).
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]:-}"
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null 2>&1 || { echo "Rust (cargo 1.95 or newer, via rustup) is required" >&2; exit 1; }

# One build directory outside the clone, reused by later runs on this machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/loket/target}"
export CARGO_TERM_COLOR=never
export LOKET_BIN="$CARGO_TARGET_DIR/debug/loket"

log "format"
cargo fmt --all -- --check

log "web UI: install, typecheck, unit tests, build (loket embeds ui/dist, loket-hq ui/dist-hq)"
(
  cd ui
  npm ci --no-audit --no-fund --loglevel=error
  npm run --silent typecheck
  npm test --silent
  npm run --silent build
)

log "packaging tools: the root package-lock.json matches package.json (as npm ci needs)"
npm ci --dry-run --no-audit --no-fund --loglevel=error >/dev/null

log "build the core, the loket binary and loket-hq (each with its web UI inside)"
cargo build --locked -p loket -p loket-hq --bins --quiet

log "web UI: API types up to date with the binaries' OpenAPI documents"
(cd ui && npm run --silent check:api && npm run --silent check:hq-api)

log "build everything else once (tests, benches, desktop shell)"
cargo build --locked --workspace --all-targets --quiet

log "lint"
cargo clippy --locked --workspace --all-targets --quiet -- -D warnings

log "Rust tests"
# hq's tests start a throwaway PostgreSQL from /usr/lib/postgresql/*/bin (the
# postgresql package above) and run the `loket` binary built above ($LOKET_BIN).
cargo test --locked --workspace --no-fail-fast

log "benchmarks in quick mode (small data, each routine once: their own checks)"
cargo test --locked --quiet --bench core --bench messaging --bench scheduling
cargo test --locked --quiet -p loket-hq --bench sync --bench bot --bench online

log "browser end-to-end tests (Debian's Chromium)"
(cd ui && npm run --silent e2e)

log "desktop window under Xvfb"
LOKET_DESKTOP_BIN="$CARGO_TARGET_DIR/debug/loket-desktop" ./scripts/desktop-window-test.sh

log "all passed"
