# poweroff: ptvm exits 0 when the guest powers off (poweroff -f) and when it
# reboots (reboot -f): both end the VM.

l1() {
	l2_run --end poweroff
	expect_out PTVM-L2-INIT-OK "PTVM-L2-INIT-OK marker (L2 never reached its init)"
	expect_rc 0 "after guest poweroff -f"
	l2_run --end reboot
	expect_out PTVM-L2-INIT-OK "PTVM-L2-INIT-OK marker on the reboot run"
	expect_rc 0 "after guest reboot -f"
	pass
}
