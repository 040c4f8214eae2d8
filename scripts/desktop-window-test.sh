#!/usr/bin/env bash
# Desktop window test: builds the Tauri app (debug), starts it under Xvfb on a
# fresh data directory and checks what the real window shows, by screenshot:
#   1. first start (no user yet): the first-start page; the test types a
#      password with xdotool and submits it, the admin is created and the
#      main window opens on the web UI's login screen;
#   2. a second start on that data: the main window, login screen, directly;
#   3. a database written by a newer Loket: the error page, not a crash;
#   4. a data directory a running `loket serve` holds: the error page, naming
#      that process (one Loket per data directory).
# A screen fails when it is blank (one flat colour or almost no detail) or
# when OCR does not find its expected words.
#
# Needs the web UI built in ui/dist (scripts/test.sh builds it first), or
# LOKET_UI_DIST=/absolute/dir to embed another build instead, or
# LOKET_DESKTOP_BIN=/path/to/loket-desktop to test a built app (no build).
# Screenshots: $CARGO_TARGET_DIR/desktop-window-test/*.png (printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

log() { printf '\n== %s\n' "$*"; }
fail() { printf 'desktop-window-test: FAIL: %s\n' "$*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------
need_apt=()
command -v Xvfb >/dev/null 2>&1 || need_apt+=(xvfb)
command -v xdotool >/dev/null 2>&1 || need_apt+=(xdotool)
command -v import >/dev/null 2>&1 || need_apt+=(imagemagick)
command -v tesseract >/dev/null 2>&1 || need_apt+=(tesseract-ocr tesseract-ocr-eng)
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
command -v setsid >/dev/null 2>&1 || need_apt+=(util-linux)
pkg-config --exists webkit2gtk-4.1 libsoup-3.0 2>/dev/null ||
  need_apt+=(build-essential pkg-config libwebkit2gtk-4.1-dev libgtk-3-dev
    libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libxdo-dev libssl-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"

# --- build -----------------------------------------------------------------
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/loket/target}"
if [ -n "${LOKET_DESKTOP_BIN:-}" ]; then
  # An already built app (for example /usr/bin/loket-desktop from the .deb).
  app_bin=$LOKET_DESKTOP_BIN
else
  if [ -n "${LOKET_UI_DIST:-}" ]; then
    export TAURI_CONFIG="{\"build\":{\"frontendDist\":\"$LOKET_UI_DIST\"}}"
  elif [ ! -f ui/dist/index.html ]; then
    fail "ui/dist is not built: run (cd ui && npm ci && npm run build) first, or set LOKET_UI_DIST"
  fi
  log "build the desktop app"
  started=$SECONDS
  cargo build --locked -p loket-desktop --quiet
  app_bin="$CARGO_TARGET_DIR/debug/loket-desktop"
  echo "built in $((SECONDS - started)) s"
fi
[ -x "$app_bin" ] || fail "no app binary at $app_bin"

# --- the X server, the app, cleanup ----------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/loket-window.XXXXXX")
shots="$CARGO_TARGET_DIR/desktop-window-test"
mkdir -p "$shots"
rm -f "$shots"/*.png
xvfb_pid=""
app_pid=""
app_name=""

stop_app() {
  if [ -n "$app_pid" ]; then
    # The app runs in its own session (setsid): end it and its WebKit helpers.
    kill -TERM -- "-$app_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
    app_pid=""
  fi
}
serve_pid=""
cleanup() {
  stop_app
  [ -z "$serve_pid" ] || kill "$serve_pid" 2>/dev/null || true
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "start Xvfb"
# -displayfd picks a free display number and reports it (no clash with :99 in use).
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { cat "$work/xvfb.log" >&2; fail "Xvfb did not start"; }
export DISPLAY=":$(head -n1 "$work/display")"
echo "DISPLAY=$DISPLAY"

# start_app NAME DATA_DIR: a fresh per-user environment each time, data in DATA_DIR.
start_app() {
  local name=$1 data=$2 home="$work/$1"
  mkdir -p "$home"/{data,config,cache,runtime}
  chmod 700 "$home/runtime"
  env -u WAYLAND_DISPLAY GDK_BACKEND=x11 NO_AT_BRIDGE=1 \
    LOKET_DATA_DIR="$data" LOKET_LOG=info \
    XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
    XDG_CACHE_HOME="$home/cache" XDG_RUNTIME_DIR="$home/runtime" \
    setsid "$app_bin" >"$work/$name.log" 2>&1 &
  app_pid=$!
  app_name=$name
}

all_match() { # TEXT REGEX...: every REGEX occurs in TEXT (case-insensitive)
  local text=$1 re
  shift
  for re in "$@"; do grep -Eqi "$re" <<<"$text" || return 1; done
}

app_log() { echo "--- app log ($app_name)" >&2; tail -n 40 "$work/$app_name.log" >&2 || true; }

# find_window TITLE_REGEX: the first visible window whose title matches.
find_window() { { xdotool search --onlyvisible --name "$1" 2>/dev/null || true; } | head -n1; }

# shot WINDOW FILE: the whole screen, plus the window's area in FILE.
shot() {
  local wid=$1 out=$2 X Y WIDTH HEIGHT SCREEN WINDOW
  import -window root "$out.root.png"
  eval "$(xdotool getwindowgeometry --shell "$wid")"
  convert "$out.root.png" -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$out"
}

colours() { identify -format '%k' "$1"; }
stddev() { convert "$1" -colorspace Gray -format '%[fx:standard_deviation]' info:; }
# Greyscale at twice the size reads much better (light text on gradients).
ocr() { convert "$1" -colorspace Gray -resize 200% png:- | tesseract stdin - 2>/dev/null | tr '\n' ' ' | tr -s ' '; }

# wait_screen NAME TITLE_REGEX WORDS_REGEX...: waits (up to 60 s) for a
# window titled TITLE_REGEX whose content is rendered (many colours, not
# flat) and shows text matching every WORDS_REGEX (case-insensitive, read by
# OCR). Leaves the window id in $wid and the screenshot in $shots/NAME.png.
wait_screen() {
  local name=$1 title=$2 file="$shots/$1.png" deadline=$((SECONDS + 60))
  shift 2
  local text="" n="" sd
  wid=""
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$app_pid" 2>/dev/null || { app_log; fail "$name: the app exited"; }
    wid=$(find_window "$title")
    if [ -n "$wid" ]; then
      shot "$wid" "$file"
      n=$(colours "$file")
      if [ "$n" -ge 16 ]; then
        text=$(ocr "$file")
        if all_match "$text" "$@"; then
          sleep 1 # let it settle, then keep that picture
          shot "$wid" "$file"
          n=$(colours "$file")
          sd=$(stddev "$file")
          echo "$name: window $wid, $n colours, std dev $sd; text: ${text:0:160}"
          [ "$n" -ge 16 ] || fail "$name: the window shows nothing ($n colours); see $file"
          awk -v s="$sd" 'BEGIN { exit !(s > 0.02) }' || fail "$name: the window is almost flat (std dev $sd); see $file"
          return 0
        fi
      fi
    fi
    sleep 1
  done
  app_log
  [ -n "$wid" ] || fail "$name: no window titled /$title/ within 60 s"
  fail "$name: the window did not show all of: $* within 60 s (colours: ${n:-?}; text: ${text:0:200}); see $file"
}

# The login screen: the web UI's words for logging in and for the password,
# in Indonesian (the default) or English.
login_words=('masuk|log ?in|sign ?in' 'kata sandi|password')
t0=$SECONDS

log "1. first start: the first-start page, then the login screen"
data="$work/loket-data"
start_app first "$data"
wait_screen first-start '^Loket - mulai$' 'selamat datang' 'kata sandi'
first_wid=$wid
password='window-test-password'
# On a loaded machine the first keystrokes can reach the window before it
# has the keyboard; when nothing was submitted (no user after 20 s), the
# fields are cleared and typed again, once.
type_first_admin() {
  xdotool mousemove --window "$first_wid" 200 200
  xdotool windowactivate --sync "$first_wid" 2>/dev/null || xdotool windowfocus --sync "$first_wid" 2>/dev/null || true
  sleep 1
  xdotool key ctrl+a BackSpace
  xdotool type --delay 40 "$password"
  xdotool key Tab ctrl+a BackSpace
  xdotool type --delay 40 "$password"
  xdotool key Return
}
type_first_admin
for _ in $(seq 1 40); do
  [ -n "$(sqlite3 "file:$data/loket.db?mode=ro" "SELECT 1 FROM users LIMIT 1" 2>/dev/null)" ] && break
  sleep 0.5
done
if [ -z "$(sqlite3 "file:$data/loket.db?mode=ro" "SELECT 1 FROM users LIMIT 1" 2>/dev/null)" ]; then
  log "first start: nothing submitted after 20 s, typing again"
  type_first_admin
fi
wait_screen login-after-setup '^Loket$' "${login_words[@]}"
users=$(sqlite3 "file:$data/loket.db?mode=ro" "SELECT username || ':' || role FROM users")
[ "$users" = "admin:admin" ] || fail "first start: expected the admin user, found '$users'"
[ -z "$(find_window '^Loket - mulai$')" ] || fail "first start: the first-start window is still open"
stop_app

log "2. second start: the login screen directly"
start_app second "$data"
wait_screen desktop-login '^Loket$' "${login_words[@]}"
[ -z "$(find_window '^Loket - ')" ] || fail "second start: an unexpected shell page is open"
stop_app

log "3. a database from a newer Loket: an error page, not a crash"
newer="$work/newer-data"
cp -a "$data" "$newer"
sqlite3 "$newer/loket.db" "PRAGMA user_version = 9999"
start_app newer "$newer"
wait_screen newer-database '^Loket - tidak dapat dibuka$' 'tidak dapat dibuka' 'newer version'
[ "$(sqlite3 "file:$newer/loket.db?mode=ro" 'PRAGMA user_version')" = 9999 ] ||
  fail "newer database: the database was changed"
stop_app

log "4. a data directory in use by a running loket serve: an error page naming it"
loket_bin="${LOKET_BIN:-$CARGO_TARGET_DIR/debug/loket}"
[ -x "$loket_bin" ] || fail "no loket binary at $loket_bin (set LOKET_BIN)"
LOKET_LOG=warn "$loket_bin" serve --port 0 --data-dir "$data" >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 1 100); do grep -q '^listening on' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^listening on' "$work/serve.out" || { cat "$work/serve.err" >&2; fail "loket serve did not start"; }
start_app locked "$data"
wait_screen data-dir-in-use '^Loket - tidak dapat dibuka$' 'tidak dapat dibuka' 'in use' "$serve_pid"
stop_app
kill "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
serve_pid=""

rm -f "$shots"/*.root.png
echo
echo "desktop window test passed in $((SECONDS - t0)) s; screenshots:"
ls -1 "$shots"/*.png
