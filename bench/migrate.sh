#!/usr/bin/env bash
# bench/migrate.sh — how fast are `tenantctl migrate up` and `migrate status`
# on 1,000 trivial migrations, next to psql (the bare SQL + commit) and
# dbmate on the very same files.
#
#   bash bench/migrate.sh [BUILD_DIR]      (or BUILD=... bash bench/migrate.sh)
#
# BUILD_DIR holds the built `tenantctl` and `tests/db/pgrun` (default: the
# repository root, for an in-tree build). A private PostgreSQL cluster is
# started by tests/db/pgrun, exactly as for the database tests, and is stopped
# and removed at the end, also on failure or Ctrl-C.
#
# It prints figures and the goals next to them; it never fails because of a
# time. It exits non-zero only on a real error (missing build, no server,
# a command that fails, a wrong result).
#
# Knobs (environment): N (migrations, default 1000), STATUS_RUNS (default 11),
# UP_RUNS (fresh-database repetitions of each `up`, median kept, default 5),
# DBMATE (path to a dbmate binary: skips `npm install dbmate`),
# NO_DBMATE=1 (skip dbmate).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${1:-${BUILD:-$repo}}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "migrate.sh: no build folder '${1:-${BUILD:-$repo}}'" >&2; exit 2; }

die() { echo "migrate.sh: $*" >&2; exit 1; }

[ -x "$build/tenantctl" ] || die "no $build/tenantctl — build first: ./configure && make tenantctl tests/db/pgrun (or pass the build folder)"
[ -x "$build/tests/db/pgrun" ] || die "no $build/tests/db/pgrun — build it: make tests/db/pgrun (in $build)"
command -v psql >/dev/null || die "psql is needed (Debian: postgresql-client)"

export N=${N:-1000}
export STATUS_RUNS=${STATUS_RUNS:-11}
export UP_RUNS=${UP_RUNS:-5}
case "$N$STATUS_RUNS$UP_RUNS" in *[!0-9]*) die "N, STATUS_RUNS and UP_RUNS must be numbers" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/tenantctl-bench-XXXXXX")
cleanup() { rm -rf "$work"; }
child=""
# A signal to this script alone reaches pgrun too, so it stops the server.
on_signal() {
	if [ -n "$child" ]; then
		kill -s "$1" "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	exit "$2"
}
trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP
# The server runs as postgres when we are root; it never reads these files,
# but the clients (tenantctl, dbmate, psql) run as us.
chmod 755 "$work"

# --- 1,000 trivial migrations, native (= dbmate) format, 14-digit versions.
mig="$work/migrations"
mkdir -p "$mig"
for ((i = 1; i <= N; i++)); do
	printf -v v '2024%010d' "$i"
	printf -v t 't_%04d' "$i"
	printf -- '-- migrate:up\nCREATE TABLE %s (id int);\n\n-- migrate:down\nDROP TABLE %s;\n' \
		"$t" "$t" >"$mig/${v}_create_${t}.sql"
done

# --- dbmate, from npm, into the scratch folder.
dbmate=${DBMATE:-}
dbmate_note=""
if [ -n "${NO_DBMATE:-}" ]; then
	dbmate_note="skipped (NO_DBMATE set)"
elif [ -z "$dbmate" ]; then
	if ! command -v npm >/dev/null; then
		dbmate_note="could not be installed: npm is not installed"
	elif ! timeout 300 npm install --loglevel=error --no-audit --no-fund --prefix "$work/npm" dbmate \
		>"$work/npm.log" 2>&1; then
		dbmate_note="could not be installed: npm install dbmate failed: $(grep -m 1 -i "error" "$work/npm.log" || tail -n 1 "$work/npm.log")"
	else
		# The npm package is a node wrapper around a native binary; time the
		# binary itself so node's start-up (~40 ms) is not charged to dbmate.
		dbmate=$(find "$work/npm/node_modules/@dbmate" -path '*/bin/dbmate' -type f 2>/dev/null | head -n 1)
		[ -n "$dbmate" ] || dbmate="$work/npm/node_modules/.bin/dbmate"
		[ -x "$dbmate" ] || { dbmate=""; dbmate_note="could not be installed: no dbmate binary in the npm package"; }
	fi
elif [ ! -x "$dbmate" ]; then
	die "DBMATE=$dbmate is not an executable"
fi
if [ -z "$dbmate_note" ] && ! "$dbmate" --version >/dev/null 2>&1; then
	dbmate_note="could not be installed: $dbmate --version fails"
	dbmate=""
fi
[ -n "$dbmate_note" ] && echo "migrate.sh: dbmate $dbmate_note; continuing without it" >&2

export BENCH_TENANTCTL="$build/tenantctl"
export BENCH_MIGDIR="$mig"
export BENCH_WORK="$work"
export BENCH_DBMATE="$dbmate"
export BENCH_DBMATE_NOTE="$dbmate_note"
BENCH_DBMATE_FROM_NPM=""
[ -z "${DBMATE:-}" ] && BENCH_DBMATE_FROM_NPM=1
export BENCH_DBMATE_FROM_NPM

# pgrun gives a program whose path contains /db/ a private cluster.
rc=0
"$build/tests/db/pgrun" "$here/db/migrate-inner.sh" &
child=$!
wait "$child" || rc=$?
child=""
if [ "$rc" -ne 0 ]; then
	die "the benchmark failed (exit $rc)"
fi
# pgrun exits 0 with "1..0 # SKIP" when there is no PostgreSQL server.
[ -e "$work/done" ] || die "no PostgreSQL server programs found (Debian: postgresql); nothing measured"
