#!/bin/sh
# usage: scripts/bench/run.sh [boot|nvme|nic|dma|all]...   (make bench: all)
# ptvm against Debian's QEMU (q35 with -kernel, and microvm; -enable-kvm
# -cpu host) in one L1 boot of the nested rig, interleaved round by round
# on the same bzImage, initramfs, memory, one vCPU and passed device
# (scripts/bench/vs/: what each part measures and how). Settings, from the
# environment:
#   BENCH_N          rounds per figure (default 5)
#   BENCH_SECS       seconds per nvme and nic measurement (default 2)
#   BENCH_DMA_MIB    guest sizes of dma, MiB, comma separated (1024,2048,4096)
#   BENCH_DMA_N      rounds of dma (default BENCH_N)
# Output in build/bench/: results.jsonl (one JSON object per measurement),
# results.md (median, min and max per figure and VMM, ratios ptvm/QEMU),
# results.png (the ratios; gnuplot), vs.log (L1's console). Prints the
# table. Absolute figures are the nested rig's, emulation-bound: only the
# ratios carry over.
set -eu
BENCH=$(cd "$(dirname "$0")" && pwd)
RIG=$BENCH/../rig
. "$RIG/paths.sh"

[ $# -gt 0 ] || set -- all
cases=
for p in "$@"; do
	case $p in
	all) cases="$cases vs_boot vs_nvme vs_nic vs_dma" ;;
	boot | nvme | nic | dma) cases="$cases vs_$p" ;;
	*) echo "bench: no part '$p' (boot, nvme, nic, dma, all)" >&2; exit 2 ;;
	esac
done
n=${BENCH_N:-5} secs=${BENCH_SECS:-2}
dma_mib=${BENCH_DMA_MIB:-1024,2048,4096} dma_n=${BENCH_DMA_N:-$n}
for v in "$n" "$secs" "$dma_n"; do
	case $v in '' | *[!0-9]*) echo "bench: '$v' is no whole number (BENCH_N, BENCH_SECS, BENCH_DMA_N)" >&2; exit 2 ;; esac
done
for b in "$PTVM_BIN" "$BLKBENCH_BIN" "$BUILD/vmmrun" "$BUILD/vfiomap"; do
	[ -x "$b" ] || { echo "bench: no $b (make bench builds it)" >&2; exit 1; }
done
command -v gnuplot >/dev/null || { echo "bench: no gnuplot (scripts/deps)" >&2; exit 1; }

rig_lock
"$RIG/fetch"
"$BENCH/mk-bench-initramfs"

out=$BUILD/bench
mkdir -p "$out"
log=$out/vs.log
# Budget: ~25 s per L2 boot under TCG, with room; dma's runs by their size.
boots=0
for c in $cases; do
	case $c in
	vs_boot) boots=$((boots + 6 * n)) ;;
	vs_nvme) boots=$((boots + (3 + secs * 4 / 5) * n)) ;;
	vs_nic) boots=$((boots + (3 + secs * 8 / 5) * n)) ;;
	vs_dma) boots=$((boots + 3 * dma_n * $(echo "$dma_mib" | tr , '\n' | awk '{ s += $1 } END { print int(s / 1024) + 1 }'))) ;;
	esac
done
timeout=$((120 + boots * 25))
set -- $cases
echo "bench: booting L1 for: $* (N=$n; console: $log; at most $timeout s)" >&2
t0=$(date +%s)
rc=0
PTVM_L1_TIMEOUT=$timeout PTVM_L1_INITRD=$BENCH_L1_INITRD PTVM_L1_MEM=${BENCH_L1_MEM:-10240} \
	"$RIG/run-l1" "$(echo "$@" | tr ' ' ,)" "$log" \
	"ptvm.timeout=120 ptvm.bench_n=$n ptvm.bench_secs=$secs ptvm.bench_dma_mib=$dma_mib ptvm.bench_dma_n=$dma_n" ||
	rc=$?
secs_run=$(($(date +%s) - t0))
tr -d '\r' <"$log" >"$log.txt"

id=$(date -u +%Y-%m-%dT%H:%M:%SZ)
awk -v jsonl="$out/results.jsonl" -v md="$out/results.md" -v dat="$out/ratios.dat" -v run="$id" \
	-f "$BENCH/report.awk" "$log.txt"
{
	echo
	echo "Run $id, $secs_run s, N=$n rounds ($*; dma: $dma_n rounds of $dma_mib MiB)," \
		"rig kernel $PTVM_KVER, $(qemu-system-x86_64 --version | head -n 1)."
	for c in "$@"; do
		v=$(sed -n "s/^PTVM-VERDICT $c //p" "$log.txt" | head -n 1)
		[ "${v%% *}" = PASS ] || echo "$c did not finish: ${v:-no verdict (L1 qemu exit $rc)}"
	done
} >>"$out/results.md"
if [ -s "$out/ratios.dat" ]; then
	gnuplot -e "set terminal pngcairo size 1100,$((200 + 22 * $(wc -l <"$out/ratios.dat")));
		set output '$out/results.png'; set title 'ptvm / QEMU (median of each), nested rig';
		set style data histogram; set style histogram cluster gap 1;
		set style fill solid 0.8; set boxwidth 0.9; set yrange [0:*]; set grid y;
		set xtics rotate by -40 font ',8'; set bmargin 14; set rmargin 12; set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2;
		plot '$out/ratios.dat' using 2:xtic(1) title 'ptvm/q35', '' using 3 title 'ptvm/microvm'" ||
		echo "bench: gnuplot failed: no chart" >&2
fi
# Each run's own copy, for comparing runs (the closing note of issue 11 has two).
for f in results.md results.jsonl results.png; do
	[ ! -f "$out/$f" ] || cp "$out/$f" "$out/${f%.*}-$id.${f##*.}"
done
cat "$out/results.md"
echo "bench: $out/results.md, results.jsonl, results.png; L1 ran $secs_run s" >&2
for c in "$@"; do
	grep -q "^PTVM-VERDICT $c PASS" "$log.txt" || exit 1
done
