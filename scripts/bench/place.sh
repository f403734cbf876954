#!/bin/sh
# usage: PTVM_BIN_B=OTHER-STATIC-PTVM scripts/bench/place.sh
# A/B boot benchmark of two ptvm builds in one L1 boot: build/ptvm-static
# (A, or $PTVM_BIN) and $PTVM_BIN_B (B), alternating, 5 L2 boots each
# (scripts/bench/cases/place.sh says what each number is). Prints every run,
# then per build the medians of: time to the L2 marker, L1 KVM's exits up to
# it, the guest pages L1 KVM maps at 4K and 2M then, and where the guest RAM
# mapping starts modulo 2 MiB. Log: build/bench/place.log.
set -eu
[ -n "${PTVM_BIN_B:-}" ] && [ -x "$PTVM_BIN_B" ] || {
	echo "place: PTVM_BIN_B must name the static ptvm to compare with" >&2
	exit 2
}
export PTVM_BIN_B
txt=$("$(dirname "$0")/run-case" place 900)
sed -n 's/^PTVM-PLACE-HOST //p' "$txt"
grep '^PTVM-PLACE ' "$txt" | cut -d' ' -f2-
# median BIN FIELD: the middle value of FIELD=VALUE over BIN's runs.
median() {
	grep "^PTVM-PLACE bin=$1 " "$txt" | tr ' ' '\n' | sed -n "s/^$2=//p" |
		sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
for b in A B; do
	echo "$b median of $(grep -c "^PTVM-PLACE bin=$b " "$txt"): marker $(median $b marker_s) s," \
		"L1 KVM exits $(median $b exits), pages_4k $(median $b pages_4k)," \
		"pages_2m $(median $b pages_2m), RAM start mod 2M $(median $b ram_off_kb) KiB," \
		"THP $(median $b thp_kb) KiB"
done
