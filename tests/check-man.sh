#!/bin/sh
# The command section of man/tenantctl.1 must be what the command table says.
# With --update, rewrite the section in place (make update-man).
set -u
srcdir=${TC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${TC_BUILDDIR:-$srcdir}
page="$srcdir/man/tenantctl.1"
gen="$builddir/tests/print-man-commands"
# The markers are roff comments: .\" BEGIN/END GENERATED COMMANDS

want=$(mktemp) && have=$(mktemp) || exit 99
trap 'rm -f "$want" "$have"' EXIT
"$gen" >"$want" || { echo "Bail out! $gen failed"; exit 99; }
awk '/^\.\\" END GENERATED COMMANDS$/{p=0} p{print} /^\.\\" BEGIN GENERATED COMMANDS$/{p=1}' "$page" >"$have"

if [ "${1:-}" = "--update" ]; then
	awk -v f="$want" '
		/^\.\\" BEGIN GENERATED COMMANDS$/{print; while ((getline l < f) > 0) print l; skip=1; next}
		/^\.\\" END GENERATED COMMANDS$/{skip=0} !skip{print}' "$page" >"$page.new" &&
		cat "$page.new" >"$page" && rm -f "$page.new"
	echo "updated $page"
	exit 0
fi

echo "1..1"
if cmp -s "$want" "$have"; then
	echo "ok 1 - man/tenantctl.1 command section matches the command table"
else
	echo "not ok 1 - man/tenantctl.1 command section differs from the command table"
	diff -u "$have" "$want" | sed 's/^/# /'
	echo "# run 'make update-man' to regenerate it"
fi
