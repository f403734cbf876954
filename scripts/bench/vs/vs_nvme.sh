# vs_nvme: the NVMe's data path. Per round: blkbench on the device in L1
# (native, L1's nvme driver), then in L2 through each VMM (vfio-pci):
# sequential MB/s, 4 KiB random-read IOPS at queue depth 1 and 32 and
# their p50/p99 latencies (scripts/bench/blkbench.c), ptvm.bench_secs
# seconds each (default 2). L1 KVM's exits while blkbench runs: end_exits
# less start_exits (run.sh's report: io_exits_run).

. /cases/vs_lib.sh
. /cases/pt_nvme.sh

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_wait || { echo PTVM-BENCH-BLK no-device; return; }
	echo PTVM-BENCH-IO-START
	echo "PTVM-BENCH-BLK $(/bin/blkbench /dev/nvme0n1 "$(vs_arg arg 2)")"
}

l1() {
	need_ptvm
	vs_prepare
	secs=$(vs_arg bench_secs 2)
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	r=1
	while [ "$r" -le "$N" ]; do
		host_rebind "$nvme" nvme || fail "nvme did not bind $nvme in L1"
		disk=$(nvme_disk "$nvme") || fail "L1's nvme driver made no disk of $nvme"
		vs_emit nvme native "$r" "rc=0 $(/bin/blkbench "$disk" "$secs")"
		vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"
		for v in $(vs_order "$r"); do
			vs_run "$v" "${L2_MEMORY%M}" "vs_nvme:$secs" thp "$nvme" \
				-m start=PTVM-BENCH-IO-START -m end=PTVM-BENCH-BLK
			vs_emit nvme "$v" "$r" "$res $(vs_l2_line PTVM-BENCH-BLK)"
		done
		r=$((r + 1))
	done
	pass
}
