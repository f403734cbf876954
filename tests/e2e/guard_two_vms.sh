# guard_two_vms: two ptvm processes each asking for one of the two e1000
# that share a bus reset domain: the first gets its device, the second is
# refused by ptguard naming the first (owner "ptvm" and its pid), although
# its own device is idle on vfio-pci.

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
	e1000_pair
	vfio_bind "$e1" >/dev/null || fail "vfio-pci did not bind $e1"
	vfio_bind "$e2" >/dev/null || fail "vfio-pci did not bind $e2"
	mkfifo /tmp/guard_two_vms.in
	exec 3<>/tmp/guard_two_vms.in
	L2_STDIN=/tmp/guard_two_vms.in l2_start --end shell --passthrough "$e1"
	p1=$pid o1=$out x1=$err n1=$nrun t1=$t_start
	if ! wait_out PTVM-SHELL-READY "$L2_TIMEOUT"; then
		kill -9 $(pidof ptvm) 2>/dev/null
		l2_wait
		fail "the first VM never came up (no PTVM-SHELL-READY)"
	fi
	apid=$(pidof ptvm)
	case $apid in *" "*|"") fail "want one ptvm running, found '$apid'" ;; esac

	l2_run --passthrough "$e2"
	second_rc=$rc second_err=$err
	echo exit >&3
	pid=$p1 out=$o1 err=$x1 nrun=$n1 t_start=$t1
	l2_wait
	exec 3>&-
	[ "$second_rc" != 0 ] || fail "the second ptvm ran $e2 beside the first VM's $e1"
	grep -q "ptguard: refused: $e2 shares its bus reset domain.* with $e1, held by ptvm (pid $apid)$" "$second_err" ||
		fail "no ptguard refusal naming $e1 held by ptvm (pid $apid); stderr: $(head -n 1 "$second_err")"
	expect_rc 0
	pass
}
