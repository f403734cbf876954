# nvmebench: the same NVMe read by L1 natively and by L2 through ptvm's
# passthrough, in one L1 boot, with the same static blkbench (O_DIRECT,
# one I/O in flight): sequential-read MB/s and 4 KiB random-read IOPS.
# Both levels run under the same TCG emulation, so only the ratio means
# anything. One line for scripts/bench/nvme.sh:
#   PTVM-NVMEBENCH level=L1|L2 seq_mbps=N rand_iops=N
# BENCH_SECS per measurement (kernel cmdline ptvm.arg of L2 carries it).

BENCH_SECS=${BENCH_SECS:-5}

. /cases/pt_nvme.sh

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_wait
	echo "PTVM-NVMEBENCH level=L2 $(/bin/blkbench /dev/nvme0n1 "$BENCH_SECS")"
}

l1() {
	need_ptvm
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	host_rebind "$nvme" nvme || fail "nvme did not bind $nvme in L1"
	disk=$(nvme_disk "$nvme") || fail "L1's nvme driver made no disk of $nvme"
	echo "PTVM-NVMEBENCH level=L1 $(/bin/blkbench "$disk" "$BENCH_SECS")"
	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"
	l2_run --stats --passthrough "$nvme"
	expect_rc 0
	grep -q '^PTVM-NVMEBENCH level=L2 seq' "$out" || fail "no L2 measurement"
	grep '^PTVM-NVMEBENCH' "$out"
	pass
}
