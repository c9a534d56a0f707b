#!/usr/bin/env bash
# The measuring half of bench/tui.sh's scale part; run through that script,
# which runs it under tests/db/pgrun (a private cluster: PGHOST, PGPORT,
# PGUSER set) with BENCH_TENANTCTL, BENCH_REPO, BENCH_WORK and ORGS.
set -euo pipefail
die() { echo "tui-inner.sh: $*" >&2; exit 1; }
for v in BENCH_TENANTCTL BENCH_REPO BENCH_WORK ORGS PGHOST PGPORT PGUSER; do
	[ -n "${!v:-}" ] || die "$v is not set; run bench/tui.sh instead"
done
tc=$BENCH_TENANTCTL
work=$BENCH_WORK
export PGDATABASE=postgres
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

db=bench_tui_$ORGS
dsn="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"
psql_q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
"$tc" migrate up --write -d "$dsn" --dir "$BENCH_REPO/db/migrations" >"$work/migrate.log" 2>&1 ||
	{ tail -n 20 "$work/migrate.log" >&2; die "migrate up failed"; }
echo "tui-inner.sh: generating $ORGS organizations ..." >&2
psql_q -v orgs="$ORGS" -d "$db" -f "$BENCH_REPO/db/seed/scale.sql" >"$work/scale.log" 2>&1 ||
	{ tail -n 20 "$work/scale.log" >&2; die "db/seed/scale.sql failed"; }
psql_q -d "$db" -c "VACUUM ANALYZE" >/dev/null
printf '[target scale]\ndsn = "%s"\nmigrations = %s\n' "$dsn" "$BENCH_REPO/db/migrations" >"$work/scale.conf"

# Scroll the Orgs pane down by half pages (C-d: 11 rows on 80x24) until
# `rows` rows have gone by; peak RSS by GNU time, each key's time by the
# console itself.
scroll() { # scroll ROWS NAME
	local keys=$(($1 / 11))
	{
		for ((i = 0; i < keys; i++)); do echo C-d; done
		echo q
	} >"$work/$2.script"
	TENANTCTL_TUI_SCRIPT="$work/$2.script" TENANTCTL_TUI_TIMING="$work/$2.timing" TENANTCTL_TUI_PANE=1 \
		/usr/bin/time -f %M -o "$work/$2.rss" "$tc" --config "$work/scale.conf" -t scale >/dev/null 2>"$work/$2.err" ||
		{ cat "$work/$2.err" >&2; die "the console failed"; }
}
scroll 3000 short
scroll 30000 long
