#!/usr/bin/env bash
# Creates the first admin of a fresh data directory (nothing happens when
# $LOKET_DATA_DIR already holds a database). Called by run.sh; tested by
# tests/core/cli.rs.
#
#   scripts/first-admin.sh PATH/TO/loket
#
#   LOKET_DATA_DIR        the data directory (required)
#   LOKET_ADMIN_PASSWORD  the password, for an unattended first start
# Otherwise it asks on a terminal, or, without one, generates a password and
# writes it to a file only its owner can read (never to the output).
set -euo pipefail
loket="${1:?usage: $0 PATH/TO/loket}"
: "${LOKET_DATA_DIR:?LOKET_DATA_DIR must name the data directory}"
[ -f "$LOKET_DATA_DIR/loket.db" ] && exit 0
mkdir -p "$LOKET_DATA_DIR"
chmod 700 "$LOKET_DATA_DIR"
if [ -n "${LOKET_ADMIN_PASSWORD:-}" ]; then
  password="$LOKET_ADMIN_PASSWORD"
elif [ -t 0 ]; then
  read -r -s -p "First start: choose a password for user 'admin' (8+ characters): " password; echo
else
  password="$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
  # Not printed: logs and terminals keep what is printed. A file only its
  # owner can read, beside the data it protects.
  password_file="$LOKET_DATA_DIR/first-admin-password.txt"
  (umask 077 && printf '%s\n' "$password" > "$password_file")
  chmod 600 "$password_file"
  echo "First start: the password of user 'admin' is in $password_file (readable only by you);"
  echo "  log in, change it (user menu → change password), then delete that file."
fi
printf '%s\n' "$password" | "$loket" user add admin --role admin --password-stdin
