#!/bin/sh
# The command section of man/tenantctl.1 must be what the command table says.
# With --update, rewrite the section in place (make update-man).
set -u
srcdir=${TC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${TC_BUILDDIR:-$srcdir}
page="$srcdir/man/tenantctl.1"
gen="$builddir/tests/print-man-commands"
begin='.\" BEGIN GENERATED COMMANDS'
end='.\" END GENERATED COMMANDS'

want=$(mktemp) && have=$(mktemp) || exit 99
trap 'rm -f "$want" "$have"' EXIT
"$gen" >"$want" || { echo "Bail out! $gen failed"; exit 99; }
awk -v b="$begin" -v e="$end" '$0==e{p=0} p{print} $0==b{p=1}' "$page" >"$have"

if [ "${1:-}" = "--update" ]; then
	awk -v b="$begin" -v e="$end" -v f="$want" '
		$0==b{print; while ((getline l < f) > 0) print l; skip=1; next}
		$0==e{skip=0} !skip{print}' "$page" >"$page.new" && mv "$page.new" "$page"
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
