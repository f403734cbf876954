# pt_nvme: the L2 guest's own nvme driver drives the NVMe passed through by
# ptvm. L2 writes a pattern with dd and reads it back past its page cache,
# then does PT_NVME_IOS O_DIRECT reads; its MSI-X vectors count in
# /proc/interrupts, while ptvm's main loop and MMIO exits stay far below
# that count (--stats); after ptvm exits, L1's nvme driver reads the same
# pattern from the device.

# Where on the disk the pattern goes (in 4 KiB blocks).
PT_NVME_BLOCK=300
# 4 KiB O_DIRECT reads L2 does in pt_nvme, one in flight: one completion
# interrupt each on nvme0q1. ~2 s in L2 (blkbench: ~2300 such IOPS there).
PT_NVME_IOS=4000

# nvme_wait: the nvme driver probes asynchronously; give /dev/nvme0n1 up to
# 10 s. True when it is there. In L2, which has one NVMe (in L1: nvme_disk),
# here and in the cases that source this file (pt_both, demo, the bench's vs_boot and vs_nvme).
nvme_wait() {
	i=0
	while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -b /dev/nvme0n1 ]
}

# nvme_disk BDF: the block device of the first namespace of the NVMe at BDF,
# as L1's nvme driver names it, after up to 10 s for its probe. L1 has more
# than one NVMe controller (run-l1), and controller numbers go in probe
# order, so nvme0n1 need not be this one's. A namespace of a multi-
# controller NVM subsystem shows under the controller as its path
# nvmeScCnN; its block device is the subsystem's nvmeSnN.
nvme_disk() {
	local i=0 p n
	while [ $i -lt 100 ]; do
		for p in /sys/bus/pci/devices/$1/nvme/nvme*/nvme*n*; do
			n=$(echo "${p##*/}" | sed 's/c[0-9]*n/n/')
			[ -b "/dev/$n" ] && { echo "/dev/$n"; return 0; }
		done
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# L2 side, also used by pt_both. nvme_l2 [N]: then N O_DIRECT 4 KiB reads.
nvme_l2() {
	nvme_wait || { echo PTVM-NVME-NODEV; return; }
	pat=$(sed -n 's/.*ptvm.arg=\([^ ]*\).*/\1/p' /proc/cmdline)
	printf 'PTVM-NVME-PATTERN-%s\n' "$pat" |
		dd of=/dev/nvme0n1 bs=4096 seek=$PT_NVME_BLOCK count=1 conv=sync,fsync 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
	echo "PTVM-NVME-READBACK $(dd if=/dev/nvme0n1 bs=4096 skip=$PT_NVME_BLOCK count=1 2>/dev/null | head -n 1)"
	[ -z "${1:-}" ] || dd if=/dev/nvme0n1 of=/dev/null bs=4096 count="$1" iflag=direct 2>/dev/null ||
		echo PTVM-NVME-DIRECT-FAILED
	grep nvme /proc/interrupts | sed 's/^/PTVM-NVME-IRQ /'
}

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_l2 $PT_NVME_IOS
}

# Sum the per-CPU counts of an interrupt line from the L2 output.
irq_count() {
	grep "^PTVM-NVME-IRQ .* $1\$" "$out" | awk '{ s = 0; for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; else break; print s }'
}

# L1 side: the NVMe on vfio-pci and a fresh pattern on L2's command line.
nvme_l1_prepare() {
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"
	pat=$$-$(cut -c1-8 /proc/sys/kernel/random/uuid)
	L2_CMDLINE="$L2_CMDLINE ptvm.arg=$pat"
}

# After ptvm exited: what L2 reported, then L1 reads the device itself.
nvme_l1_check() {
	grep -q PTVM-NVME-NODEV "$out" && fail "L2's nvme driver created no /dev/nvme0n1"
	expect_out "PTVM-NVME-READBACK PTVM-NVME-PATTERN-$pat" "pattern read back in L2"
	q0=$(irq_count nvme0q0)
	q1=$(irq_count nvme0q1)
	[ "${q0:-0}" -gt 0 ] || fail "nvme0q0 did not count in L2's /proc/interrupts"
	[ "${q1:-0}" -gt 0 ] || fail "nvme0q1 did not count in L2's /proc/interrupts"
	grep -q "^PTVM-NVME-IRQ .*PCI-MSI" "$out" || fail "the nvme vectors are not MSI/MSI-X"
	# L1 takes the device back and reads what L2 wrote.
	host_rebind "$nvme" nvme || fail "nvme did not bind $nvme in L1 after ptvm exited"
	disk=$(nvme_disk "$nvme") || fail "L1's nvme driver made no disk of $nvme after ptvm exited"
	got=$(dd if="$disk" bs=4096 skip=$PT_NVME_BLOCK count=1 2>/dev/null | head -n 1)
	[ "$got" = "PTVM-NVME-PATTERN-$pat" ] || fail "L1 reads '$got' from the device, want the pattern"
}

# After nvme_l2 $PT_NVME_IOS: ptvm itself did next to nothing for that I/O.
#
# Every one of the reads ends with an MSI-X interrupt on nvme0q1 that KVM
# delivers from the irqfd, and every submission rings a doorbell in the
# mmapped part of BAR0. So ptvm's MMIO exits are the boot's, and its main
# loop wakes only for stdin's EOF and the stop. Measured in the rig
# (6.1.0-57, QEMU 7.2): q0 10 + q1 4006 = 4016 interrupts, 291 MMIO exits
# (as many as without the reads; 239 before the NVMe sat behind a root
# port; 196 of them the trapped MSI-X table/PBA accesses of the "trapped
# reads/writes" line), loop wakeups 2 (console 1, wake 1). A ptvm that relayed each interrupt itself would wake about once
# per interrupt; one that trapped the doorbells would take two MMIO exits
# per read (SQ tail and CQ head). Bounds: MMIO exits below a quarter of
# the interrupts (4x the measured margin), loop wakeups below a twentieth.
nvme_l1_check_figures() {
	grep -q PTVM-NVME-DIRECT-FAILED "$out" && fail "L2's O_DIRECT reads of /dev/nvme0n1 failed"
	irqs=$((q0 + q1))
	[ "$q1" -ge "$PT_NVME_IOS" ] ||
		fail "nvme0q1 counted $q1 interrupts for $PT_NVME_IOS reads, one in flight"
	mmio=$(ptvm_stat exits mmio)
	wakeups=$(ptvm_wakeups)
	[ -n "$mmio" ] && [ -n "$wakeups" ] || fail "no exit or loop figures in --stats: $(grep stats: "$err")"
	[ $((mmio * 4)) -lt "$irqs" ] ||
		fail "ptvm took $mmio MMIO exits for the guest's $irqs nvme interrupts (doorbells trapped?)"
	[ $((wakeups * 20)) -lt "$irqs" ] ||
		fail "ptvm's main loop woke $wakeups times for the guest's $irqs nvme interrupts (relaying them?)"
}

l1() {
	nvme_l1_prepare
	l2_run --stats --passthrough "$nvme"
	expect_rc 0
	nvme_l1_check
	nvme_l1_check_figures
	pass "q0=$q0 q1=$q1 mmio=$mmio wakeups=$wakeups"
}
