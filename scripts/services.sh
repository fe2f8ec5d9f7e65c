#!/usr/bin/env bash
# `make services`: PostgreSQL and Redis on 127.0.0.1, installed from Debian when missing and started
# when not answering. Idempotent; needs root for the install and for PostgreSQL's cluster.
#
# - PostgreSQL: Debian's cluster on port 5432, with local trust authentication on loopback (a test
#   machine's database, never a production setting) and the `test` database the suites use.
# - Redis: port 6379, no persistence (no RDB snapshots, no append-only file).
set -euo pipefail

log() { printf 'services: %s\n' "$*"; }

need_apt=""
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt="$need_apt postgresql"
command -v redis-server >/dev/null 2>&1 || need_apt="$need_apt redis-server"
if [ -n "$need_apt" ]; then
  [ "$(id -u)" = 0 ] || { echo "services: installing$need_apt needs root" >&2; exit 1; }
  log "installing from Debian:$need_apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_apt >/dev/null
fi

# --- PostgreSQL -------------------------------------------------------------------------------
pg_version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$pg_version" ]; then
  echo "services: PostgreSQL is installed but has no cluster under /etc/postgresql" >&2
  exit 1
fi
hba="/etc/postgresql/$pg_version/main/pg_hba.conf"
marker="# clear-mind: loopback trust (make services)"
if ! grep -qF "$marker" "$hba"; then
  log "PostgreSQL $pg_version: trust authentication on 127.0.0.1 and ::1"
  # Our lines go first: pg_hba.conf is read top to bottom and the first match wins.
  tmp="$(mktemp)"
  {
    echo "$marker"
    echo "host    all   all   127.0.0.1/32   trust"
    echo "host    all   all   ::1/128        trust"
    echo "local   all   all                  trust"
    cat "$hba"
  } >"$tmp"
  cat "$tmp" >"$hba"
  rm -f "$tmp"
  pg_was_configured=1
else
  pg_was_configured=0
fi

if pg_isready -h 127.0.0.1 -p 5432 -q; then
  if [ "$pg_was_configured" = 1 ]; then
    pg_ctlcluster --skip-systemctl-redirect "$pg_version" main reload
  fi
else
  log "starting PostgreSQL $pg_version"
  pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start
fi
for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "services: PostgreSQL did not answer within 30 s" >&2; exit 1; }

psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
for db in test; do
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
    log "creating database $db"
    psql_admin -c "CREATE DATABASE \"$db\""
  fi
done
log "PostgreSQL $(psql_admin -c 'SHOW server_version') answers on 127.0.0.1:5432"

# --- Redis ------------------------------------------------------------------------------------
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis (no persistence)"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/clear-mind.log
fi
for _ in $(seq 1 60); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ] || {
  echo "services: Redis did not answer within 30 s" >&2; exit 1; }
log "Redis $(redis-cli -h 127.0.0.1 -p 6379 info server | sed -n 's/^redis_version:\([^\r]*\).*/\1/p') answers on 127.0.0.1:6379"
