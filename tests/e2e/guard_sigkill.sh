# guard_sigkill: a VM holding both e1000 is killed with SIGKILL while L2 has
# changed a device register (RDBAL, 0x2800 in BAR0, reset value 0).
# ptguard resets the bus once VFIO has let go (kernel log), and a new VM then
# gets the devices with the register back at its reset value.

l2() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x100e ] || continue
		echo 1 >"$d/enable"
		read -r bar _ <"$d/resource"
		r=$(printf '0x%x' $((bar + 0x2800)))
		echo "PTVM-GUARD-REG ${d##*/} before $(devmem "$r" 32)"
		devmem "$r" 32 0x12345000
		echo "PTVM-GUARD-REG ${d##*/} after $(devmem "$r" 32)"
	done
	echo PTVM-GUARD-DONE
}

l1() {
	need_guard
	e1000_pair
	vfio_bind "$e1" >/dev/null || fail "vfio-pci did not bind $e1"
	vfio_bind "$e2" >/dev/null || fail "vfio-pci did not bind $e2"
	mkfifo /tmp/guard_sigkill.in
	exec 3<>/tmp/guard_sigkill.in
	L2_STDIN=/tmp/guard_sigkill.in l2_start --end shell --passthrough "$e1" --passthrough "$e2"
	if ! wait_out PTVM-SHELL-READY "$L2_TIMEOUT"; then
		kill -9 $(pidof ptvm) 2>/dev/null
		l2_wait
		fail "the first VM never came up (no PTVM-SHELL-READY)"
	fi
	# SIGKILL of the ptvm started (the monitor): its VM process, which holds
	# the claims, dies with it (PR_SET_PDEATHSIG), and ptguard names that one.
	apid=$(ptvm_vmproc)
	[ -n "$apid" ] || { kill -9 $(pidof ptvm); l2_wait; fail "no VM process under the ptvm monitor"; }
	kill -9 "$(ptvm_monitor)"
	l2_wait
	exec 3>&-
	first=$out
	grep -q 'PTVM-GUARD-REG .* after 0x12345000' "$first" ||
		fail "L2 could not change RDBAL: $(grep -m 1 PTVM-GUARD-REG "$first")"
	wait_dmesg "ptguard: .*: [a-z]* reset after release by ptvm (pid $apid)" 30 ||
		fail "no ptguard reset after SIGKILL of ptvm $apid: $(dmesg | grep ptguard | tail -n 1)"

	l2_run --passthrough "$e1" --passthrough "$e2"
	expect_out PTVM-GUARD-DONE "PTVM-GUARD-DONE (the second VM's payload did not finish)"
	expect_rc 0
	# QEMU's e1000 reset clears RDBAL; the first VM may have found the L1
	# e1000 driver's ring address there, so compare with 0, not with that.
	n=$(grep -c "PTVM-GUARD-REG .* before 0x00000000" "$out")
	[ "$n" = 2 ] || fail "RDBAL not back to 0 in the new VM: $(grep 'before' "$out" | tr '\n' ' ')"
	pass "RDBAL 0x12345000 -> 0 after SIGKILL"
}
