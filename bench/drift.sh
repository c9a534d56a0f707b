#!/usr/bin/env bash
# bench/drift.sh — how fast and how big are `tenantctl schema dump` and
# `tenantctl drift` on a database of 10,000 tables, next to
# `pg_dump --schema-only` on the very same database (issue 4, "Speed and
# memory").
#
#   bash bench/drift.sh [BUILD_DIR]      (or BUILD=... bash bench/drift.sh)
#
# BUILD_DIR holds the built `tenantctl` and `tests/db/pgrun` (default: the
# repository root, for an in-tree build). A private PostgreSQL cluster is
# started by tests/db/pgrun, exactly as for the database tests, and is stopped
# and removed at the end, also on failure or Ctrl-C.
#
# It prints figures and the goals next to them; it never fails because of a
# time or a size. It exits non-zero only on a real error (missing build or
# tool, no server, a command that fails, a wrong result).
#
# Knobs (environment): N (tables, default 10000), BATCH (tables per
# generating transaction, default 500), DUMP_RUNS (default 5), PGDUMP_RUNS
# (default 3), DRIFT_RUNS (default 5), PG_DUMP (path to a pg_dump; default:
# the one next to the server's programs, else the one on PATH).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${1:-${BUILD:-$repo}}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "drift.sh: no build folder '${1:-${BUILD:-$repo}}'" >&2; exit 2; }

die() { echo "drift.sh: $*" >&2; exit 1; }

[ -x "$build/tenantctl" ] || die "no $build/tenantctl — build first: ./configure && make tenantctl tests/db/pgrun (or pass the build folder)"
[ -x "$build/tests/db/pgrun" ] || die "no $build/tests/db/pgrun — build it: make tests/db/pgrun (in $build)"
command -v psql >/dev/null || die "psql is needed (Debian: postgresql-client)"
# Peak memory comes from GNU time's %M (maximum resident set size, KiB).
/usr/bin/time -f %M -o /dev/null true 2>/dev/null ||
	die "GNU time is needed at /usr/bin/time for peak memory (Debian: apt-get install time)"
if [ -n "${PG_DUMP:-}" ]; then
	[ -x "$PG_DUMP" ] || die "PG_DUMP=$PG_DUMP is not an executable"
fi

export N=${N:-10000}
export BATCH=${BATCH:-500}
export DUMP_RUNS=${DUMP_RUNS:-5}
export PGDUMP_RUNS=${PGDUMP_RUNS:-3}
export DRIFT_RUNS=${DRIFT_RUNS:-5}
case "$N$BATCH$DUMP_RUNS$PGDUMP_RUNS$DRIFT_RUNS" in *[!0-9]*) die "N, BATCH and the *_RUNS knobs must be numbers" ;; esac
[ "$N" -ge 100 ] || die "N must be at least 100 (the planted differences need room)"
[ "$BATCH" -ge 1 ] && [ "$DUMP_RUNS" -ge 1 ] && [ "$PGDUMP_RUNS" -ge 1 ] && [ "$DRIFT_RUNS" -ge 1 ] ||
	die "BATCH and the *_RUNS knobs must be at least 1"

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
# but the clients (tenantctl, pg_dump, psql) run as us.
chmod 755 "$work"

export BENCH_TENANTCTL="$build/tenantctl"
export BENCH_WORK="$work"
export BENCH_PG_DUMP="${PG_DUMP:-}"

# pgrun gives a program whose path contains /db/ a private cluster.
rc=0
"$build/tests/db/pgrun" "$here/db/drift-inner.sh" &
child=$!
wait "$child" || rc=$?
child=""
if [ "$rc" -ne 0 ]; then
	die "the benchmark failed (exit $rc)"
fi
# pgrun exits 0 with "1..0 # SKIP" when there is no PostgreSQL server.
[ -e "$work/done" ] || die "no PostgreSQL server programs found (Debian: postgresql); nothing measured"
