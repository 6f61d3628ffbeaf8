#!/usr/bin/env bash
# createdb.sh — a new empty database NAME in the private PostgreSQL of DIR (start.sh); prints its URI.
# Usage: tests/pg/createdb.sh DIR NAME
set -euo pipefail
dir=$1 name=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
owner=$(id -un)
as=()
if [ "$(id -u)" = 0 ]; then owner=postgres; as=(runuser -u postgres --); fi
"${as[@]}" "$bin/createdb" -h "$dir" -U "$owner" "$name"
echo "postgresql://$owner@/$name?host=$dir"
