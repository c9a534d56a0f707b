#!/usr/bin/env bash
# bench/tenancy.sh — how fast and how big are the tenancy commands on a
# deployment of 1,000,000 organizations and 5,000,000 memberships (issue 5,
# "Scale"): `orgs list` (first and next page), `orgs search` (prefix and
# substring), the full `audit`, and `backfill resources` — at two sizes, so
# that tenantctl's own memory can be seen not to grow with the row count.
#
#   bash bench/tenancy.sh [BUILD_DIR]      (or BUILD=... bash bench/tenancy.sh)
#
# BUILD_DIR holds the built `tenantctl` and `tests/db/pgrun` (default: the
# repository root, for an in-tree build). A private PostgreSQL cluster is
# started by tests/db/pgrun, exactly as for the database tests, and is stopped
# and removed at the end, also on failure or Ctrl-C.
#
# It prints figures and the goals next to them; it never fails because of a
# time or a size. A tenantctl command that does not work is reported as such
# (with its error) and the run goes on; the script exits non-zero only when
# it cannot measure at all (missing build or tool, no server, the data
# cannot be generated).
#
# Knobs (environment): SIZES (organizations per database, default
# "100000 1000000"), RUNS (runs of each page and search command, median
# kept, default 11), AUDIT_RUNS (runs of the audit, default 3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${1:-${BUILD:-$repo}}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "tenancy.sh: no build folder '${1:-${BUILD:-$repo}}'" >&2; exit 2; }

die() { echo "tenancy.sh: $*" >&2; exit 1; }

[ -x "$build/tenantctl" ] || die "no $build/tenantctl — build first: ./configure && make tenantctl tests/db/pgrun (or pass the build folder)"
[ -x "$build/tests/db/pgrun" ] || die "no $build/tests/db/pgrun — build it: make tests/db/pgrun (in $build)"
command -v psql >/dev/null || die "psql is needed (Debian: postgresql-client)"
# Peak memory comes from GNU time's %M (maximum resident set size, KiB).
/usr/bin/time -f %M -o /dev/null true 2>/dev/null ||
	die "GNU time is needed at /usr/bin/time for peak memory (Debian: apt-get install time)"
[ -f "$repo/db/seed/scale.sql" ] || die "no $repo/db/seed/scale.sql"

export SIZES=${SIZES:-100000 1000000}
export RUNS=${RUNS:-11}
export AUDIT_RUNS=${AUDIT_RUNS:-3}
case "$RUNS$AUDIT_RUNS" in *[!0-9]*) die "RUNS and AUDIT_RUNS must be numbers" ;; esac
[ "$RUNS" -ge 1 ] && [ "$AUDIT_RUNS" -ge 1 ] || die "RUNS and AUDIT_RUNS must be at least 1"
for s in $SIZES; do
	case "$s" in '' | *[!0-9]*) die "SIZES must be numbers of organizations, not '$s'" ;; esac
	[ "$s" -ge 1000 ] || die "each size must be at least 1000 organizations"
done

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
# but the clients (tenantctl, psql) run as us.
chmod 755 "$work"

export BENCH_TENANTCTL="$build/tenantctl"
export BENCH_WORK="$work"
export BENCH_REPO="$repo"

# pgrun gives a program whose path contains /db/ a private cluster.
rc=0
"$build/tests/db/pgrun" "$here/db/tenancy-inner.sh" &
child=$!
wait "$child" || rc=$?
child=""
if [ "$rc" -ne 0 ]; then
	die "the benchmark failed (exit $rc)"
fi
# pgrun exits 0 with "1..0 # SKIP" when there is no PostgreSQL server.
[ -e "$work/done" ] || die "no PostgreSQL server programs found (Debian: postgresql); nothing measured"
