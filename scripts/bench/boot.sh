#!/bin/sh
# Boot benchmark: in one L1 boot, run ptvm 5 times on an L2 whose init prints
# its marker and powers off at once (scripts/bench/cases/bench.sh says how
# each number is measured). Prints each run and the median of the 5 for:
# time to the L2 marker, time to ptvm's exit, ptvm's peak RSS, and ptvm's
# RSS beyond the guest RAM it backs. Log: build/bench/bench.log.
set -eu
txt=$("$(dirname "$0")/run-case" bench 360)
grep '^PTVM-BENCH ' "$txt" | cut -d' ' -f2-
# median FIELD: the middle value of FIELD=VALUE over the runs.
median() {
	grep '^PTVM-BENCH ' "$txt" | tr ' ' '\n' | sed -n "s/^$1=//p" |
		sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo "median of 5: marker $(median marker_s) s, exit $(median exit_s) s," \
	"peak RSS $(median hwm_kb) KiB, RSS beyond guest RAM $(median overhead_kb) KiB" \
	"(guest RAM touched $(median guest_kb) KiB)"
