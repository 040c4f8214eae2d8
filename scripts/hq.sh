#!/usr/bin/env bash
# Starts head office (`loket-hq`) on this machine, from a fresh clone.
#   Installs PostgreSQL (Debian/Ubuntu) if it is missing, creates a local
#   cluster in a data directory on first start (listening on 127.0.0.1 only),
#   creates the database, builds head office's web page (ui/dist-hq, when
#   npm is there) and `loket-hq` (release, with the page inside) and serves
#   it on http://127.0.0.1:8378 (the page at /). Ctrl-C stops loket-hq and
#   the cluster.
#
#   LOKET_HQ_DIR      where the cluster lives (default: ~/.local/share/loket-hq;
#                     as root /var/lib/loket-hq, since the cluster then runs as
#                     `postgres`, which must be able to reach the folder)
#   LOKET_HQ_PG_PORT  the cluster's port (default 5439)
#   LOKET_HQ_PORT     loket-hq's port (default 8378)
#   LOKET_HQ_BIND     loket-hq's address (default 127.0.0.1; before opening it
#                     up, give a certificate below or put an HTTPS proxy in front)
#   LOKET_HQ_TLS_CERT, LOKET_HQ_TLS_KEY  PEM certificate and key: serve HTTPS
#   The sealing key (which opens KTP/NPWP) is kept in $LOKET_HQ_DIR/sealing.key:
#   back it up with the database.
#   LOKET_HQ_PROFILE  release (default) or debug (a quicker build, for trying it)
#   CARGO_TARGET_DIR  the build directory (default: ~/.cache/loket/target)
#
# Then enrol a branch (prints its token once) and give the token to the desk:
#   DATABASE_URL=<printed below> loket-hq branch add "Cabang Bandung" --json
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then default_dir=/var/lib/loket-hq; else default_dir="$HOME/.local/share/loket-hq"; fi
dir="${LOKET_HQ_DIR:-$default_dir}"
pg_port="${LOKET_HQ_PG_PORT:-5439}"
port="${LOKET_HQ_PORT:-8378}"
bind="${LOKET_HQ_BIND:-127.0.0.1}"

# --- PostgreSQL, if missing ---------------------------------------------------
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "== installing PostgreSQL"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

# PostgreSQL refuses to run as root: as root the cluster belongs to `postgres`.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# --- the cluster, created once --------------------------------------------------
if [ ! -f "$dir/data/PG_VERSION" ]; then
  echo "== creating the head-office cluster in $dir"
  mkdir -p "$dir"; chmod 700 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  # A password only this account can read: other local users cannot connect.
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/pg-password"
  chmod 600 "$dir/pg-password"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/pg-password"
  as_pg "$pg_bin/initdb" -D "$dir/data" -A scram-sha-256 --auth-local=peer -U postgres \
    --pwfile="$dir/pg-password" -E UTF8 --locale=C.UTF-8 >/dev/null
fi
export PGPASSWORD="$(cat "$dir/pg-password")"
if ! as_pg "$pg_bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  as_pg "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir" start >/dev/null
fi
stop_pg() { as_pg "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; }
trap stop_pg EXIT
"$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -Atqc \
  "SELECT 1 FROM pg_database WHERE datname = 'loket_hq'" | grep -q 1 ||
  "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc "CREATE DATABASE loket_hq"
export DATABASE_URL="postgres://postgres:$PGPASSWORD@127.0.0.1:$pg_port/loket_hq"

# --- loket-hq ---------------------------------------------------------------
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/loket/target}"
profile="${LOKET_HQ_PROFILE:-release}"
if command -v npm >/dev/null 2>&1; then
  echo "== building head office's web page (ui/dist-hq)"
  if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
  (cd ui && npm run --silent build:hq >/dev/null)
else
  echo "== npm not found: loket-hq is built without its web page (install Node.js 20+ to include it)"
fi
echo "== building loket-hq ($profile)"
if [ "$profile" = release ]; then cargo build --release -p loket-hq --quiet; else cargo build -p loket-hq --quiet; fi
hq="$CARGO_TARGET_DIR/$profile/loket-hq"
echo "DATABASE_URL=$DATABASE_URL"
echo "enrol a branch:     DATABASE_URL=$DATABASE_URL $hq branch add NAME --json"
echo "a head-office admin: DATABASE_URL=$DATABASE_URL $hq user add NAME --role hq_admin --password-stdin"
tls=()
if [ -n "${LOKET_HQ_TLS_CERT:-}" ]; then tls=(--tls-cert "$LOKET_HQ_TLS_CERT" --tls-key "${LOKET_HQ_TLS_KEY:?LOKET_HQ_TLS_KEY too}"); fi
"$hq" serve --bind "$bind" --port "$port" --sealing-key "$dir/sealing.key" "${tls[@]}"
