# sandbox: ptvm is a root monitor and a sandboxed VM process (the default).
# While L2 runs with the e1000e passed through (managed: it starts on L1's
# e1000e), L1 reads /proc/PID/status: the VM process has no capabilities
# (CapEff, CapPrm, CapBnd all 0), seccomp mode 2 and no_new_privs, and runs
# as nobody (L1 has no user ptvm); the monitor stays root. SIGTERM of the
# monitor reaches the VM process. With the test knob PTVM_TEST_SYSCALL=ptrace
# the VM process makes that syscall on console input once L2 has used the
# NIC: the filter kills it, ptvm exits 1 naming the syscall, ptguard resets
# the NIC (kernel log, naming the VM process) and the monitor gives it back
# to e1000e with no record left. A --user that does not exist is one line.

. /cases/pt_nic.sh

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nic_l2
}

# st PID FIELD: FIELD's value in /proc/PID/status, blanks as one.
st() {
	awk -v n="$2:" '$1 == n { $1 = ""; print substr($0, 2) }' "/proc/$1/status"
}

# shell_up WHAT: ptvm with the NIC, an L2 that stays up, stdin a FIFO on fd 3;
# once L2 has pinged through the NIC sets mon and vm, the two processes.
shell_up() {
	mkfifo "/tmp/sandbox.$1.in"
	exec 3<>"/tmp/sandbox.$1.in"
	L2_STDIN=/tmp/sandbox.$1.in l2_start --end shell --verbose --passthrough "$PT_NIC_BDF"
	if ! wait_out PTVM-SHELL-READY "$L2_TIMEOUT"; then
		kill -9 $(pidof ptvm) 2>/dev/null
		l2_wait
		fail "$1: L2 never came up (no PTVM-SHELL-READY): $(tail -n 1 "$err")"
	fi
	expect_out PTVM-NIC-PING-OK "ping through the NIC ($1 run)"
	mon=$(ptvm_monitor)
	vm=$(ptvm_vmproc)
	[ -n "$vm" ] || bail "$1: no VM process under the ptvm monitor $mon"
}

l1() {
	need_ptvm
	nic_l1_peer
	host_rebind "$PT_NIC_BDF" e1000e || fail "e1000e did not bind $PT_NIC_BDF in L1"

	# 1. The two processes while L2 runs.
	shell_up status
	line="ptvm: sandbox: VM process $vm runs as nobody (uid 65534 gid 65534, the default: no user ptvm), no capabilities, seccomp allowlist of [0-9]* syscalls ([0-9]* ioctl requests)"
	grep -qx "$line" "$err" || bail "no line '$line' on stderr: $(grep sandbox: "$err")"
	allow=$(sed -n 's/.*seccomp allowlist of \([0-9]* syscalls ([0-9]* ioctl requests)\)$/\1/p' "$err")
	for f in CapEff CapPrm CapBnd CapAmb; do
		[ "$(st "$vm" $f)" = 0000000000000000 ] || bail "VM process $vm: $f $(st "$vm" $f), want 0"
	done
	[ "$(st "$vm" Seccomp)" = 2 ] || bail "VM process $vm: Seccomp $(st "$vm" Seccomp), want 2 (filter)"
	[ "$(st "$vm" NoNewPrivs)" = 1 ] || bail "VM process $vm: NoNewPrivs $(st "$vm" NoNewPrivs), want 1"
	[ "$(st "$vm" Uid)" = "65534 65534 65534 65534" ] || bail "VM process $vm: Uid $(st "$vm" Uid)"
	[ "$(st "$vm" Gid)" = "65534 65534 65534 65534" ] || bail "VM process $vm: Gid $(st "$vm" Gid)"
	[ "$(st "$mon" Uid)" = "0 0 0 0" ] || bail "monitor $mon: Uid $(st "$mon" Uid), want root"
	[ "$(st "$mon" Seccomp)" = 0 ] || bail "monitor $mon: Seccomp $(st "$mon" Seccomp), want 0"
	echo "  VM process $vm: Uid $(st "$vm" Uid) CapEff $(st "$vm" CapEff) Seccomp $(st "$vm" Seccomp) NoNewPrivs $(st "$vm" NoNewPrivs); monitor $mon: Uid $(st "$mon" Uid)"
	kill -TERM "$mon"
	l2_wait
	exec 3>&-
	[ "$rc" = 130 ] || bail "ptvm exited $rc after SIGTERM of its monitor, want 130"
	back_on "$PT_NIC_BDF" e1000e "after SIGTERM"

	# 2. A forbidden syscall while L2 runs, on the first console input.
	export PTVM_TEST_SYSCALL=ptrace
	shell_up knob
	unset PTVM_TEST_SYSCALL
	echo x >&3
	l2_wait
	exec 3>&-
	[ "$rc" = 1 ] || bail "ptvm exited $rc after the VM process's forbidden syscall, want 1"
	killed="ptvm: VM process killed: forbidden syscall ptrace (101)"
	grep -qx "$killed" "$err" || bail "no line '$killed' on stderr: $(tail -n 3 "$err" | tr '\n' '|')"
	[ ! -d "/proc/$vm" ] || bail "VM process $vm still there"
	if [ -c /dev/ptguard ]; then
		reset="ptguard: $PT_NIC_BDF: [a-zA-Z0-9 ()]* reset after release by ptvm (pid $vm)"
		wait_dmesg "$reset" 30 ||
			bail "no ptguard reset of $PT_NIC_BDF after VM process $vm was killed: $(dmesg | grep ptguard | tail -n 1)"
		echo "  kernel: $(dmesg | grep -e "$reset" | tail -n 1)"
	fi
	back_on "$PT_NIC_BDF" e1000e "after the VM process was killed"
	echo "  killed: $(grep -x "$killed" "$err"); $PT_NIC_BDF back on e1000e"

	# 3. No such user: one line, nothing moved.
	l2_run --user ptvm-no-such-user --passthrough "$PT_NIC_BDF"
	[ "$rc" = 1 ] || bail "--user ptvm-no-such-user: ptvm exited $rc, want 1"
	[ "$(cat "$err")" = "ptvm: --user ptvm-no-such-user: no such user (see /etc/passwd)" ] ||
		fail "--user ptvm-no-such-user: stderr '$(tr '\n' '|' <"$err")'"
	back_on "$PT_NIC_BDF" e1000e "after --user ptvm-no-such-user"
	pass "VM process nobody, CapEff 0, Seccomp 2, allowlist of $allow; ptrace (101) killed it, NIC back on e1000e"
}
