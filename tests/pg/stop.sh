#!/usr/bin/env bash
# stop.sh — stop the private PostgreSQL that start.sh started in DIR and remove DIR.
# Usage: tests/pg/stop.sh DIR
set -euo pipefail
dir=$1
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as=()
[ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
[ -d "$dir/data" ] && "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
rm -rf "$dir"
