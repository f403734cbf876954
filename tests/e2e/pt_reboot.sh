# pt_reboot: a guest that reboots is booted again (--on-reboot restart,
# the default) with its passed-through NVMe working. ptvm manages the NVMe
# (L1's nvme driver to vfio-pci and back). L2's first boot writes a
# pattern to the disk and reboots; after each of the two reboots L2 probes
# the NVMe again, reads the pattern back and says so in one exact line,
# with the MSI-X interrupts its I/O queue took; the third boot powers off.
# L2 tells its boots apart by a state block on the disk (its RAM is
# cleared at each reboot). ptvm exits 0 having said each restart once,
# and L1's nvme driver has the device back and reads the pattern.

. /cases/pt_nvme.sh

# The state block, after pt_nvme's pattern block: "PTVM-REBOOT-STATE <pattern> <boot>".
PT_REBOOT_STATE=$((PT_NVME_BLOCK + 1))

# reboot_block N: the first line of 4 KiB block N of the NVMe.
reboot_block() {
	dd if=/dev/nvme0n1 bs=4096 skip="$1" count=1 2>/dev/null | head -n 1
}

# reboot_block_write N LINE: LINE alone in block N, on the device when it returns.
reboot_block_write() {
	printf '%s\n' "$2" | dd of=/dev/nvme0n1 bs=4096 seek="$1" count=1 conv=sync,fsync 2>/dev/null
}

# reboot_count TAG: which boot of this run this is ($boot; $pat from the
# command line), from the state block: the first writes the pattern, a
# later one reads it back, each saying so ("TAG-BOOT N wrote|read ...");
# then the state block records this boot. Also fault_guest's.
reboot_count() {
	tag=$1
	pat=$(sed -n 's/.*ptvm.arg=\([^ ]*\).*/\1/p' /proc/cmdline)
	# A state of another run (another pattern) or none: this is the first boot.
	set -- $(reboot_block $PT_REBOOT_STATE)
	boot=1
	[ "${1:-}" = PTVM-REBOOT-STATE ] && [ "${2:-}" = "$pat" ] && boot=$((${3:-0} + 1))
	if [ "$boot" = 1 ]; then
		reboot_block_write $PT_NVME_BLOCK "PTVM-NVME-PATTERN-$pat"
		echo "$tag-BOOT 1 wrote PTVM-NVME-PATTERN-$pat"
	else
		echo "$tag-BOOT $boot read $(reboot_block $PT_NVME_BLOCK)"
	fi
	reboot_block_write $PT_REBOOT_STATE "PTVM-REBOOT-STATE $pat $boot"
}

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_wait || { echo PTVM-NVME-NODEV; return; }
	reboot_count PTVM-REBOOT
	echo "PTVM-REBOOT-IRQ $boot $(grep nvme0q1 /proc/interrupts |
		awk '{ s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; else break; print s }')"
	# l2-init ends as $end says: the first two boots reboot, the third powers off.
	if [ "$boot" -lt 3 ]; then end=reboot; else end=poweroff; fi
}

l1() {
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	d=/sys/bus/pci/devices/$nvme
	[ "$(basename "$(readlink "$d/driver")")" = nvme ] || host_rebind "$nvme" nvme ||
		fail "nvme did not bind $nvme in L1 before the run"
	pat=$$-$(cut -c1-8 /proc/sys/kernel/random/uuid)
	L2_CMDLINE="$L2_CMDLINE ptvm.arg=$pat"
	# Three L2 boots in one run.
	L2_TIMEOUT=$((L2_TIMEOUT * 5 / 2))
	l2_run --stats --passthrough "$nvme"
	expect_rc 0
	grep -q PTVM-NVME-NODEV "$out" && fail "L2's nvme driver created no /dev/nvme0n1"
	boots=$(grep -c PTVM-L2-INIT-OK "$out")
	[ "$boots" = 3 ] || fail "L2 booted $boots times, want 3"
	expect_out "^PTVM-REBOOT-BOOT 1 wrote PTVM-NVME-PATTERN-$pat\$" "pattern written on the first boot"
	for b in 2 3; do
		expect_out "^PTVM-REBOOT-BOOT $b read PTVM-NVME-PATTERN-$pat\$" "pattern read back on boot $b"
		n=$(sed -n "s/^PTVM-REBOOT-IRQ $b //p" "$out")
		[ "${n:-0}" -gt 0 ] || fail "nvme0q1 took no interrupt on boot $b (MSI-X after the reboot)"
	done
	for r in 1 2; do
		grep -qx "ptvm: guest rebooted\( (KVM_SYSTEM_EVENT_RESET)\)\{0,1\}: restarting (reboot $r)" "$err" ||
			fail "no restart line for reboot $r: $(grep restarting "$err" | tr '\n' '|')"
	done
	[ "$(grep -c restarting "$err")" = 2 ] || fail "want two restarts, got: $(grep restarting "$err" | tr '\n' '|')"
	grep -qx "ptvm: stats: reboots 2" "$err" || fail "no 'reboots 2' in --stats: $(grep stats: "$err" | tr '\n' '|')"
	# Managed: L1's driver has it back, and reads what L2 wrote.
	[ "$(basename "$(readlink "$d/driver")")" = nvme ] ||
		fail "$nvme is on $(basename "$(readlink "$d/driver")") after ptvm exited, want nvme"
	nvme_wait || fail "no /dev/nvme0n1 in L1 after ptvm exited"
	got=$(reboot_block $PT_NVME_BLOCK)
	[ "$got" = "PTVM-NVME-PATTERN-$pat" ] || fail "L1 reads '$got' from the device, want the pattern"
	pass "3 boots, pattern read back after each reboot, irqs $(sed -n 's/^PTVM-REBOOT-IRQ //p' "$out" | tr '\n' ' ')"
}
