#!/usr/bin/env bash
# The measuring half of bench/migrate.sh; run it through that script, which
# runs it under tests/db/pgrun (a private cluster: PGHOST, PGPORT, PGUSER are
# set) with BENCH_TENANTCTL, BENCH_MIGDIR, BENCH_WORK, BENCH_DBMATE, N,
# STATUS_RUNS and UP_RUNS in the environment.
set -euo pipefail

die() { echo "migrate-inner.sh: $*" >&2; exit 1; }
for v in BENCH_TENANTCTL BENCH_MIGDIR BENCH_WORK N STATUS_RUNS UP_RUNS PGHOST PGPORT PGUSER; do
	[ -n "${!v:-}" ] || die "$v is not set; run bench/migrate.sh instead"
done

tc=$BENCH_TENANTCTL
mig=$BENCH_MIGDIR
work=$BENCH_WORK
dbmate=${BENCH_DBMATE:-}
logs="$work/logs"
mkdir -p "$logs"

# No developer config, no colour: the bench must not depend on the caller.
export XDG_CONFIG_HOME="$work/config"
mkdir -p "$XDG_CONFIG_HOME"
export NO_COLOR=1
export PGDATABASE=postgres

dsn() { echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"; }
url() { echo "postgres://$PGUSER@:$PGPORT/$1?socket=$PGHOST&sslmode=disable"; }

# Microseconds since the epoch, without a fork where bash can.
if [ -n "${EPOCHREALTIME:-}" ]; then
	now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }
else
	now_us() { echo $(($(date +%s%N) / 1000)); }
