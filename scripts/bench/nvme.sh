#!/bin/sh
# NVMe passthrough benchmark: in one L1 boot, blkbench reads the rig's NVMe
# natively in L1, then from L2 through ptvm (scripts/bench/cases/
# nvmebench.sh). Prints both and the L2/L1 ratios. Log: build/bench/nvmebench.log.
set -eu
txt=$("$(dirname "$0")/run-case" nvmebench 420)
# field LEVEL NAME: NAME=value from the PTVM-NVMEBENCH line of LEVEL.
field() {
	sed -n "s/^\(  l2| \)\{0,1\}PTVM-NVMEBENCH level=$1 .*$2=\([0-9.]*\).*/\2/p" "$txt" | head -n 1
}
l1s=$(field L1 seq_mbps) l1r=$(field L1 rand_iops)
l2s=$(field L2 seq_mbps) l2r=$(field L2 rand_iops)
echo "L1 native:       seq $l1s MB/s, 4k random $l1r IOPS"
echo "L2 passthrough:  seq $l2s MB/s, 4k random $l2r IOPS"
awk -v a="$l2s" -v b="$l1s" -v c="$l2r" -v d="$l1r" \
	'BEGIN { printf "ratio L2/L1:     seq %.2f, 4k random %.2f\n", a / b, c / d }'
