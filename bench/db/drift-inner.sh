#!/usr/bin/env bash
# The measuring half of bench/drift.sh; run it through that script, which
# runs it under tests/db/pgrun (a private cluster: PGHOST, PGPORT, PGUSER are
# set) with BENCH_TENANTCTL, BENCH_WORK, BENCH_PG_DUMP, N, BATCH, DUMP_RUNS,
# PGDUMP_RUNS and DRIFT_RUNS in the environment.
set -euo pipefail

die() { echo "drift-inner.sh: $*" >&2; exit 1; }
for v in BENCH_TENANTCTL BENCH_WORK N BATCH DUMP_RUNS PGDUMP_RUNS DRIFT_RUNS PGHOST PGPORT PGUSER; do
	[ -n "${!v:-}" ] || die "$v is not set; run bench/drift.sh instead"
done
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (EPOCHREALTIME)"

tc=$BENCH_TENANTCTL
work=$BENCH_WORK
logs="$work/logs"
mkdir -p "$logs"

# No developer config, no colour: the bench must not depend on the caller.
export XDG_CONFIG_HOME="$work/config"
mkdir -p "$XDG_CONFIG_HOME"
export NO_COLOR=1
export PGDATABASE=postgres

dsn() { echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"; }
A=bench_a
B=bench_b

# ms with 1 decimal from µs; MiB with 1 decimal from KiB
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%d\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
maximum() { printf '%s\n' "$@" | sort -n | tail -n 1; }
list_ms() { local t s=""; for t in "$@"; do s+="$(ms "$t") "; done; echo "${s% }"; }

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
scalar() { psql_q -At -d "$1" -c "$2"; }

# --- pg_dump locks every table it dumps; the server's lock table holds
# max_locks_per_transaction x (max_connections + max_prepared_transactions)
# locks, and tests/db/pgrun starts the server with the default 64 x 50:
# pg_dump of 10,000 tables would fail with "out of shared memory". pgrun fixes
# the command line, not postgresql.auto.conf: ALTER SYSTEM, then restart the
# server in place (pg_ctl restart keeps pgrun's options; pgrun stops it at
# the end as usual).
raise_lock_table() {
	local cur conns prep want datadir pid bindir owner
	cur=$(scalar postgres "SHOW max_locks_per_transaction")
	conns=$(scalar postgres "SHOW max_connections")
	prep=$(scalar postgres "SHOW max_prepared_transactions")
	# room for every table twice over (tables, their TOAST tables, indexes)
	want=$(((2 * N + conns + prep - 1) / (conns + prep)))
	[ "$want" -lt 1024 ] && want=1024
	[ $((cur * (conns + prep))) -ge $((2 * N)) ] && return 0

	datadir=$(scalar postgres "SHOW data_directory")
	pid=$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null) || die "cannot read $datadir/postmaster.pid"
	bindir=$(dirname "$(readlink "/proc/$pid/exe" 2>/dev/null)")
	if [ ! -x "$bindir/pg_ctl" ]; then
		bindir=$(pg_config --bindir 2>/dev/null) || bindir=""
		[ -x "$bindir/pg_ctl" ] || die "cannot find pg_ctl of the server (pid $pid) to restart it"
	fi
	owner=$(stat -c %U "$datadir")
	local run=()
	if [ "$owner" != "$(id -un)" ]; then
		[ "$(id -u)" -eq 0 ] || die "the server runs as $owner: cannot restart it as $(id -un)"
		run=(runuser -u "$owner" --)
	fi
	psql_q -d postgres -c "ALTER SYSTEM SET max_locks_per_transaction = $want" >/dev/null
	# From /, which the server's user can enter; no terminal or pipe of ours
	# is handed to the server (pg_ctl sends its output to the log).
	if ! (cd / && "${run[@]}" "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 120 \
		restart -m fast) </dev/null >"$logs/pg_ctl_restart.log" 2>&1; then
		cat "$logs/pg_ctl_restart.log" >&2
		die "restarting the server with max_locks_per_transaction = $want failed"
	fi
	[ "$(scalar postgres "SHOW max_locks_per_transaction")" = "$want" ] ||
		die "max_locks_per_transaction is still not $want after the restart"
	locks_note="raised from $cur to $want (ALTER SYSTEM + restart)"
}
locks_note="left as is"
raise_lock_table

# --- database A: N tables, each with five columns, a check constraint and a
# partial index. One DO block per BATCH tables: one transaction each, and
# one round trip.
width=${#N}
[ "$width" -lt 5 ] && width=5
tname() { printf "t_%0${width}d" "$1"; }

gen_sql="$work/generate.sql"
: >"$gen_sql"
for ((s = 1; s <= N; s += BATCH)); do
	e=$((s + BATCH - 1))
	[ "$e" -gt "$N" ] && e=$N
	cat >>"$gen_sql" <<EOF
DO \$gen\$
DECLARE
	t text;
BEGIN
	FOR i IN $s..$e LOOP
		t := 't_' || lpad(i::text, $width, '0');
		EXECUTE format('CREATE TABLE public.%I (id bigint NOT NULL, tenant_id integer NOT NULL, '
			'name text, amount numeric(12,2) DEFAULT 0, '
			'created_at timestamptz NOT NULL DEFAULT now(), '
			'CONSTRAINT %I CHECK (amount >= 0))', t, t || '_amount_check');
		EXECUTE format('CREATE INDEX %I ON public.%I (tenant_id) WHERE name IS NOT NULL',
			t || '_named_idx', t);
	END LOOP;
END
\$gen\$;
EOF
done

t0=${EPOCHREALTIME/[.,]/}
psql_q -d postgres -c "CREATE DATABASE $A" >/dev/null
psql_q -d "$A" -f "$gen_sql" >"$logs/generate.log" 2>&1 ||
	{ tail -n 20 "$logs/generate.log" >&2; die "generating $N tables failed"; }
psql_q -d "$A" -c "VACUUM ANALYZE" >/dev/null
t1=${EPOCHREALTIME/[.,]/}
gen_us=$((t1 - t0))

ntab=$(scalar "$A" "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")
nidx=$(scalar "$A" "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace AND i.indpred IS NOT NULL")
nchk=$(scalar "$A" "SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype = 'c'")
[ "$ntab" -eq "$N" ] && [ "$nidx" -eq "$N" ] && [ "$nchk" -eq "$N" ] ||
	die "database $A has $ntab tables, $nidx partial indexes, $nchk checks; expected $N of each"

# --- database B: a copy of A with planted differences, spread over the
# tables: 10 added columns, 5 changed column types, 3 dropped indexes.
t0=${EPOCHREALTIME/[.,]/}
psql_q -d postgres -c "CREATE DATABASE $B TEMPLATE $A" >/dev/null
step=$((N / 20))
diff_sql="$work/differences.sql"
{
	echo "BEGIN;"
	for k in 1 2 3 4 5 6 7 8 9 10; do
		echo "ALTER TABLE public.$(tname $((k * step))) ADD COLUMN note text;"
	done
	for k in 11 12 13 14 15; do
		echo "ALTER TABLE public.$(tname $((k * step))) ALTER COLUMN tenant_id TYPE bigint;"
	done
	for k in 16 17 18; do
		echo "DROP INDEX public.$(tname $((k * step)))_named_idx;"
	done
	echo "COMMIT;"
} >"$diff_sql"
psql_q -d "$B" -f "$diff_sql" >"$logs/differences.log" 2>&1 ||
	{ tail -n 20 "$logs/differences.log" >&2; die "planting the differences in $B failed"; }
psql_q -d "$B" -c "VACUUM ANALYZE" >/dev/null
t1=${EPOCHREALTIME/[.,]/}
copy_us=$((t1 - t0))

# Write the generated pages out now, not during the timed runs.
psql_q -d postgres -c "CHECKPOINT" >/dev/null

dbsize=$(scalar postgres "SELECT pg_size_pretty(pg_database_size('$A'))")
nclass=$(scalar "$A" "SELECT count(*) FROM pg_class")
nattr=$(scalar "$A" "SELECT count(*) FROM pg_attribute")

# --- the measuring loop. measure NAME RUNS OK_EXIT CMD...: one warm-up run,
# then RUNS runs; fills W (wall µs), R (peak RSS KiB) and C (the process's
# own CPU, user + system, µs), the last two from GNU time. Wall minus CPU is,
# near enough, the time spent waiting for the server.
# A run that exits with anything but OK_EXIT is an error; its output is kept
# in $logs/NAME.out and .err.
W=() R=() C=()
measure() {
	local name=$1 runs=$2 ok=$3
	shift 3
	local i rc t0 t1
	# bash's `time`: user and system CPU of the child, to the millisecond
	# (GNU time prints them to 10 ms).
	local TIMEFORMAT='%3U %3S'
	W=() R=() C=()
	for ((i = 0; i <= runs; i++)); do
		rc=0
		t0=${EPOCHREALTIME/[.,]/}
		{ time /usr/bin/time -f %M -o "$logs/$name.rss" "$@" >"$logs/$name.out" 2>"$logs/$name.err"; } \
			2>"$logs/$name.cpu" || rc=$?
		t1=${EPOCHREALTIME/[.,]/}
		if [ "$rc" -ne "$ok" ]; then
			echo "drift-inner.sh: exit $rc (expected $ok): $*" >&2
			tail -n 20 "$logs/$name.err" "$logs/$name.out" >&2
			exit 1
		fi
		[ "$i" -eq 0 ] && continue
		W+=($((t1 - t0)))
		# GNU time writes "Command exited with non-zero status N" first.
		R+=("$(tail -n 1 "$logs/$name.rss")")
		C+=("$(awk '{ printf "%d", ($1 + $2) * 1e6 }' "$logs/$name.cpu")")
	done
}

# pg_dump: the one next to the server's programs (same major version),
# unless PG_DUMP says otherwise.
pg_dump=${BENCH_PG_DUMP:-}
if [ -z "$pg_dump" ]; then
	datadir=$(scalar postgres "SHOW data_directory")
	pid=$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null || true)
	sbin=$(dirname "$(readlink "/proc/$pid/exe" 2>/dev/null || echo .)")
	if [ -x "$sbin/pg_dump" ]; then
		pg_dump="$sbin/pg_dump"
	else
		pg_dump=$(command -v pg_dump) || die "pg_dump is needed (Debian: postgresql-client)"
	fi
fi

snap_a="$work/a.snapshot"
dump_out="$work/a.pg_dump.sql"

measure tc_dump "$DUMP_RUNS" 0 "$tc" schema dump -d "$(dsn $A)" -o "$snap_a"
tc_dump_w=("${W[@]}") tc_dump_r=("${R[@]}") tc_dump_c=("${C[@]}")
snap_tables=$(grep -c "^table public\.t_[0-9]*$" "$snap_a" || true)
[ "$snap_tables" -eq "$N" ] || die "the snapshot of $A names $snap_tables tables, not $N ($snap_a)"
snap_bytes=$(stat -c %s "$snap_a")
snap_lines=$(wc -l <"$snap_a")

measure pg_dump "$PGDUMP_RUNS" 0 "$pg_dump" --schema-only -d "$(dsn $A)" -f "$dump_out"
pgd_w=("${W[@]}") pgd_r=("${R[@]}") pgd_c=("${C[@]}")
pgd_tables=$(grep -c "^CREATE TABLE public\.t_" "$dump_out" || true)
[ "$pgd_tables" -eq "$N" ] || die "pg_dump's output names $pgd_tables tables, not $N"
pgd_bytes=$(stat -c %s "$dump_out")
pgd_lines=$(wc -l <"$dump_out")

# drift of A (live) against B (reference). The report exits 0 with drift.
measure tc_drift "$DRIFT_RUNS" 0 "$tc" drift -d "$(dsn $A)" --against "$(dsn $B)"
drift_w=("${W[@]}") drift_r=("${R[@]}") drift_c=("${C[@]}")

# Every planted difference, and nothing else, must be reported. The --json
# array has one item a line; "information only" items (column order, row
# counts) are not drift.
count_items() { # FILE STATUS
	grep -v 'information only' "$1" | grep -o "\"status\":\"$2\"" | wc -l
}
check_items() { # FILE MISSING EXTRA CHANGED WHAT
	local m e c
	m=$(count_items "$1" missing)
	e=$(count_items "$1" extra)
	c=$(count_items "$1" changed)
	[ "$m" -eq "$2" ] && [ "$e" -eq "$3" ] && [ "$c" -eq "$4" ] ||
		die "$5 reports $m missing, $e extra, $c changed; expected $2, $3, $4 (see $1)"
}
rc=0
"$tc" --json drift -d "$(dsn $A)" --against "$(dsn $B)" >"$logs/drift.json" 2>"$logs/drift.json.err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$logs/drift.json.err" >&2; die "tenantctl --json drift exited $rc"; }
check_items "$logs/drift.json" 10 3 5 "drift $A against $B"
drift_items=$(grep -c '"status":' "$logs/drift.json" || true)
drift_info=$(grep -c 'information only' "$logs/drift.json" || true)