fi
# ms with 3 decimals from microseconds
ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
minimum() { printf '%s\n' "$@" | sort -n | head -n 1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%d\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
fresh_db() { psql_q -d postgres -c "CREATE DATABASE $1" >/dev/null || die "cannot create database $1"; }
count_tables() { psql_q -At -d "$1" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't\_%'"; }

# Run "$@" once, output to $log; print the wall time in µs. Fail loudly.
time_once() {
	local log=$1; shift
	local t0 t1
	t0=$(now_us)
	if ! "$@" >"$log" 2>&1; then
		echo "migrate-inner.sh: failed: $*" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
	t1=$(now_us)
	echo $((t1 - t0))
}

# Median wall time in µs of STATUS_RUNS runs (after 2 warm-ups).
have_hyperfine=""
command -v hyperfine >/dev/null && have_hyperfine=1
time_median() {
	local name=$1; shift
	if [ -n "$have_hyperfine" ]; then
		local json="$logs/$name.json"
		local cmd
		cmd=$(printf '%q ' "$@")
		if ! hyperfine -N --style none --warmup 2 --runs "$STATUS_RUNS" --export-json "$json" \
			"$cmd" >"$logs/$name.hyperfine" 2>&1; then
			echo "migrate-inner.sh: failed: $*" >&2
			tail -n 20 "$logs/$name.hyperfine" >&2
			exit 1
		fi
		awk -F': *' '/"median"/ { gsub(/[ ,]/, "", $2); printf "%d\n", $2 * 1e6; exit }' "$json"
	else
		local i ts=()
		for i in 1 2; do "$@" >/dev/null 2>&1 || true; done
		for ((i = 0; i < STATUS_RUNS; i++)); do
			ts+=("$(time_once "$logs/$name.out" "$@")")
		done
		median "${ts[@]}"
	fi
}

# --- the baseline: the same SQL, one transaction per migration, one psql
# session over the same socket. psql sends BEGIN, the statement and COMMIT
# as three round trips, as a migration runner does at the least.
base_sql="$work/baseline.sql"
: >"$base_sql"
for f in "$mig"/*.sql; do
	body=$(awk '/^-- migrate:up/ { on = 1; next } /^-- migrate:down/ { on = 0 } on && NF' "$f")
	printf 'BEGIN;\n%s\nCOMMIT;\n' "$body" >>"$base_sql"
done

nfiles=$(find "$mig" -name '*.sql' | wc -l)
[ "$nfiles" -eq "$N" ] || die "expected $N migration files in $mig, found $nfiles"

base_t=() tc_t=() dbm_t=()
for ((r = 1; r <= UP_RUNS; r++)); do
	fresh_db "bench_base_$r"
	base_t+=("$(time_once "$logs/base_$r.log" psql -X -q -v ON_ERROR_STOP=1 -d "bench_base_$r" -f "$base_sql")")
	[ "$(count_tables "bench_base_$r")" -eq "$N" ] || die "baseline run $r did not create $N tables"

	fresh_db "bench_tc_$r"
	tc_t+=("$(time_once "$logs/tc_up_$r.log" "$tc" migrate up --write -d "$(dsn "bench_tc_$r")" --dir "$mig")")
	[ "$(count_tables "bench_tc_$r")" -eq "$N" ] || die "tenantctl migrate up (run $r) did not create $N tables; see $logs/tc_up_$r.log"

	if [ -n "$dbmate" ]; then
		fresh_db "bench_dbmate_$r"
		dbm_t+=("$(time_once "$logs/dbmate_up_$r.log" "$dbmate" --url "$(url "bench_dbmate_$r")" \
			--migrations-dir "$mig" --no-dump-schema up)")
		[ "$(count_tables "bench_dbmate_$r")" -eq "$N" ] || die "dbmate up (run $r) did not create $N tables"
	fi
done

# status must see every migration applied before we time it
"$tc" migrate status -d "$(dsn bench_tc_1)" --dir "$mig" >"$logs/tc_status.out" 2>&1 ||
	{ tail -n 20 "$logs/tc_status.out" >&2; die "tenantctl migrate status failed"; }
# (stdout is not a terminal: plain tab-separated rows, no summary line)
napplied=$(grep -c "	applied	" "$logs/tc_status.out" || true)
[ "$napplied" -eq "$N" ] ||
	{ tail -n 3 "$logs/tc_status.out" >&2; die "tenantctl migrate status shows $napplied applied rows, not $N"; }
tc_status=$(time_median tc_status "$tc" migrate status -d "$(dsn bench_tc_1)" --dir "$mig")
tc_status_json=$(time_median tc_status_json "$tc" migrate status --json -d "$(dsn bench_tc_1)" --dir "$mig")

if [ -n "$dbmate" ]; then
	"$dbmate" --url "$(url bench_dbmate_1)" --migrations-dir "$mig" status >"$logs/dbmate_status.out" 2>&1 ||
		{ tail -n 20 "$logs/dbmate_status.out" >&2; die "dbmate status failed"; }
	grep -q "^Applied: $N" "$logs/dbmate_status.out" ||
		{ tail -n 3 "$logs/dbmate_status.out" >&2; die "dbmate status does not report Applied: $N"; }
	dbm_status=$(time_median dbmate_status "$dbmate" --url "$(url bench_dbmate_1)" --migrations-dir "$mig" status)
fi

# floors, for context: a process that connects and runs one query
floor_psql=$(time_median floor_psql psql -X -q -At -d bench_tc_1 -c "SELECT 1")

base=$(median "${base_t[@]}")
tcu=$(median "${tc_t[@]}")
over() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN { printf "%.3f", (a - b) / n / 1000 }'; }
tc_over=$(over "$tcu" "$base")
tc_over_min=$(over "$(minimum "${tc_t[@]}")" "$(minimum "${base_t[@]}")")
verdict() { awk -v x="$1" -v g="$2" 'BEGIN { print (x < g) ? "meets goal" : "MISSES goal" }'; }

tool="bash loop (EPOCHREALTIME)"
[ -n "$have_hyperfine" ] && tool="hyperfine $(hyperfine --version | awk '{ print $2 }') -N, 2 warm-ups"
pgver=$(psql_q -At -d postgres -c "SHOW server_version")

line() { printf '%-52s %12s   %s\n' "$@"; }
echo
echo "tenantctl migrate benchmark: $N trivial migrations (CREATE TABLE t_NNNN (id int))"
echo "PostgreSQL $pgver, private cluster on a Unix socket, fsync=off; $(nproc) CPUs; $(uname -sr)"
echo "up: median of $UP_RUNS runs, each on a fresh database; status: median of $STATUS_RUNS runs ($tool)"
echo
line "figure" "ms" "goal / note"
line "------" "--" "-----------"
line "baseline: psql, BEGIN; SQL; COMMIT x $N (total)" "$(ms "$base")" "runs: $(for t in "${base_t[@]}"; do printf '%s ' "$(ms "$t")"; done)"
line "tenantctl migrate up (total)" "$(ms "$tcu")" "runs: $(for t in "${tc_t[@]}"; do printf '%s ' "$(ms "$t")"; done)"
line "tenantctl migrate up overhead per migration" "$tc_over" "goal < 1 ms: $(verdict "$tc_over" 1)"
line "  same, from the fastest runs (min - min)" "$tc_over_min" "less sensitive to machine noise"
line "tenantctl migrate status ($N applied)" "$(ms "$tc_status")" "goal < 50 ms: $(verdict "$(ms "$tc_status")" 50)"
line "tenantctl migrate status --json" "$(ms "$tc_status_json")" ""
if [ -n "$dbmate" ]; then
	dbu=$(median "${dbm_t[@]}")
	dbm_over=$(over "$dbu" "$base")
	dbm_over_min=$(over "$(minimum "${dbm_t[@]}")" "$(minimum "${base_t[@]}")")
	line "dbmate up (total)" "$(ms "$dbu")" "runs: $(for t in "${dbm_t[@]}"; do printf '%s ' "$(ms "$t")"; done)"
	line "dbmate up overhead per migration" "$dbm_over" "same baseline"
	line "  same, from the fastest runs (min - min)" "$dbm_over_min" ""
	line "dbmate status ($N applied)" "$(ms "$dbm_status")" ""
else
	line "dbmate" "-" "${BENCH_DBMATE_NOTE:-not run}"
fi
line "floor: psql -c 'SELECT 1' (start, connect, 1 query)" "$(ms "$floor_psql")" "for context"
echo
echo "commands (DB = a fresh database per run; socket folder $PGHOST, port $PGPORT):"
echo "  baseline:   psql -X -q -v ON_ERROR_STOP=1 -d DB -f baseline.sql   # BEGIN; <up section>; COMMIT; per file"
echo "  tenantctl:  $tc migrate up --write -d '$(dsn DB)' --dir MIGDIR"
echo "              $tc migrate status -d '$(dsn DB)' --dir MIGDIR [--json]"
if [ -n "$dbmate" ]; then
	echo "  dbmate:     $dbmate --url '$(url DB)' --migrations-dir MIGDIR --no-dump-schema up"
	echo "              $dbmate --url '$(url DB)' --migrations-dir MIGDIR status"
	if [ -n "${BENCH_DBMATE_FROM_NPM:-}" ]; then
		echo "              ($("$dbmate" --version 2>&1 | head -n 1), from npm; its native binary, not the node wrapper)"
	else
		echo "              ($("$dbmate" --version 2>&1 | head -n 1), given as DBMATE)"
	fi
fi
echo "  overhead per migration = (tool up total - baseline total) / $N"

touch "$work/done"
