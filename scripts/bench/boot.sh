#!/bin/sh
# Boot benchmark: in one L1 boot, run ptvm 5 times on an L2 whose init prints
# its marker and powers off at once (scripts/bench/cases/bench.sh says how
# each number is measured). Prints each run and the median of the 5 for:
# time to the L2 marker, time to ptvm's exit, ptvm's peak RSS, and ptvm's
# RSS beyond the guest RAM it backs. Log: build/bench/l1.log.
set -eu
RIG=$(cd "$(dirname "$0")/../rig" && pwd)
. "$RIG/paths.sh"

[ -x "$PTVM_BIN" ] || { echo "bench: no $PTVM_BIN (make static)" >&2; exit 1; }
rig_lock
"$RIG/fetch"
"$RIG/mk-l1-initramfs"

log=$BUILD/bench/l1.log
echo "bench: booting L1, 5 ptvm runs (log: $log)" >&2
PTVM_L1_TIMEOUT=${PTVM_L1_TIMEOUT:-360} "$RIG/run-l1" bench "$log" || true
tr -d '\r' <"$log" >"$log.txt"
grep '^PTVM-BENCH ' "$log.txt" | cut -d' ' -f2- || true
grep -q '^PTVM-VERDICT bench PASS' "$log.txt" || {
	echo "bench: failed: $(grep -m 1 '^PTVM-VERDICT' "$log.txt" || echo 'no verdict'); see $log" >&2
	exit 1
}
# median FIELD: the middle value of FIELD=VALUE over the runs.
median() {
	grep '^PTVM-BENCH ' "$log.txt" | tr ' ' '\n' | sed -n "s/^$1=//p" |
		sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo "median of 5: marker $(median marker_s) s, exit $(median exit_s) s," \
	"peak RSS $(median hwm_kb) KiB, RSS beyond guest RAM $(median overhead_kb) KiB" \
	"(guest RAM touched $(median guest_kb) KiB)"
