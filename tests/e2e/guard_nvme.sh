# guard_nvme: the NVMe has FLR (its reset reaches only itself) and its own
# IOMMU group: ptguard grants it alone, and after ptvm exits resets it by
# FLR once VFIO has let go, as the kernel log says.

l2() {
	echo PTVM-GUARD-UP
}

l1() {
	need_guard
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"
	l2_run --passthrough "$nvme"
	expect_out PTVM-GUARD-UP "PTVM-GUARD-UP (L2 did not run)"
	expect_rc 0
	grep -q "ptguard: refused" "$err" && fail "$(grep -m 1 refused "$err")"
	dmesg | grep -q "ptguard: $nvme: held by ptvm (pid [0-9]*), function reset" ||
		fail "no ptguard claim of $nvme in the kernel log"
	wait_dmesg "ptguard: $nvme: function reset after release by ptvm" 10 ||
		fail "no FLR of $nvme after ptvm exited: $(dmesg | grep ptguard | tail -n 1)"
	pass
}
