# poweroff: ptvm exits 0 when the guest powers off (poweroff -f), and when
# it reboots (reboot -f) with --on-reboot exit (the default restarts it:
# pt_reboot).

l1() {
	l2_run --end poweroff
	expect_out PTVM-L2-INIT-OK "PTVM-L2-INIT-OK marker (L2 never reached its init)"
	expect_rc 0 "after guest poweroff -f"
	l2_run --end reboot --on-reboot exit
	expect_out PTVM-L2-INIT-OK "PTVM-L2-INIT-OK marker on the reboot run"
	expect_rc 0 "after guest reboot -f with --on-reboot exit"
	[ "$(grep -c PTVM-L2-INIT-OK "$out")" = 1 ] || fail "L2 booted again with --on-reboot exit"
	pass
}
