# guard_host_driver: the two functions of the multi-function e1000e share an
# IOMMU group. With function 1 on its host driver e1000e, passing function 0
# is refused by ptguard, naming function 1 and the driver.

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

l1() {
	need_guard
	f0= f1=
	for d in /sys/bus/pci/devices/*.1; do
		[ -e "$d" ] || continue
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10d3 ] || continue
		f1=${d##*/}
		f0=${f1%.1}.0
	done
	[ -n "$f1" ] || fail "no multi-function e1000e (8086:10d3 function 1) in L1: the rig lacks it"
	vfio_bind "$f0" >/dev/null || fail "vfio-pci did not bind $f0"
	host_bind "$f1" e1000e || fail "e1000e did not bind $f1 (e1000e.ko in L1?)"
	l2_run --passthrough "$f0"
	[ "$rc" != 0 ] || fail "ptvm ran $f0 while $f1 of its IOMMU group is on e1000e"
	grep -q "ptguard: refused: $f0 shares IOMMU group [0-9]* with $f1, bound to host driver e1000e$" "$err" ||
		fail "no ptguard refusal naming $f1 and e1000e; stderr: $(head -n 1 "$err")"
	pass
}
