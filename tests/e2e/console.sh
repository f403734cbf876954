# console: guest console input round-trips. L1 writes a line into ptvm's
# stdin once L2's shell is up; L2's shell runs it and its output comes back.
# The line is `echo RT-$((6*7))`: only a shell that ran it prints RT-42,
# the tty's echo of the line itself does not contain it.

l1() {
	mkfifo /tmp/console.in
	# Open read-write first: opening a fifo for writing alone would block
	# until ptvm opens it, and ptvm must never see EOF mid-test.
	exec 3<>/tmp/console.in
	L2_STDIN=/tmp/console.in l2_start --end shell
	if ! wait_out PTVM-SHELL-READY "$L2_TIMEOUT"; then
		kill -9 "$pid" 2>/dev/null
		l2_wait
		fail "L2 shell never started (no PTVM-SHELL-READY)"
	fi
	echo 'echo RT-$((6*7))' >&3
	wait_out RT-42 20
	found=$?
	echo 'exit' >&3
	l2_wait
	exec 3>&-
	[ "$found" = 0 ] || fail "no RT-42 in the L2 output after writing to ptvm's stdin"
	expect_rc 0
	pass
}
