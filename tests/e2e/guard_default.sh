# guard_default: ptguard is on by default. With the module unloaded, ptvm
# loads it itself (L1's modprobe knows no ptguard, so it is the ptguard.ko
# beside /bin/ptvm) and the VM runs guarded. With no module to load ptvm
# refuses, before any guest, with one line naming the fix. With --no-guard
# it runs without ptguard and says what is then not protected. ptguard is
# loaded again at the end, whatever happened, for the cases after this one.

GD_KO=/bin/ptguard.ko
GD_AWAY=/tmp/guard_default.ko

l2() {
	echo PTVM-GUARD-UP
}

gd_restore() {
	[ -e "$GD_KO" ] || mv "$GD_AWAY" "$GD_KO"
	[ -c /dev/ptguard ] || insmod /lib/modules/ptguard.ko
}

gd_unload() {
	rmmod ptguard || fail "cannot unload ptguard ($1)"
	[ ! -e /dev/ptguard ] || fail "/dev/ptguard is still there after rmmod ($1)"
}

l1() {
	need_guard
	trap gd_restore EXIT
	[ -e "$GD_KO" ] || fail "no $GD_KO beside ptvm in L1 (mk-l1-initramfs puts it there)"
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"

	gd_unload "before the first run"
	resets=$(dmesg | grep -c "ptguard: $nvme: function reset after release by ptvm")
	l2_run --passthrough "$nvme"
	expect_out PTVM-GUARD-UP "PTVM-GUARD-UP (L2 did not run)"
	expect_rc 0
	[ -c /dev/ptguard ] || fail "no /dev/ptguard after ptvm ran"
	grep -q "^ptvm: ptguard: /dev/ptguard was missing: loaded $GD_KO$" "$err" ||
		fail "ptvm did not say it loaded $GD_KO; stderr: $(head -n 1 "$err")"
	# rmmod would forget a reset still pending: wait for it first.
	wait_dmesg_more "$resets" "ptguard: $nvme: function reset after release by ptvm" 10 ||
		fail "no FLR of $nvme by the ptguard ptvm loaded: $(dmesg | grep ptguard | tail -n 1)"

	gd_unload "before the run without a module"
	mv "$GD_KO" "$GD_AWAY"
	l2_run --passthrough "$nvme"
	[ "$rc" = 1 ] || fail "ptvm exited $rc with no ptguard to load, want 1"
	[ "$(wc -l <"$err")" = 1 ] || fail "want one stderr line, got: $(tr '\n' '|' <"$err")"
	grep -q "^ptvm: ptguard: /dev/ptguard is missing and the module did not load (.*$GD_KO: not found.*): load it (modprobe ptguard, .*) or pass --no-guard$" "$err" ||
		fail "the refusal does not name the fix: $(cat "$err")"
	grep -q PTVM-L2-INIT-OK "$out" && fail "the guest ran without ptguard"
	[ ! -e /dev/ptguard ] || fail "/dev/ptguard appeared with no module to load"
	echo "  refused: $(cat "$err")"

	l2_run --no-guard --passthrough "$nvme"
	expect_out PTVM-GUARD-UP "PTVM-GUARD-UP (L2 did not run with --no-guard)"
	expect_rc 0
	grep -q "^ptvm: --no-guard: no check that a reset of these devices spares" "$err" ||
		fail "--no-guard did not say the reset domains go unchecked: $(head -n 1 "$err")"
	grep -q "^ptvm: --no-guard: no reset guaranteed when ptvm dies" "$err" ||
		fail "--no-guard did not say no reset is guaranteed: $(head -n 2 "$err" | tail -n 1)"
	[ ! -e /dev/ptguard ] || fail "ptvm --no-guard loaded ptguard"

	gd_restore
	need_guard
	pass "loaded $GD_KO; refused with none; ran with --no-guard"
}
