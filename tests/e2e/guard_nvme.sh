# guard_nvme: the NVMe has FLR (its reset reaches only itself) and its own
# IOMMU group: ptguard grants it alone, and after ptvm exits resets it by
# FLR once VFIO has let go, as the kernel log says.

# --- ptguard helpers (each guard_*.sh carries them: every tests/e2e/*.sh but
# lib.sh is a case, so they cannot live in a file of their own) ---

need_guard() {
	[ -c /dev/ptguard ] || fail "no /dev/ptguard in L1 (the rig must insmod ptguard.ko)"
}

# host_bind BDF DRIVER: give a device back to a host driver.
host_bind() {
	local d=/sys/bus/pci/devices/$1
	[ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
	echo >"$d/driver_override"
	echo "$1" >"/sys/bus/pci/drivers/$2/bind" 2>/dev/null
	[ "$(basename "$(readlink "$d/driver")")" = "$2" ]
}

# e1000_pair: sets e1 and e2 to the two e1000 (8086:100e) on one bus behind
# the pcie-pci-bridge (nested-rig.md, "Topologies for reset and
# co-assignment tests"), and frees the bridge of any driver but pcieport
# (VFIO would refuse their IOMMU group too).
e1000_pair() {
	local d br drv
	e1= e2=
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x100e ] || continue
		if [ -z "$e1" ]; then e1=${d##*/}; else e2=${d##*/}; fi
	done
	[ -n "$e2" ] || fail "no two e1000 (8086:100e) in L1: the rig lacks the pcie-pci-bridge topology"
	[ "${e1%:*}" = "${e2%:*}" ] || fail "the two e1000 $e1 and $e2 are not on one bus"
	br=$(basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$e1")")")
	drv=$(basename "$(readlink "/sys/bus/pci/devices/$br/driver" 2>/dev/null)")
	if [ -n "$drv" ] && [ "$drv" != pcieport ]; then
		echo "  bridge $br: unbinding $drv"
		echo "$br" >"/sys/bus/pci/devices/$br/driver/unbind"
	fi
	echo "  e1000 pair $e1 $e2 behind $br, reset_method '$(cat "/sys/bus/pci/devices/$e1/reset_method" 2>/dev/null)' '$(cat "/sys/bus/pci/devices/$e2/reset_method" 2>/dev/null)'"
}

# wait_dmesg PATTERN SECS: wait until the kernel log has PATTERN.
wait_dmesg() {
	local i=0
	while [ "$i" -lt $(($2 * 5)) ]; do
		dmesg | grep -q -e "$1" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

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
