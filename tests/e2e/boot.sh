# boot: L2 boots to its init, which prints PTVM-L2-INIT-OK and powers off;
# ptvm exits 0. The L2 payload is empty: the init prints the marker itself.

l1() {
	l2_run
	expect_out PTVM-L2-INIT-OK "PTVM-L2-INIT-OK marker (L2 never reached its init)"
	expect_rc 0
	pass
}
