# guard_host_driver: the two functions of the multi-function e1000e share an
# IOMMU group. With function 1 on its host driver e1000e, passing function 0
# is refused by ptguard, naming function 1 and the driver. --unmanaged: in
# managed mode ptvm itself refuses first (pt_managed).

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
	host_rebind "$f1" e1000e || fail "e1000e did not bind $f1 (e1000e.ko in L1?)"
	l2_run --unmanaged --passthrough "$f0"
	[ "$rc" != 0 ] || fail "ptvm ran $f0 while $f1 of its IOMMU group is on e1000e"
	grep -q "ptguard: refused: $f0 shares IOMMU group [0-9]* with $f1, bound to host driver e1000e$" "$err" ||
		fail "no ptguard refusal naming $f1 and e1000e; stderr: $(head -n 1 "$err")"
	pass
}
