#!/bin/sh
# usage: PTVM_BIN_B=BASELINE-STATIC-PTVM scripts/bench/fastboot.sh
#        (make bench-fastboot builds the baseline from FASTBOOT_BASE itself)
# The fast-boot levers, measured in one L1 boot (scripts/bench/cases/
# fastboot.sh says what each way is): the baseline ptvm on the bzImage, this
# ptvm on the bzImage with the kernel cache, on the ELF vmlinux, on the
# bzImage with --no-kernel-cache and with --no-pvh; FASTBOOT_RUNS (5)
# alternating rounds.
# Prints every run, then per way the median, min and max time to the L2
# init marker and the median's ratio to the baseline's, and what each lever
# accounts for; the table also goes to build/bench/fastboot.md, the runs to
# build/bench/fastboot.jsonl. Log: build/bench/fastboot.log.
# FASTBOOT_LOG=build/bench/fastboot.log.txt makes the tables again from a
# run's log, without booting anything.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${BUILD:-$top/build}/bench
if [ -n "${FASTBOOT_LOG:-}" ]; then
	txt=$FASTBOOT_LOG
else
	[ -n "${PTVM_BIN_B:-}" ] && [ -x "$PTVM_BIN_B" ] || {
		echo "fastboot: PTVM_BIN_B must name the baseline's static ptvm" >&2
		exit 2
	}
	export PTVM_BIN_B
	txt=$("$(dirname "$0")/run-case" fastboot 1500)
fi
mkdir -p "$out"
sed -n 's/^PTVM-FASTBOOT-HOST //p' "$txt"
grep '^PTVM-FASTBOOT ' "$txt" | cut -d' ' -f2- | tee "$out/fastboot.runs"
# One JSON object per run.
awk '{ sep = "{"; for (i = 1; i <= NF; i++) { split($i, kv, "="); v = kv[2]
	if (v !~ /^[0-9.]+$/) v = "\"" v "\""; printf "%s\"%s\":%s", sep, kv[1], v; sep = "," }
	print "}" }' "$out/fastboot.runs" >"$out/fastboot.jsonl"
# stat WAY: "median min max" of marker_s over WAY's runs.
stat() {
	sed -n "s/^way=$1 .*marker_s=\([0-9.]*\).*/\1/p" "$out/fastboot.runs" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)], v[1], v[NR] }'
}
base=$(stat base | cut -d' ' -f1)
{
	echo "| way | runs | median s | min s | max s | median / base |"
	echo "|---|---|---|---|---|---|"
	for w in base nopvh cache vmlinux nocache cold; do
		set -- $(stat $w)
		[ $# = 3 ] || continue
		n=$(grep -c "^way=$w " "$out/fastboot.runs")
		echo "| $w | $n | $1 | $2 | $3 | $(awk "BEGIN{printf \"%.2f\", $1 / $base}") |"
	done
	cache=$(stat cache | cut -d' ' -f1)
	vml=$(stat vmlinux | cut -d' ' -f1)
	noc=$(stat nocache | cut -d' ' -f1)
	nopvh=$(stat nopvh | cut -d' ' -f1)
	echo
	echo "Levers (differences of medians, s): decompressing on the host instead of in" \
		"the guest, PVH entry: base - nocache = $(awk "BEGIN{print $base - $noc}");" \
		"the cache (no decompression per boot): nocache - cache =" \
		"$(awk "BEGIN{print $noc - $cache}"); a bzImage through the cache instead of" \
		"the vmlinux itself (hashing, CRC): cache - vmlinux = $(awk "BEGIN{print $cache - $vml}");" \
		"the old path in this build against the baseline: nopvh - base =" \
		"$(awk "BEGIN{print $nopvh - $base}")."
} | tee "$out/fastboot.md"
