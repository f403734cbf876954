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

# nvme_native R: round R's L1 figures, then the device back on vfio-pci.
nvme_native() {
	host_rebind "$nvme" nvme || fail "nvme did not bind $nvme in L1"
	disk=$(nvme_disk "$nvme") || fail "L1's nvme driver made no disk of $nvme"
	vs_emit nvme native "$1" "rc=0 $(/bin/blkbench "$disk" "$secs")"
	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"
}

l1() {
	need_ptvm
	vs_prepare
	secs=$(vs_arg bench_secs 2)
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	vs_rounds nvme "vs_nvme:$secs" "$nvme" PTVM-BENCH-BLK nvme_native
	pass
}
