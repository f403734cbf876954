# Helpers of the guard_*.sh cases (ptguard in L1), loaded with lib.sh into
# every case: files named lib*.sh are helpers, not cases.

need_guard() {
	[ -c /dev/ptguard ] || fail "no /dev/ptguard in L1 (the rig must insmod ptguard.ko)"
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

# wait_dmesg_more N PATTERN SECS: wait until the kernel log has more than N
# lines matching PATTERN (earlier cases leave theirs in it).
wait_dmesg_more() {
	local i=0
	while [ "$i" -lt $(($3 * 5)) ]; do
		[ "$(dmesg | grep -c -e "$2")" -gt "$1" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
