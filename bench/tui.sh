#!/usr/bin/env bash
# bench/tui.sh — how quick is the console: time per navigation key and time
# from start to the first full paint, against the demo deployment.
#
#   bash bench/tui.sh [BUILD_DIR]      (or BUILD=... bash bench/tui.sh)
#
# The demo is built in a temporary folder (TENANTCTL_DEMO_DIR), its server
# stopped and the folder removed at the end, also on failure or Ctrl-C.
# The console runs on its virtual screen (TENANTCTL_TUI_SCRIPT, 80x24) and
# writes its own timings (TENANTCTL_TUI_TIMING): per key, the microseconds
# to handle it, wait for any query it started and redraw the screen.
#
# Then, with ORGS organizations (default 1,000,000; ORGS=0 skips it) from
# db/seed/scale.sql in a private cluster (tests/db/pgrun, as the database
# tests), it scrolls the Orgs pane by 3,000 and by 30,000 rows and reports
# the time per key and the console's peak memory for both: keyset pages in
# a bounded window mean the memory must not grow with the rows scrolled.
#
# It prints figures and the goals next to them; it never fails because of a
# time. Knobs: KEYS (default 1000), PAINT_RUNS (default 21), ORGS.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${1:-${BUILD:-$repo}}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "tui.sh: no build folder '${1:-${BUILD:-$repo}}'" >&2; exit 2; }
die() { echo "tui.sh: $*" >&2; exit 1; }
tc="$build/tenantctl"
[ -x "$tc" ] || die "no $tc — build first: ./configure && make (or pass the build folder)"

KEYS=${KEYS:-1000}
PAINT_RUNS=${PAINT_RUNS:-21}
ORGS=${ORGS:-1000000}
case "$KEYS$PAINT_RUNS$ORGS" in *[!0-9]*) die "KEYS, PAINT_RUNS and ORGS must be numbers" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/tenantctl-bench-tui-XXXXXX")
chmod 755 "$work" # the demo's server runs as postgres when we are root
export TENANTCTL_DEMO_DIR="$work/demo"
cleanup() {
	"$tc" demo --stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

export XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"
export NO_COLOR=1 TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC
export TENANTCTL_TUI_SIZE=80x24
unset TENANTCTL_TUI_PANE

echo "building the demo deployment in $work ..."
"$tc" demo >"$work/demo.txt" 2>&1 </dev/null || { cat "$work/demo.txt" >&2; die "tenantctl demo failed"; }
conf="$TENANTCTL_DEMO_DIR.conf"
[ -f "$conf" ] || die "the demo wrote no $conf"

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) {print "nan"; exit} m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; print m}'; }
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i = int(NR * p / 100); if (i < 1) i = 1; print a[i]}'; }

# --- start to first full paint (header and every pane loaded, drawn)
echo q >"$work/quit.script"
: >"$work/paint.txt"
: >"$work/wall.txt"
for _ in $(seq "$PAINT_RUNS"); do
	t0=$(date +%s%N)
	TENANTCTL_TUI_SCRIPT="$work/quit.script" TENANTCTL_TUI_TIMING="$work/t.txt" \
		"$tc" --config "$conf" -t demo >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; die "the console failed"; }
	t1=$(date +%s%N)
	awk '$1 == "first_paint_us" {print $2}' "$work/t.txt" >>"$work/paint.txt"
	echo $(((t1 - t0) / 1000)) >>"$work/wall.txt"
done

# --- navigation keys, in every pane
nav=(j j j k C-d C-u KEY_NPAGE KEY_PPAGE G g KEY_DOWN KEY_UP KEY_END KEY_HOME TAB S-TAB 1 2 3 4 l h)
{
	for ((i = 0; i < KEYS; i++)); do echo "${nav[$((i % ${#nav[@]}))]}"; done
	echo q
} >"$work/keys.script"
TENANTCTL_TUI_SCRIPT="$work/keys.script" TENANTCTL_TUI_TIMING="$work/keys.txt" \
	"$tc" --config "$conf" -t demo >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; die "the console failed"; }
keys=$(awk '$1 == "key_us" {print $2}' "$work/keys.txt")
n=$(echo "$keys" | grep -c . || true)
[ "$n" -ge "$KEYS" ] || die "only $n key timings for $KEYS keys"

printf '\nconsole on the demo (%s), virtual screen 80x24, %s keys\n' "$(uname -m)" "$KEYS"
printf '  first full paint:  median %6.1f ms   (goal < 100 ms; from tui_main to the paint with every pane loaded)\n' \
	"$(median <"$work/paint.txt" | awk '{print $1 / 1000}')"
printf '  process start→exit: median %6.1f ms   (the whole run of a script that only quits)\n' \
	"$(median <"$work/wall.txt" | awk '{print $1 / 1000}')"
printf '  per key:           median %6.3f ms   p95 %6.3f ms   max %6.3f ms   (goal: median < 2 ms)\n' \
	"$(echo "$keys" | median | awk '{print $1 / 1000}')" \
	"$(echo "$keys" | pct 95 | awk '{print $1 / 1000}')" \
	"$(echo "$keys" | sort -n | tail -1 | awk '{print $1 / 1000}')"

[ "$ORGS" -gt 0 ] || exit 0
[ -x "$build/tests/db/pgrun" ] || die "no $build/tests/db/pgrun — build it: make tests/db/pgrun (in $build)"
command -v /usr/bin/time >/dev/null || die "GNU time is needed for the peak memory (Debian: time)"
mkdir -p "$work/scale"
chmod 755 "$work/scale"
BENCH_TENANTCTL="$tc" BENCH_REPO="$repo" BENCH_WORK="$work/scale" ORGS="$ORGS" \
	"$build/tests/db/pgrun" "$here/db/tui-inner.sh" || die "the scale part failed"
printf '\nOrgs pane on %s organizations (db/seed/scale.sql), scrolling with C-d\n' "$ORGS"
for run in short:3000 long:30000; do
	name=${run%%:*}
	rows=${run#*:}
	t=$(awk '$1 == "key_us" {print $2}' "$work/scale/$name.timing")
	printf '  %6s rows: per key median %6.2f ms, p95 %6.2f ms, max %6.1f ms; peak RSS %6.1f MiB\n' "$rows" \
		"$(echo "$t" | median | awk '{print $1 / 1000}')" \
		"$(echo "$t" | pct 95 | awk '{print $1 / 1000}')" \
		"$(echo "$t" | sort -n | tail -1 | awk '{print $1 / 1000}')" \
		"$(awk '{print $1 / 1024}' "$work/scale/$name.rss")"
done
echo "  (a key that crosses into a new page waits for it; the others are drawn from the window)"
