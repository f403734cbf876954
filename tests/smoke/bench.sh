#!/bin/sh
# usage: bench.sh VMMRUN BLKBENCH REPORT-AWK
# The bench's host-side pieces (scripts/bench/), without the rig: vmmrun
# stamps lines and markers, passes the exit status, keeps the command's
# stdin open and kills it at its timeout; blkbench prints every figure;
# report.awk's medians, ratios and derived figures over a fixed log, with
# a failed run left out. Ends with "smoke-bench: N passed, N failed".
set -u
. "$(dirname "$0")/lib_ok.sh"
vmmrun=$1 blkbench=$2 report=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# field LINE NAME: NAME's value in a key=value LINE.
field() {
	echo " $1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p"
}

res=$("$vmmrun" -m one=FIRST -m two=SECOND -- sh -c 'echo x FIRST; sleep 0.3; echo SECOND; exit 3' \
	2>"$tmp/err")
what="vmmrun: the command's exit status ($res)"
ok [ "$(field "$res" rc)" = 3 ]
what="vmmrun: marker two 0.3 s after marker one ($res)"
ok awk -v a="$(field "$res" one_s)" -v b="$(field "$res" two_s)" \
	'BEGIN { exit !(a >= 0 && b - a >= 0.29 && b - a < 1) }'
what="vmmrun: KVM counters -1 where there is no debugfs ($res)"
ok [ "$(field "$res" one_exits)" = -1 ] || [ -r /sys/kernel/debug/kvm/exits ]
what="vmmrun: each line stamped on stderr ($(cat "$tmp/err"))"
ok grep -q '^  l2| [0-9]*\.[0-9]\{3\} x FIRST$' "$tmp/err"

# cat ends at its stdin's EOF: with vmmrun's stdin it waits until killed.
res=$("$vmmrun" -t 1 -- cat 2>/dev/null)
what="vmmrun: stdin stays open, SIGKILL at -t 1 ($res)"
ok [ "$(field "$res" rc)" = 137 ]
what="vmmrun: killed after 1 s, not before ($res)"
ok awk -v t="$(field "$res" exit_s)" 'BEGIN { exit !(t >= 1 && t < 3) }'

# -w: the first sample with cat's read(2) on its kernel stack, after the 0.3 s sleep.
if [ -r /proc/self/stack ]; then
	res=$("$vmmrun" -t 1 -i 20 -w ksys_read -- sh -c 'sleep 0.3; exec cat' 2>/dev/null)
	what="vmmrun: -w ksys_read from 0.3 s on ($res)"
	ok awk -v a="$(field "$res" call0_s)" -v b="$(field "$res" call1_s)" \
		'BEGIN { exit !(a >= 0.29 && a < 0.6 && b >= 0.9) }'
else
	echo "  (no /proc/PID/stack on this host: vmmrun -w not checked)"
fi

dd if=/dev/zero of="$tmp/disk" bs=1M count=4 2>/dev/null
out=$("$blkbench" "$tmp/disk" 0.1)
for k in seq_mbps qd1_iops qd1_p50_us qd1_p99_us qd1_max_us qd32_iops qd32_p50_us qd32_p99_us \
	qd32_max_us; do
	what="blkbench: $k in '$out'"
	ok [ -n "$(field "$out" "$k")" ]
done

cat >"$tmp/log" <<'LOG'
PTVM-BENCH bench=boot vmm=ptvm round=1 rc=0 init_s=6 over_kb=900
PTVM-BENCH bench=boot vmm=ptvm round=2 rc=0 init_s=4 over_kb=1100
PTVM-BENCH bench=boot vmm=ptvm round=3 rc=0 init_s=5 over_kb=1000
PTVM-BENCH bench=boot vmm=q35 round=1 rc=0 init_s=10 over_kb=50000
PTVM-BENCH bench=boot vmm=q35 round=2 rc=1 init_s=1 over_kb=1
PTVM-BENCH bench=boot vmm=q35 round=3 rc=0 init_s=8 over_kb=60000
PTVM-BENCH bench=boot_nvme vmm=ptvm round=1 rc=0 init_exits=100 nvme_exits=350
PTVM-BENCH bench=dma_thp_1024M vmm=ptvm round=1 rc=143 lock0_s=0.25 lock_s=1
PTVM-BENCH bench=dma_huge_1024M vmm=q35 round=1 rc=143 lock0_s=0.7 lock_s=0.7 call0_s=0.4
PTVM-BENCH bench=dma_thp_1024M vmm=raw round=1 rc=0 map_s=0.5 unmap_s=0.1
LOG
awk -v jsonl="$tmp/j" -v md="$tmp/md" -v dat="$tmp/dat" -v run=t -f "$report" "$tmp/log"
what="report: medians, ranges, the failed q35 run left out, ratio ($(cat "$tmp/md"))"
ok grep -qxF '| boot: to L2 init (s) | 5 (4-6) | 9 (8-10, n=2) | - | - | 0.56 | - |' "$tmp/md"
what="report: RSS row"
ok grep -qxF '| boot: RSS beyond guest RAM (KiB) | 1000 (900-1100) | 55000 (50000-60000, n=2) | - | - | 0.02 | - |' "$tmp/md"
what="report: exits from init to nvme0n1"
ok grep -q '^| boot+NVMe: L1 KVM exits init to nvme0n1 | 250 (250-250' "$tmp/md"
what="report: pin time from VmLck, raw beside it"
ok grep -q '^| dma: pin+map 1024 MiB, thp (s) | 0.75 (0.75-0.75.* | 0.5 (0.5-0.5' "$tmp/md"
what="report: pin time from the first sample in the map ioctl"
ok grep -q '^| dma: pin+map 1024 MiB, huge (s) | - | 0.3 (0.3-0.3' "$tmp/md"
what="report: one JSON line per key=value ($(wc -l <"$tmp/j") lines)"
ok [ "$(wc -l <"$tmp/j")" = 35 ]
what="report: a JSON line as written"
ok grep -qxF '{"run":"t","bench":"boot","vmm":"q35","round":3,"metric":"init_s","value":8}' "$tmp/j"
what="report: chart data"
ok grep -qxF '"boot: to L2 init (s)" 0.56 NaN' "$tmp/dat"
ok_end smoke-bench
