# fault_guest: a guest that dies badly, over and over, with the NVMe
# passed through (managed). One ptvm run (--on-reboot restart, the
# default): L2's kernel panics FAULT_GUEST_N times (sysrq c; panic=-1
# reboots at once, through the ACPI reset register), then triple faults
# FAULT_GUEST_N times (reboot with /sys/kernel/reboot/type triple: no IDT
# and an int3), then reboots FAULT_GUEST_N times, then powers off. L2 tells
# its boots apart by a state block on the NVMe (pt_reboot's), and on every
# boot after the first reads back the pattern the first wrote: the device
# works after each restart. ptvm says each restart in its exact line and
# exits 0; then the NVMe is back on L1's nvme, which reads the pattern.
# Then, one run each: --on-reboot exit with a panic (exit 0, "guest
# rebooted") and with a triple fault (exit 1, the triple-fault line); and a
# panic with panic=0: the guest kernel spins (ptvm has no pvpanic device
# and sees nothing), ptvm runs on until SIGTERM (exit 130, "stopped by
# SIGTERM"). The NVMe is back on nvme after each.
# e2e: secs 420 (about 2.5 minutes in the TCG rig; 16 boots in its first run)
# e2e: opt-in (in 1 of its 2 runs L1 under TCG stopped for good after L2's 4th boot, as in console_stall; not isolated)
# e2e: own-l1 (when named: its loop stays out of the other cases' L1)

. /cases/pt_reboot.sh

FAULT_GUEST_N=5
# How long ptvm must run on after the panic=0 guest said it panicked.
FAULT_GUEST_HANG=3

# --- L2 ---

guest_panic() {
	echo "PTVM-GUEST-DO panic"
	echo c >/proc/sysrq-trigger
}

guest_triple() {
	echo triple >/sys/kernel/reboot/type || echo "PTVM-GUEST-NO-REBOOT-TYPE"
	echo "PTVM-GUEST-DO triple $(cat /sys/kernel/reboot/type)"
	end=reboot
}

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_wait || { echo PTVM-NVME-NODEV; return; }
	case " $(cat /proc/cmdline) " in
	*" ptvm.guest=panic "*) guest_panic ;;
	*" ptvm.guest=triple "*) guest_triple ;;
	*" ptvm.guest=loop "*)
		n=$FAULT_GUEST_N
		reboot_count PTVM-GUEST
		if [ "$boot" -le "$n" ]; then
			guest_panic
		elif [ "$boot" -le $((2 * n)) ]; then
			guest_triple
		elif [ "$boot" -le $((3 * n)) ]; then
			echo "PTVM-GUEST-DO reboot"
			end=reboot
		fi
		;;
	esac
}

# --- L1 ---

# fg_restarts KIND: ptvm's restart lines of KIND (rebooted, triple).
fg_restarts() {
	case $1 in
	rebooted) grep -c "^ptvm: guest rebooted\( (KVM_SYSTEM_EVENT_RESET)\)\{0,1\}: restarting (reboot [0-9]*)\$" "$err" ;;
	triple) grep -c "^ptvm: guest triple fault on vCPU 0 (KVM_EXIT_SHUTDOWN) at .*: restarting (reboot [0-9]*)\$" "$err" ;;
	esac
}

# fg_run WHAT GUEST [ptvm option...]: one run of the guest mode GUEST.
fg_run() {
	what=$1
	L2_CMDLINE="$base ptvm.guest=$2 ptvm.arg=$pat"
	shift 2
	l2_run --passthrough "$nvme" "$@"
	L2_CMDLINE=$base
	grep -q PTVM-NVME-NODEV "$out" && bail "$what: L2's nvme driver created no /dev/nvme0n1"
}

