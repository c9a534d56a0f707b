#!/bin/bash
# End to end on a real terminal (tmux), against the demo, as an operator
# would: find a planted audit finding and fix it through staged changes,
# allowlist a drift item with a reason and save it, apply the pending
# migration; then check the database and the allowlist file directly.
#
# Every wait polls the screen (capture-pane) for what must appear; the long
# limits only guard against a hang. Run by tests/db/pgrun (TAP output); the
# demo builds its own cluster in a temporary folder. Without tmux it skips,
# except in CI, where it fails.
set -u
builddir=${TC_BUILDDIR:?TC_BUILDDIR is not set}
tc="$builddir/tenantctl"

echo "1..5"
if ! command -v tmux >/dev/null; then
	if [ "${CI:-}" = "true" ]; then
		echo "Bail out! tmux is missing (install the Debian package tmux)"
		exit 99
	fi
	for i in 1 2 3 4 5; do echo "ok $i # SKIP tmux is not installed (Debian package tmux)"; done
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tc-e2e-XXXXXX") || exit 99
chmod 755 "$work" # the demo's server runs as postgres when we are root
sock="tc-e2e-$$"
T() { tmux -L "$sock" "$@"; }
export TENANTCTL_DEMO_DIR="$work/demo"
cleanup() {
	T kill-server 2>/dev/null
	"$tc" demo --stop >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
export XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" LC_ALL=C.UTF-8 TZ=UTC
unset NO_COLOR TENANTCTL_TUI_SCRIPT TENANTCTL_TUI_PANE

screen() { T capture-pane -p -t e2e 2>/dev/null; }
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
keys() { T send-keys -t e2e "$@"; }
# The demo's database, read directly (not through tenantctl's console).
sql() { psql -X -At -d "$(sed -n 's/^dsn = "\(.*\)"$/\1/p' "$TENANTCTL_DEMO_DIR.conf")" -c "$1"; }

T -f /dev/null new-session -d -s e2e -x 120 -y 40 "$tc" demo --write || exit 99
ok=1
wait_for "1 Orgs  2 Members  3 Drift  4 Migrations" 180 && wait_for "findings: 16" || ok=0
[ $ok = 1 ] && wait_for "drift: 7" || ok=0
echo "$([ $ok = 1 ] && echo ok || echo not ok) 1 - the demo opens read-write with its findings, drift and pending migration in the header"

# 2: the audit says globex has no owner; stage marge as its owner, review, apply.
if [ $ok = 1 ]; then
	keys 2 && wait_for "Members of all orgs" &&
		keys a && wait_for "org-no-owner" &&
		keys Escape && wait_for "Members of all orgs" &&
		keys / m a r g e Enter && wait_for "marge@globex.example" &&
		keys E && wait_for "New role for marge@globex.example" &&
		keys C-u o w n e r Enter && wait_for "1 staged" &&
		keys W && wait_for "admin -> owner" && wait_for "Apply these changes? [y/N]" &&
		keys y && wait_for "applied 1 change" && wait_for "findings: 15" || ok=0
fi
owner=$(sql "SELECT u.email FROM organizations o JOIN users u ON u.id = o.owner_id WHERE o.slug = 'globex'")
logged=$(sql "SELECT count(*) FROM tenantctl_operator_log WHERE command LIKE '%set-role globex marge@globex.example owner%'")
[ "$owner" = "marge@globex.example" ] || { ok=0; echo "# globex's owner is '$owner'"; }
[ "$logged" = 1 ] || { ok=0; echo "# operator log rows for the change: '$logged'"; }
echo "$([ $ok = 1 ] && echo ok || echo not ok) 2 - a planted finding (globex has no owner) fixed through a staged, reviewed change with its audit row"

# 3: allowlist the hand-made index with a reason; :w writes it to the file.
ok3=1
keys 3 && wait_for "organizations_name_lower_idx" || ok3=0
if [ $ok3 = 1 ]; then
	keys / n a m e _ l o w e r Enter && keys Escape
	# put the cursor on the index row
	for ((i = 0; i < 20; i++)); do
		screen | grep -qE '^> .*organizations_name_lower_idx' && break
		keys j
		sleep 0.1
	done
	keys a && wait_for "Why allow index public.organizations_name_lower_idx?" &&
		keys "kept for the name search report" Enter && wait_for "1 unsaved rule" &&
		keys : w Enter && wait_for "saved 1 allowlist rule" || ok3=0
fi
grep -qxF "index public.organizations_name_lower_idx -- kept for the name search report" \
	"$TENANTCTL_DEMO_DIR.allowlist" || { ok3=0; echo "# the allowlist file:"; sed 's/^/#   | /' "$TENANTCTL_DEMO_DIR.allowlist"; }
echo "$([ $ok3 = 1 ] && echo ok || echo not ok) 3 - a drift item allowlisted with its reason, saved by :w to the file"

# 4: apply the pending migration after its confirmation.
ok4=1
keys 4 && wait_for "1 pending" &&
	keys M && wait_for "Apply this migration? [y/N]" && wait_for "ADD COLUMN billing_email" &&
	keys y && wait_for "0 pending" && wait_for "drift: 4" || ok4=0
col=$(sql "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.organizations'::regclass AND attname = 'billing_email'")
applied=$(sql "SELECT count(*) FROM tenantctl_schema_migrations WHERE version = '20260101000008'")
[ "$col" = 1 ] && [ "$applied" = 1 ] || { ok4=0; echo "# billing_email columns: '$col', history rows: '$applied'"; }
echo "$([ $ok4 = 1 ] && echo ok || echo not ok) 4 - the pending migration applied from the Migrations pane (M, y)"

# 5: quit; the command line reads the saved rule: the index is allowed, with its reason.
ok5=1
keys Q
for ((i = 0; i < 300; i++)); do T has-session -t e2e 2>/dev/null || break; sleep 0.1; done
T has-session -t e2e 2>/dev/null && { ok5=0; echo "# the console did not quit"; }
row=$("$tc" --config "$TENANTCTL_DEMO_DIR.conf" -t demo drift 2>/dev/null | grep "organizations_name_lower_idx")
case "$row" in
*true*"kept for the name search report"*) ;;
*) ok5=0; echo "# drift says: $row" ;;
esac
echo "$([ $ok5 = 1 ] && echo ok || echo not ok) 5 - quit; the command line reads the saved rule (allowed, with its reason)"
exit 0
