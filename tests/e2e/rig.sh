# rig: L1 itself is fit to run ptvm: kvm_amd and vfio-pci loaded, /dev/kvm
# and /dev/vfio/vfio present, and the emulated NVMe binds to vfio-pci and
# gets its /dev/vfio/GROUP. Runs first: when it fails, the others will too.

l1() {
	grep -qw svm /proc/cpuinfo || fail "no svm flag in L1's /proc/cpuinfo"
	grep -q . /sys/module/kvm_amd/parameters/nested 2>/dev/null ||
		fail "kvm_amd not loaded: $(dmesg | grep -i -e kvm -e ccp | tail -n 3)"
	[ -c /dev/kvm ] || fail "no /dev/kvm: $(dmesg | grep -i kvm | tail -n 3)"
	[ -c /dev/vfio/vfio ] || fail "no /dev/vfio/vfio: $(dmesg | grep -i vfio | tail -n 3)"
	grep -q DMAR /sys/firmware/acpi/tables/DMAR 2>/dev/null ||
		fail "no DMAR ACPI table (QEMU without intel-iommu?)"
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	group=$(vfio_bind "$nvme") || fail "vfio-pci did not bind $nvme: $(dmesg | tail -n 3)"
	[ -c "/dev/vfio/$group" ] || fail "no /dev/vfio/$group after binding $nvme"
	echo "  nvme $nvme group $group reset_method=$(cat "/sys/bus/pci/devices/$nvme/reset_method" 2>/dev/null)"
	if [ -x "$PTVM" ]; then
		echo "  ptvm: $PTVM present, $(wc -c <"$PTVM") bytes"
	else
		echo "  ptvm: not in the initramfs (make static); cases that run it will fail"
	fi
	pass "nvme $nvme -> /dev/vfio/$group"
}