# drift check of B (live) against the snapshot file of A: the CI gate,
# which exits 1 on drift. And A against its own snapshot: nothing to report.
measure tc_check "$DRIFT_RUNS" 1 "$tc" drift check -d "$(dsn $B)" --against "$snap_a"
check_w=("${W[@]}") check_r=("${R[@]}") check_c=("${C[@]}")
rc=0
"$tc" --json drift check -d "$(dsn $B)" --against "$snap_a" >"$logs/check.json" 2>"$logs/check.json.err" || rc=$?
[ "$rc" -eq 1 ] || { cat "$logs/check.json.err" >&2; die "tenantctl --json drift check ($B against the snapshot of $A) exited $rc, not 1"; }
check_items "$logs/check.json" 3 10 5 "drift check $B against the snapshot of $A"
check_items_n=$(grep -c '"status":' "$logs/check.json" || true)
check_info=$(grep -c 'information only' "$logs/check.json" || true)
rc=0
"$tc" --json drift check -d "$(dsn $A)" --against "$snap_a" >"$logs/self.json" 2>"$logs/self.json.err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$logs/self.json.err" >&2; die "tenantctl drift check of $A against its own snapshot exited $rc, not 0"; }
self_info=$(grep -c 'information only' "$logs/self.json" || true)

# --- the figures
tc_dump=$(median "${tc_dump_w[@]}")
pgd=$(median "${pgd_w[@]}")
drift=$(median "${drift_w[@]}")
check=$(median "${check_w[@]}")
ratio=$(awk -v p="$pgd" -v t="$tc_dump" 'BEGIN { printf "%.1f", p / t }')
peak=$(maximum "${tc_dump_r[@]}" "${drift_r[@]}" "${check_r[@]}")
verdict() { # VALUE OP GOAL
	awk -v x="$1" -v op="$2" -v g="$3" 'BEGIN { ok = (op == "<") ? (x < g) : (x >= g); print ok ? "meets goal" : "MISSES goal" }'
}

