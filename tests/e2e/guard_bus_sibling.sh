# guard_bus_sibling: the two e1000 behind one pcie-pci-bridge share a bus
# reset domain (only a secondary bus reset at the bridge resets them; the
# kernel lists "bus" for one and nothing for the other). With the second on
# its host driver e1000, passing the first alone is refused by ptguard,
# naming the second and its driver, before VFIO opens anything (--unmanaged:
# in managed mode ptvm refuses first, as they share an IOMMU group too). Both
# to one VM works: L2 sees both, and ptvm says the reset each really gets:
# none through VFIO, ptguard's secondary bus reset of both after ptvm exits.

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
	host_rebind "$e2" e1000 || fail "e1000 did not bind $e2 (e1000.ko in L1?)"
	l2_run --unmanaged --passthrough "$e1"
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
	for pair in "$e1 $e2" "$e2 $e1"; do
		set -- $pair
		grep -q "^ptvm: $1: no reset of its own through VFIO.*; after ptvm exits ptguard resets it by a secondary bus reset, with $2$" "$err" ||
			fail "no line saying ptguard bus-resets $1 with $2: $(grep -m 1 "$1: .*reset" "$err")"
	done
	grep -q "has no reset" "$err" && fail "ptvm still says: $(grep -m 1 'has no reset' "$err")"
	pass
}
