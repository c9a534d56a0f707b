#!/bin/bash
# The console on a real terminal: tmux runs tenantctl, sends keys, resizes
# the window and reads the screen back with capture-pane. Every wait polls
# the screen for what must appear (never a fixed sleep), with a long limit
# that only guards against a hang.
#
# Run by tests/db/pgrun, which starts a private cluster (PGHOST, PGPORT,
# PGUSER, TC_TEST_DSN). TAP output. Without tmux the test skips, except in
# CI, where it fails.
set -u
srcdir=${TC_SRCDIR:?TC_SRCDIR is not set}
builddir=${TC_BUILDDIR:?TC_BUILDDIR is not set}
tc="$builddir/tenantctl"

echo "1..4"
if ! command -v tmux >/dev/null; then
	if [ "${CI:-}" = "true" ]; then
		echo "Bail out! tmux is missing (install the Debian package tmux)"
		exit 99
	fi
	for i in 1 2 3 4; do echo "ok $i # SKIP tmux is not installed (Debian package tmux)"; done
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tc-tmux-XXXXXX") || exit 99
chmod 755 "$work" # the demo's server runs as postgres when we are root
sock="tc-test-$$"
T() { tmux -L "$sock" "$@"; }
cleanup() {
	T kill-server 2>/dev/null
	TENANTCTL_DEMO_DIR="$work/demo" "$tc" demo --stop >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

export XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" LC_ALL=C.UTF-8 TZ=UTC
export TENANTCTL_DEMO_DIR="$work/demo"
unset NO_COLOR TENANTCTL_TUI_SCRIPT TENANTCTL_TUI_PANE

screen() { T capture-pane -p -t tc 2>/dev/null; }
# wait_for TEXT [SECONDS]: poll the screen until TEXT shows.
wait_for() {
	local limit=$((${2:-60} * 10))
	for ((i = 0; i < limit; i++)); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "# gave up waiting for: $1"
	screen | sed 's/^/#   | /'
	return 1
}
# wait_gone TEXT: poll until TEXT is no longer shown.
wait_gone() {
	for ((i = 0; i < 600; i++)); do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
	done
	echo "# still showing: $1"
	screen | sed 's/^/#   | /'
	return 1
}
session_gone() {
	for ((i = 0; i < 600; i++)); do
		T has-session -t tc 2>/dev/null || return 0
		sleep 0.1
	done
	echo "# the console did not quit"
	return 1
}
start() { # start W H COMMAND...
	local w=$1 h=$2
	shift 2
	T -f /dev/null new-session -d -s tc -x "$w" -y "$h" "$@" || return 1
	T set-option -g window-size manual
}
resize() { T resize-window -t tc -x "$1" -y "$2"; }

# 1: the demo opens the console; panes switch; resizes reflow; q quits.
ok=1
start 100 30 "$tc" demo || ok=0
[ $ok = 1 ] && wait_for "1 Orgs  2 Members  3 Drift  4 Migrations" 180 || ok=0
[ $ok = 1 ] && wait_for "  1 pending" || ok=0
[ $ok = 1 ] && T send-keys -t tc 4 && wait_for "Migrations: 7 applied, 1 pending" || ok=0
[ $ok = 1 ] && wait_for "· pending" || ok=0
[ $ok = 1 ] && T send-keys -t tc 2 && wait_gone "Migrations: 7 applied" || ok=0
[ $ok = 1 ] && resize 50 14 && wait_gone "1 Orgs  2 Members" || ok=0
[ $ok = 1 ] && wait_for "demo   RO" || ok=0
[ $ok = 1 ] && resize 30 8 && wait_for "terminal too small (30x8)" || ok=0
[ $ok = 1 ] && resize 100 30 && wait_for "1 Orgs  2 Members  3 Drift  4 Migrations" || ok=0
[ $ok = 1 ] && T send-keys -t tc 4 && wait_for "Migrations: 7 applied, 1 pending" || ok=0
[ $ok = 1 ] && T send-keys -t tc q && session_gone || ok=0
echo "$([ $ok = 1 ] && echo ok || echo not ok) 1 - demo: open, switch panes, resize to single pane, tiny and back, quit"
T kill-server 2>/dev/null

# A target whose next migration sleeps: previewing it is a slow query.
db=tc_tmux
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 99
mig="$work/migrations"
mkdir -p "$mig" && cp "$srcdir"/db/migrations/*.sql "$mig"/ || exit 99
cat >"$mig/20260101000009_slow.sql" <<'EOF'
-- migrate:up
SELECT pg_sleep(120);
-- migrate:down
SELECT 1;
EOF
dsn="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"
# The reference migrations applied; the slow one pending.
"$tc" migrate up --write -d "$dsn" --dir "$srcdir/db/migrations" >/dev/null || exit 99
cfg="$work/tenantctl.conf"
printf '[target tmux]\ndsn = "%s"\nmigrations = %s\n' "$dsn" "$mig" >"$cfg"
sleeping() { psql -X -At -d "$db" -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()"; }

# 2: C-c during a slow query cancels it; the console stays usable.
ok=1
start 100 30 "$tc" --config "$cfg" -t tmux || ok=0
[ $ok = 1 ] && wait_for "1 Orgs  2 Members" || ok=0
[ $ok = 1 ] && T send-keys -t tc 4 && wait_for "Migrations:" || ok=0
[ $ok = 1 ] && wait_for "8 applied, 1 pending" || ok=0
[ $ok = 1 ] && T send-keys -t tc p && wait_for "C-c cancel" || ok=0
for ((i = 0; ok == 1 && i < 300; i++)); do [ "$(sleeping)" = 1 ] && break; sleep 0.1; done
[ $ok = 1 ] && [ "$(sleeping)" = 1 ] || { ok=0; echo "# the slow query never ran"; }
[ $ok = 1 ] && T send-keys -t tc C-c && wait_for "cancelled" && wait_gone "C-c cancel" || ok=0
for ((i = 0; ok == 1 && i < 300; i++)); do [ "$(sleeping)" = 0 ] && break; sleep 0.1; done
[ $ok = 1 ] && [ "$(sleeping)" = 0 ] || { ok=0; echo "# the slow query is still running"; }
[ $ok = 1 ] && T send-keys -t tc 1 && wait_gone "Migrations:" && T send-keys -t tc 4 && wait_for "Migrations:" || ok=0
echo "$([ $ok = 1 ] && echo ok || echo not ok) 2 - C-c cancels a slow query (pg_sleep) and the console answers keys after"

# 3: a lost connection shows the banner; R reconnects.
if [ $ok = 1 ]; then
	psql -X -q -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db' AND application_name LIKE 'tenantctl%'" >/dev/null
	T send-keys -t tc R
	wait_for "connection lost: R reconnects" && T send-keys -t tc R && wait_for "reconnected" &&
		wait_gone "connection lost" || ok=0
else
	ok=0
fi
echo "$([ $ok = 1 ] && echo ok || echo not ok) 3 - a lost connection shows the banner and R reconnects"

# 4: q quits from the top; the terminal is the shell's again.
[ $ok = 1 ] && T send-keys -t tc q && session_gone || ok=0
echo "$([ $ok = 1 ] && echo ok || echo not ok) 4 - q quits"
exit 0
