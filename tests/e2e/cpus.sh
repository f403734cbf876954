# cpus: with --cpus 2, L2 brings both vCPUs online.

l2() {
	echo "PTVM-NPROC=$(nproc)"
	echo "PTVM-CPUS-ONLINE=$(cat /sys/devices/system/cpu/online)"
}

l1() {
	l2_run --cpus 2
	expect_out PTVM-L2-INIT-OK "PTVM-L2-INIT-OK marker (L2 never reached its init)"
	expect_out '^PTVM-NPROC=2$' \
		"'PTVM-NPROC=2' (got '$(grep ^PTVM-NPROC= "$out" | tr -d '\n')')"
	expect_rc 0
	pass
}