pgver=$(scalar postgres "SHOW server_version")
line() { printf '%-50s %10s   %s\n' "$@"; }
echo
echo "tenantctl drift benchmark: $N tables (5 columns, a check constraint, a partial index each)"
echo "PostgreSQL $pgver, private cluster on a Unix socket, fsync=off; $(nproc) CPUs; $(uname -sr)"
echo "catalog of $A: $nclass pg_class rows, $nattr pg_attribute rows, $dbsize; max_locks_per_transaction $locks_note"
echo "generated $A in $(ms "$gen_us") ms; copied it to $B (+10 columns, 5 types, -3 indexes) in $(ms "$copy_us") ms"
echo "wall: median of the runs after one warm-up; own CPU: median user + system time of the"
echo "process (wall - own CPU ~ waiting for the server); peak RSS: the largest of the runs (GNU time %M)"
echo
line "figure" "value" "goal / note"
line "------" "-----" "-----------"
line "tenantctl schema dump -o FILE (ms)" "$(ms "$tc_dump")" "own CPU $(ms "$(median "${tc_dump_c[@]}")"); runs: $(list_ms "${tc_dump_w[@]}")"
line "pg_dump --schema-only -f FILE (ms)" "$(ms "$pgd")" "own CPU $(ms "$(median "${pgd_c[@]}")"); runs: $(list_ms "${pgd_w[@]}")"
line "pg_dump / tenantctl schema dump" "${ratio}x" "goal >= 5x: $(verdict "$ratio" ">=" 5)"
line "tenantctl drift A --against B (ms)" "$(ms "$drift")" "goal < 1500 ms: $(verdict "$drift" "<" 1500000)"
line "" "" "own CPU $(ms "$(median "${drift_c[@]}")"); runs: $(list_ms "${drift_w[@]}")"
line "tenantctl drift check B --against A.snapshot (ms)" "$(ms "$check")" "own CPU $(ms "$(median "${check_c[@]}")"); runs: $(list_ms "${check_w[@]}")"
line "  dump A, then check B against it (ms)" "$(ms $((tc_dump + check)))" "the snapshot route, end to end"
line "peak RSS: tenantctl schema dump (MiB)" "$(mib "$(maximum "${tc_dump_r[@]}")")" ""
line "peak RSS: tenantctl drift (MiB)" "$(mib "$(maximum "${drift_r[@]}")")" ""
line "peak RSS: tenantctl drift check (MiB)" "$(mib "$(maximum "${check_r[@]}")")" ""
line "peak RSS: tenantctl, largest (MiB)" "$(mib "$peak")" "goal < 200 MiB: $(verdict "$peak" "<" 204800)"
line "peak RSS: pg_dump (MiB)" "$(mib "$(maximum "${pgd_r[@]}")")" "for context"
line "snapshot size (bytes / lines)" "$snap_bytes" "$snap_lines lines"
line "pg_dump --schema-only size (bytes / lines)" "$pgd_bytes" "$pgd_lines lines"
line "drift A against B: items" "$drift_items" "18 drift (10 missing, 3 extra, 5 changed) + $drift_info information only"
line "drift check B against A.snapshot: items" "$check_items_n" "18 drift (3 missing, 10 extra, 5 changed) + $check_info information only"
line "drift check A against A.snapshot: items" "$self_info" "information only (exit 0: no drift)"
echo
echo "commands (socket folder $PGHOST, port $PGPORT; A = $(dsn $A), B = dbname=$B):"
echo "  $tc schema dump -d '$(dsn $A)' -o A.snapshot"
echo "  $pg_dump --schema-only -d '$(dsn $A)' -f A.sql"
echo "  $tc drift -d '$(dsn $A)' --against '$(dsn $B)'"
echo "  $tc drift check -d '$(dsn $B)' --against A.snapshot      # exits 1: drift"
echo "  item counts: the same drift / drift check with --json"

touch "$work/done"
