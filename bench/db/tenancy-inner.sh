#!/usr/bin/env bash
# The measuring half of bench/tenancy.sh; run it through that script, which
# runs it under tests/db/pgrun (a private cluster: PGHOST, PGPORT, PGUSER are
# set) with BENCH_TENANTCTL, BENCH_WORK, BENCH_REPO, SIZES, RUNS and
# AUDIT_RUNS in the environment.
set -euo pipefail

die() { echo "tenancy-inner.sh: $*" >&2; exit 1; }
for v in BENCH_TENANTCTL BENCH_WORK BENCH_REPO SIZES RUNS AUDIT_RUNS PGHOST PGPORT PGUSER; do
	[ -n "${!v:-}" ] || die "$v is not set; run bench/tenancy.sh instead"
done

tc=$BENCH_TENANTCTL
work=$BENCH_WORK
repo=$BENCH_REPO
logs="$work/logs"
mkdir -p "$logs"

# No developer config, no colour: the bench must not depend on the caller.
export XDG_CONFIG_HOME="$work/config"
mkdir -p "$XDG_CONFIG_HOME"
export NO_COLOR=1
export PGDATABASE=postgres
unset TENANTCTL_OWNER_ALLOWLIST TENANTCTL_BLOCKED_DOMAINS

dsn() { echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"; }
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
scalar() { psql_q -At -d "$1" -c "$2"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%d\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
maximum() { printf '%s\n' "$@" | sort -n | tail -n 1; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# Results, by "SIZE NAME": median wall µs, peak RSS KiB, and a note (empty
# when the command worked, else why not).
declare -A WALL RSS NOTE

# measure SIZE NAME RUNS CMD...: one warm-up run (not for RUNS = 1), then
# RUNS runs, wall time with EPOCHREALTIME and peak RSS with GNU time %M.
# Exit 0 and 1 (findings) are success; anything else is noted, not fatal:
# the commands may not be finished when this runs.
measure() {
	local size=$1 name=$2 runs=$3
	shift 3
	local key="$size $name" i rc t0 t1 first=1 w=() r=()
	[ "$runs" -eq 1 ] && first=0
	for ((i = 1 - first; i <= runs; i++)); do
		rc=0
		t0=${EPOCHREALTIME/[.,]/}
		/usr/bin/time -f %M -o "$logs/$size.$name.rss" "$@" >"$logs/$size.$name.out" 2>"$logs/$size.$name.err" || rc=$?
		t1=${EPOCHREALTIME/[.,]/}
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
			NOTE[$key]="does not work (exit $rc): $(grep -m 1 -v '^Command exited' "$logs/$size.$name.err" || true)"
			echo "tenancy-inner.sh: $name at $size orgs failed (exit $rc): $*" >&2
			tail -n 5 "$logs/$size.$name.err" >&2
			return 0
		fi
		[ "$i" -eq 0 ] && continue
		w+=($((t1 - t0)))
		r+=("$(tail -n 1 "$logs/$size.$name.rss")")
	done
	WALL[$key]=$(median "${w[@]}")
	RSS[$key]=$(maximum "${r[@]}")
	NOTE[$key]=""
}

# The server's own time for a statement (EXPLAIN ANALYZE "Execution Time"),
# median of 5 after a warm-up: what a keyset page costs without a client.
declare -A SQLMS
sql_ms() {
	local size=$1 name=$2 db=$3 sql=$4 i t=()
	for ((i = 0; i <= 5; i++)); do
		local v
		v=$(psql_q -At -d "$db" -c "EXPLAIN (ANALYZE, TIMING OFF) $sql" | awk '/Execution Time/ { print $3 }')
		[ "$i" -eq 0 ] && continue
		t+=("$(awk -v x="$v" 'BEGIN { printf "%d", x * 1000 }')")
	done
	SQLMS["$size $name"]=$(median "${t[@]}")
	psql_q -d "$db" -c "EXPLAIN (ANALYZE, TIMING OFF) $sql" >"$logs/$size.sql.$name.plan"
}

declare -A GEN_S DB_SIZE
for size in $SIZES; do
	db="bench_tenancy_$size"
	psql_q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
	"$tc" migrate up --write -d "$(dsn "$db")" --dir "$repo/db/migrations" >"$logs/$size.migrate.log" 2>&1 ||
		{ tail -n 20 "$logs/$size.migrate.log" >&2; die "tenantctl migrate up failed on $db"; }
	echo "tenancy-inner.sh: generating $size organizations ..." >&2
	t0=${EPOCHREALTIME/[.,]/}
	psql_q -v orgs="$size" -d "$db" -f "$repo/db/seed/scale.sql" >"$logs/$size.scale.log" 2>&1 ||
		{ tail -n 20 "$logs/$size.scale.log" >&2; die "db/seed/scale.sql failed on $db"; }
	psql_q -d "$db" -c "VACUUM ANALYZE" >/dev/null
	psql_q -d postgres -c "CHECKPOINT" >/dev/null
	t1=${EPOCHREALTIME/[.,]/}
	GEN_S[$size]=$(awk -v u=$((t1 - t0)) 'BEGIN { printf "%.1f", u / 1e6 }')
	DB_SIZE[$size]=$(scalar postgres "SELECT pg_size_pretty(pg_database_size('$db'))")
	n=$(scalar "$db" "SELECT count(*) FROM public.organizations")
	m=$(scalar "$db" "SELECT count(*) FROM public.organization_members")
	[ "$n" -eq "$size" ] || die "$db has $n organizations, not $size"
	[ "$m" -eq $((size * 5)) ] || die "$db has $m memberships, not $((size * 5))"
	D=$(dsn "$db")

	echo "tenancy-inner.sh: measuring at $size organizations ..." >&2
	measure "$size" list_first "$RUNS" "$tc" orgs list -d "$D" --limit 50
	# the next page starts after the first page's last key (the last column)
	key=""
	if [ -z "${NOTE["$size list_first"]-}" ]; then
		key=$(tail -n 1 "$logs/$size.list_first.out" | awk -F'\t' '{ print $NF }')
		[ "$(grep -c . "$logs/$size.list_first.out")" -ge 50 ] ||
			NOTE["$size list_first"]="wrong result: fewer than 50 rows on the first page"
	fi
	if [ -n "$key" ]; then
		measure "$size" list_next "$RUNS" "$tc" orgs list -d "$D" --limit 50 --after "$key"
		if [ -z "${NOTE["$size list_next"]-}" ] && grep -qF "$key	" "$logs/$size.list_next.out"; then
			NOTE["$size list_next"]="wrong result: the next page repeats the key $key"
		fi
	else
		NOTE["$size list_next"]="not measured: no key from the first page"
	fi
	measure "$size" search_prefix "$RUNS" "$tc" orgs search brave-otter -d "$D" --limit 50
	measure "$size" search_substring "$RUNS" "$tc" orgs search otter-77 -d "$D" --limit 50
	measure "$size" audit "$AUDIT_RUNS" "$tc" audit -d "$D"
	measure "$size" backfill_dry 1 "$tc" backfill resources --dry-run -d "$D"
	measure "$size" backfill_apply 1 "$tc" backfill resources --write --yes -d "$D"

	# the same pages as bare SQL, for context
	k=$(scalar "$db" "SELECT slug FROM public.organizations WHERE deleted_at IS NULL ORDER BY slug LIMIT 1 OFFSET 49")
	cols="o.id, o.slug, o.name, o.plan, o.created_at"
	sql_ms "$size" list_first "$db" "SELECT $cols FROM public.organizations o WHERE o.deleted_at IS NULL ORDER BY o.slug LIMIT 51"
	sql_ms "$size" list_next "$db" "SELECT $cols FROM public.organizations o WHERE o.deleted_at IS NULL AND o.slug > '$k' ORDER BY o.slug LIMIT 51"
	sql_ms "$size" search_prefix "$db" "SELECT $cols FROM public.organizations o WHERE o.slug LIKE 'brave-otter%' ORDER BY o.slug LIMIT 51"
	sql_ms "$size" search_substring "$db" "SELECT $cols FROM public.organizations o WHERE o.slug LIKE '%otter-77%' OR o.name ILIKE '%otter-77%' ORDER BY o.slug LIMIT 51"
done

# Floors, for context: a process that does nothing with the database, and
# one that connects and reads a few settings.
measure floor version "$RUNS" "$tc" version
measure floor info "$RUNS" "$tc" info -d "$(dsn postgres)"

# ------------------------------------------------------------------ report

verdict() {
	# verdict MEASURED_MS GOAL_MS
	awk -v x="$1" -v g="$2" 'BEGIN { print (x < g) ? "meets goal" : "MISSES goal" }'
}
pgver=$(scalar postgres "SHOW server_version")
line() { printf '%-44s %10s %12s   %s\n' "$@"; }
figure() {
	# figure SIZE NAME LABEL GOAL_MS
	local key="$1 $2" note
	note=${NOTE[$key]-"not measured"}
	if [ -n "$note" ]; then
		line "$3" "-" "-" "$note"
		return
	fi
	local m
	m=$(ms "${WALL[$key]}")
	if [ -n "$4" ]; then
		line "$3" "$m" "$(mib "${RSS[$key]}") MiB" "goal < $4 ms: $(verdict "$m" "$4")"
	else
		line "$3" "$m" "$(mib "${RSS[$key]}") MiB" ""
	fi
}

echo
echo "tenantctl tenancy benchmark: db/seed/scale.sql, 5 memberships per organization"
echo "PostgreSQL $pgver, private cluster on a Unix socket, fsync=off; $(nproc) CPUs; $(uname -sr)"
echo "wall time of the whole tenantctl process (start, connect, query, print): median of $RUNS runs"
echo "after a warm-up (audit: $AUDIT_RUNS runs; backfill: 1 run); peak RSS: the largest of the runs"
for size in $SIZES; do
	echo
	echo "--- $size organizations, $((size * 5)) memberships, $size users (generated and analyzed in ${GEN_S[$size]} s; database ${DB_SIZE[$size]})"
	line "figure" "ms" "peak RSS" "goal / note"
	line "------" "--" "--------" "-----------"
	figure "$size" list_first "orgs list (first page, 50)" 20
	figure "$size" list_next "orgs list --after KEY (next page)" 20
	figure "$size" search_prefix "orgs search brave-otter (prefix)" 20
	figure "$size" search_substring "orgs search otter-77 (substring)" 20
	figure "$size" audit "audit (every check)" 10000
	figure "$size" backfill_dry "backfill resources --dry-run" ""
	figure "$size" backfill_apply "backfill resources (applied, batches of 500)" ""
	for q in list_first list_next search_prefix search_substring; do
		line "  SQL alone: $q" "$(ms "${SQLMS["$size $q"]}")" "" "server execution time (EXPLAIN ANALYZE)"
	done
done

echo
line "floor: tenantctl version (no connection)" "$(ms "${WALL[floor version]}")" "$(mib "${RSS[floor version]}") MiB" "for context"
line "floor: tenantctl info (connect, settings)" "$(ms "${WALL[floor info]}")" "$(mib "${RSS[floor info]}") MiB" "for context"

# Memory against row count: the same command at the smallest and largest size.
set -- $SIZES
small=$1
large=${!#}
if [ "$small" != "$large" ]; then
	echo
	echo "peak RSS at $small vs $large organizations (memory should not grow with the rows):"
	for name in list_first list_next search_prefix search_substring audit backfill_dry backfill_apply; do
		a=${RSS["$small $name"]-} b=${RSS["$large $name"]-}
		if [ -n "$a" ] && [ -n "$b" ] && [ -z "${NOTE["$small $name"]-}" ] && [ -z "${NOTE["$large $name"]-}" ]; then
			printf '  %-18s %8s MiB -> %8s MiB  (x%s)\n' "$name" "$(mib "$a")" "$(mib "$b")" \
				"$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
		else
			printf '  %-18s not measured at both sizes\n' "$name"
		fi
	done
fi
echo
echo "commands (DB = bench_tenancy_SIZE; socket folder $PGHOST, port $PGPORT):"
echo "  psql -v orgs=SIZE -d DB -f db/seed/scale.sql; VACUUM ANALYZE"
echo "  $tc orgs list -d '$(dsn DB)' --limit 50 [--after KEY]"
echo "  $tc orgs search TEXT -d '$(dsn DB)' --limit 50"
echo "  $tc audit -d '$(dsn DB)'"
echo "  $tc backfill resources [--dry-run | --write --yes] -d '$(dsn DB)'"

touch "$work/done"
