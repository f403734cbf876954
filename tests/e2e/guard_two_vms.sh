# guard_two_vms: two ptvm processes each asking for one of the two e1000
# that share a bus reset domain: the first gets its device, the second is
# refused by ptguard naming the first (owner "ptvm" and its pid), although
# its own device is idle on vfio-pci.

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
	# ptguard names the claims' holder: the first ptvm's VM process.
	apid=$(ptvm_vmproc)
	case $(pidof ptvm) in *" "*" "*) fail "want one ptvm (monitor and VM process), found '$(pidof ptvm)'" ;; esac
	[ -n "$apid" ] || fail "no VM process under the first ptvm"

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
