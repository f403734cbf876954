# guard_bus_sibling: the two e1000 behind one pcie-pci-bridge share a bus
# reset domain (only a secondary bus reset at the bridge resets them; the
# kernel lists "bus" for one and nothing for the other). With the second on
# its host driver e1000, passing the first alone is refused by ptguard,
# naming the second and its driver, before VFIO opens anything. Both to one
# VM works: L2 sees both.

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
	for d in /sys/bus/pci/devices/*; do
		echo "PTVM-GUARD-DEV ${d##*/} $(cat "$d/vendor"):$(cat "$d/device")"
	done
	echo PTVM-GUARD-DONE
}

l1() {
	need_guard
	e1000_pair
	vfio_bind "$e1" >/dev/null || fail "vfio-pci did not bind $e1"
	host_bind "$e2" e1000 || fail "e1000 did not bind $e2 (e1000.ko in L1?)"
	l2_run --passthrough "$e1"
	[ "$rc" != 0 ] || fail "ptvm ran $e1 while its bus sibling $e2 is on e1000"
	grep -q "ptguard: refused: $e1 shares its bus reset domain.* with $e2, bound to host driver e1000$" "$err" ||
		fail "no ptguard refusal naming $e2 and e1000; stderr: $(head -n 1 "$err")"

	vfio_bind "$e2" >/dev/null || fail "vfio-pci did not bind $e2"
	l2_run --passthrough "$e1" --passthrough "$e2"
	expect_out PTVM-GUARD-DONE "PTVM-GUARD-DONE (the L2 payload did not finish)"
	expect_rc 0
	n=$(grep -c '^PTVM-GUARD-DEV .* 0x8086:0x100e' "$out")
	[ "$n" = 2 ] || fail "L2 sees $n e1000, want 2"
	grep -q "ptguard: refused" "$err" && fail "refused with both: $(grep -m 1 refused "$err")"
	pass
}
