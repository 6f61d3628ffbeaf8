#!/usr/bin/env bash
# start.sh — start a private PostgreSQL for the tests: a new cluster in a temporary directory
# (Debian's postgresql package: initdb and pg_ctl), listening only on a unix socket in that
# directory, trust authentication, fsync off (a test cluster is thrown away). Run as root, the
# cluster belongs to the postgres user (PostgreSQL refuses to run as root).
# Usage: tests/pg/start.sh [DIR] — prints the directory and a libpq URI of the database "beian":
#   BEIAN_PG_DIR=… and BEIAN_PG_URI=postgresql://…  (eval "$(tests/pg/start.sh)"); stop with
#   tests/pg/stop.sh DIR. Databases for more tests: tests/pg/createdb.sh DIR NAME.
# BEIAN_PG_DURABLE=1 keeps PostgreSQL's defaults (fsync, synchronous_commit on): `make bench`
# measures writes that are durable when acknowledged, as on SQLite (synchronous=FULL).
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "start.sh: no PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }
dir=${1:-$(mktemp -d /tmp/beian-pg-XXXXXX)}
mkdir -p "$dir"
as=()
owner=$(id -un)
if [ "$(id -u)" = 0 ]; then
  owner=postgres
  chown postgres: "$dir"
  chmod 700 "$dir"
  as=(runuser -u postgres --)
fi
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${BEIAN_PG_DURABLE:-}" = 1 ] && durability=""
"${as[@]}" "$bin/initdb" -D "$dir/data" -U "$owner" -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses='' -c unix_socket_directories='$dir' $durability -c max_connections=200" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
"${as[@]}" "$bin/createdb" -h "$dir" -U "$owner" beian
echo "BEIAN_PG_DIR=$dir"
echo "BEIAN_PG_URI=postgresql://$owner@/beian?host=$dir"
