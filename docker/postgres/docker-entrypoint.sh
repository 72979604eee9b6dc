#!/bin/bash
# The official postgres image's environment contract, for Debian's PostgreSQL: on first start
# (empty PGDATA) initdb with POSTGRES_USER/POSTGRES_PASSWORD, create POSTGRES_DB, run
# /docker-entrypoint-initdb.d, then exec the server as the postgres user.
set -euo pipefail
if [[ ${1:0:1} == - ]]; then set -- postgres "$@"; fi
if [[ $1 != postgres ]]; then exec "$@"; fi

if [[ $(id -u) == 0 ]]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [[ -z ${POSTGRES_PASSWORD:-} && $auth != trust ]]; then
    echo 'error: POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)' >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host="$auth" >&2
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  echo "host all all all $auth" >>"$PGDATA/pg_hba.conf"
  # Set up over the unix socket only, so nothing can connect before it is done.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >&2
  if [[ $db != postgres ]]; then
    psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres --set db="$db" <<<'CREATE DATABASE :"db";' >&2
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
    *.sql) psql -v ON_ERROR_STOP=1 --username "$user" --dbname "$db" -f "$f" >&2 ;;
    *.sh) source "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >&2
  echo 'PostgreSQL init process complete; ready for start up.' >&2
fi
exec "$@"