l1() {
	need_ptvm
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	host_rebind "$nvme" nvme || fail "nvme did not bind $nvme in L1"
	base=$L2_CMDLINE
	pat=$$-$(cut -c1-8 /proc/sys/kernel/random/uuid)
	n=$FAULT_GUEST_N
	boots=$((3 * n + 1))

	# 1. The loop: 3n restarts, then poweroff.
	t0=$(uptime_s)
	L2_TIMEOUT=$((L2_TIMEOUT * boots / 2))
	fg_run loop loop --stats
	L2_TIMEOUT=$((L2_TIMEOUT * 2 / boots))
	expect_rc 0
	got=$(grep -c PTVM-L2-INIT-OK "$out")
	[ "$got" = "$boots" ] || bail "loop: L2 booted $got times, want $boots"
	expect_out "^PTVM-GUEST-BOOT 1 wrote PTVM-NVME-PATTERN-$pat\$" "pattern written on boot 1"
	b=2
	while [ $b -le $boots ]; do
		expect_out "^PTVM-GUEST-BOOT $b read PTVM-NVME-PATTERN-$pat\$" "pattern read back on boot $b"
		b=$((b + 1))
	done
	panics=$(grep -c "Kernel panic - not syncing: sysrq triggered crash" "$out")
	[ "$panics" = "$n" ] || bail "loop: L2 printed $panics kernel panics, want $n"
	got=$(grep -c "^PTVM-GUEST-DO triple triple" "$out")
	[ "$got" = "$n" ] || bail "loop: $got boots set reboot type triple, want $n: $(grep -m 1 PTVM-GUEST-DO.triple "$out")"
	rb=$(fg_restarts rebooted)
	tf=$(fg_restarts triple)
	[ "$rb" = $((2 * n)) ] || bail "loop: $rb 'guest rebooted' restarts, want $((2 * n)) (panics and reboots): $(grep restarting "$err" | tr '\n' '|')"
	[ "$tf" = "$n" ] || bail "loop: $tf triple-fault restarts, want $n: $(grep restarting "$err" | tr '\n' '|')"
	r=1
	while [ $r -le $((3 * n)) ]; do
		grep -q ": restarting (reboot $r)\$" "$err" || bail "loop: no restart line for reboot $r"
		r=$((r + 1))
	done
	grep -qx "ptvm: stats: reboots $((3 * n))" "$err" ||
		bail "loop: no 'reboots $((3 * n))' in --stats: $(grep 'stats: reboots' "$err")"
	back_on "$nvme" nvme "after the loop"
	disk=$(nvme_disk "$nvme") || bail "L1's nvme made no disk of $nvme after the loop"
	got=$(dd if="$disk" bs=4096 skip=$PT_NVME_BLOCK count=1 2>/dev/null | head -n 1)
	[ "$got" = "PTVM-NVME-PATTERN-$pat" ] || bail "after the loop L1 reads '$got', want the pattern"
	t_loop=$(awk "BEGIN{print $(uptime_s) - $t0}")

	# 2. --on-reboot exit: a panic's reboot ends ptvm with 0.
	fg_run "panic, --on-reboot exit" panic --on-reboot exit --verbose
	expect_rc 0 "panic=-1 with --on-reboot exit"
	expect_out "Kernel panic - not syncing: sysrq triggered crash" "kernel panic"
	grep -qx "ptvm: guest rebooted" "$err" || bail "panic, --on-reboot exit: no 'ptvm: guest rebooted': $(tail -n 1 "$err")"
	grep -q "restarting" "$err" && bail "panic, --on-reboot exit: ptvm restarted the guest"
	back_on "$nvme" nvme "after the panic with --on-reboot exit"

	# 3. --on-reboot exit: a triple fault ends ptvm with 1.
	fg_run "triple fault, --on-reboot exit" triple --on-reboot exit
	expect_rc 1 "triple fault with --on-reboot exit"
	[ "$(grep -c . "$err")" = 1 ] || bail "triple fault, --on-reboot exit: want one stderr line: $(tr '\n' '|' <"$err")"
	grep -q "^ptvm: guest triple fault on vCPU 0 (KVM_EXIT_SHUTDOWN) at .*[^:]\$" "$err" ||
		bail "triple fault, --on-reboot exit: said '$(cat "$err")'"
	tline=$(cat "$err")
	back_on "$nvme" nvme "after the triple fault with --on-reboot exit"

	# 4. panic=0: the guest spins; ptvm runs on until SIGTERM.
	L2_CMDLINE="$base panic=0 ptvm.guest=panic ptvm.arg=$pat"
	l2_start --passthrough "$nvme"
	L2_CMDLINE=$base
	if ! wait_out "Kernel panic - not syncing" "$L2_TIMEOUT"; then
		kill -9 "$pid" 2>/dev/null
		l2_wait
		bail "panic=0: no kernel panic in the L2 output; $(how_ended)"
	fi
	sleep $FAULT_GUEST_HANG
	[ -d "/proc/$pid" ] || { l2_wait; bail "panic=0: ptvm ended by itself ($(how_ended)), want it running"; }
	kill -TERM "$pid"
	l2_wait
	[ "$rc" = 130 ] || bail "panic=0: ptvm exited $rc after SIGTERM, want 130"
	grep -qx "ptvm: stopped by SIGTERM" "$err" || bail "panic=0: said '$(tail -n 1 "$err")'"
	back_on "$nvme" nvme "after SIGTERM of the panicked guest"
	wait_dmesg "ptguard: $nvme: function reset after release by ptvm" 20 ||
		bail "no ptguard reset of $nvme after release"

	echo "fault_guest: survived $panics panics, $tf triple faults, $((rb - panics)) reboots in one run ($boots boots, ${t_loop} s), pattern read back on every boot; --on-reboot exit: panic rc 0, triple fault rc 1; panic=0: running ${FAULT_GUEST_HANG} s after the panic, SIGTERM rc 130"
	echo "  triple fault line: $tline"
	pass "panics $panics, triple faults $tf, reboots $((rb - panics)), $boots boots"
}
