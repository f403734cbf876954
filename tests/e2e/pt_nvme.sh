# pt_nvme: the L2 guest's own nvme driver drives the NVMe passed through by
# ptvm. L2 writes a pattern with dd and reads it back past its page cache;
# its MSI-X vectors count in /proc/interrupts; ptvm relayed none of them;
# after ptvm exits, L1's nvme driver reads the same pattern from the device.

# Where on the disk the pattern goes (in 4 KiB blocks).
PT_NVME_BLOCK=300

# nvme_wait: the nvme driver probes asynchronously; give /dev/nvme0n1 up to
# 10 s. True when it is there. Used in L1 and L2, here and by the cases that
# source this file (pt_both, demo, nvmebench).
nvme_wait() {
	i=0
	while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -b /dev/nvme0n1 ]
}

# L2 side, also used by pt_both.
nvme_l2() {
	nvme_wait || { echo PTVM-NVME-NODEV; return; }
	pat=$(sed -n 's/.*ptvm.arg=\([^ ]*\).*/\1/p' /proc/cmdline)
	printf 'PTVM-NVME-PATTERN-%s\n' "$pat" |
		dd of=/dev/nvme0n1 bs=4096 seek=$PT_NVME_BLOCK count=1 conv=sync,fsync 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
	echo "PTVM-NVME-READBACK $(dd if=/dev/nvme0n1 bs=4096 skip=$PT_NVME_BLOCK count=1 2>/dev/null | head -n 1)"
	grep nvme /proc/interrupts | sed 's/^/PTVM-NVME-IRQ /'
}

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_l2
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
	grep -q "interrupts relayed by ptvm 0$" "$err" ||
		fail "ptvm relayed interrupts itself: $(grep relayed "$err")"
	# L1 takes the device back and reads what L2 wrote.
	host_rebind "$nvme" nvme || fail "nvme did not bind $nvme in L1 after ptvm exited"
	nvme_wait
	got=$(dd if=/dev/nvme0n1 bs=4096 skip=$PT_NVME_BLOCK count=1 2>/dev/null | head -n 1)
	[ "$got" = "PTVM-NVME-PATTERN-$pat" ] || fail "L1 reads '$got' from the device, want the pattern"
}

l1() {
	nvme_l1_prepare
	l2_run --stats --passthrough "$nvme"
	expect_rc 0
	nvme_l1_check
	pass "q0=$q0 q1=$q1"
}
