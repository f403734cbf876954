# pt_managed: managed mode, the default (as libvirt's managed='yes'). The
# e1000e at 00:02.0 starts on its L1 driver e1000e; ptvm itself moves it to
# vfio-pci (no bind-vfio), L2's e1000e drives it, and it is back on e1000e
# in L1, record gone, after each way out: the guest powering off (or
# rebooting, below), SIGTERM of ptvm, SIGKILL followed by `ptvm cleanup`, and
# a setup error after the move (ptguard refusing a device with no reset
# method). The two functions of the multifunction
# e1000e share an IOMMU group: passing one while the other is on e1000e is
# refused with nothing changed; passed together they move and come back
# together.

. /cases/pt_nic.sh

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	case " $(cat /proc/cmdline) " in
	*" ptvm.arg=pair "*)
		for d in /sys/bus/pci/devices/*; do
			echo "PTVM-PCI ${d##*/} $(cat "$d/vendor"):$(cat "$d/device")"
		done
		;;
	*) nic_l2 ;;
	esac
}

# shell_start WHEN: ptvm with the NIC and an L2 that stays up (stdin a FIFO
# on fd 3); once L2 has used the NIC, check that ptvm moved and recorded it.
shell_start() {
	mkfifo "/tmp/pt_managed.$1.in"
	exec 3<>"/tmp/pt_managed.$1.in"
	L2_STDIN=/tmp/pt_managed.$1.in l2_start --end shell --passthrough "$PT_NIC_BDF"
	if ! wait_out PTVM-SHELL-READY "$L2_TIMEOUT"; then
		kill -9 $(pidof ptvm) 2>/dev/null
		l2_wait
		fail "$1: L2 never came up (no PTVM-SHELL-READY)"
	fi
	expect_out "PTVM-NIC-MAC $PT_NIC_MAC" "MAC $PT_NIC_MAC on L2's eth0 ($1 run)"
	[ "$(pci_driver "$PT_NIC_BDF")" = vfio-pci ] ||
		bail "$1: $PT_NIC_BDF is on '$(pci_driver "$PT_NIC_BDF")' while L2 runs, want vfio-pci"
	# The monitor, the ptvm started: it moved the NIC and holds the record.
	vpid=$(ptvm_monitor)
	grep -q "^pid=$vpid$" "$RUN_DIR/$PT_NIC_BDF" 2>/dev/null ||
		bail "$1: no record of ptvm $vpid in $RUN_DIR/$PT_NIC_BDF"
	grep -q "^driver=e1000e$" "$RUN_DIR/$PT_NIC_BDF" ||
		bail "$1: the record does not name e1000e: $(tr '\n' ' ' <"$RUN_DIR/$PT_NIC_BDF")"
}

# stderr without what --no-guard says is left unprotected (as pt_refuse).
why() {
	grep -v "^ptvm: --no-guard: " "$err"
}

l1() {
	need_ptvm
	nic_l1_peer
	# The starting state: L1's e1000e has the NIC (an earlier case may have
	# left it on vfio-pci), and no records.
	host_rebind "$PT_NIC_BDF" e1000e || fail "e1000e did not bind $PT_NIC_BDF in L1"
	[ -z "$(ls "$RUN_DIR" 2>/dev/null)" ] || fail "records in $RUN_DIR before the case: $(ls "$RUN_DIR")"

	# 1. Guest poweroff.
	l2_run --stats --passthrough "$PT_NIC_BDF"
	expect_rc 0
	nic_l1_check
	back_on "$PT_NIC_BDF" e1000e "after guest poweroff"

	# 2. SIGTERM of ptvm while the guest runs.
	shell_start sigterm
	kill -TERM "$vpid"
	l2_wait
	exec 3>&-
	[ "$rc" = 130 ] || bail "ptvm exited $rc after SIGTERM, want 130"
	back_on "$PT_NIC_BDF" e1000e "after SIGTERM"

	# 3. SIGKILL: the device stays on vfio-pci with its record; ptvm cleanup
	# gives it back, and a second cleanup has nothing to do.
	shell_start sigkill
	kill -KILL "$vpid"
	l2_wait
	exec 3>&-
	[ "$(pci_driver "$PT_NIC_BDF")" = vfio-pci ] ||
		fail "after SIGKILL: $PT_NIC_BDF is on '$(pci_driver "$PT_NIC_BDF")', want vfio-pci still"
	[ -e "$RUN_DIR/$PT_NIC_BDF" ] || fail "after SIGKILL: no record in $RUN_DIR"
	said=$("$PTVM" cleanup 2>&1)
	crc=$?
	echo "  cleanup| $said"
	[ "$crc" = 0 ] || fail "ptvm cleanup exited $crc: $said"
	[ "$said" = "$PT_NIC_BDF: vfio-pci -> e1000e (ptvm pid $vpid is gone)" ] ||
		fail "ptvm cleanup said '$said'"
	back_on "$PT_NIC_BDF" e1000e "after SIGKILL and ptvm cleanup"
	said=$("$PTVM" cleanup 2>&1) || fail "the second ptvm cleanup exited $?: $said"
	echo "  cleanup| $said"
	[ "$said" = "nothing to clean up: no devices left behind by a ptvm in $RUN_DIR" ] ||
		fail "the second ptvm cleanup said '$said'"

	# 4. A group that must move together: function 0 alone is refused,
	# naming function 1 and its driver, and nothing changes.
	fn0=$(pci_find_multifn 0x8086:0x10d3) ||
		fail "no multifunction e1000e in L1 (the rig lacks its topology)"
	fn1=${fn0%.0}.1
	host_rebind "$fn0" e1000e || fail "e1000e did not bind $fn0"
	host_rebind "$fn1" e1000e || fail "e1000e did not bind $fn1"
	l2_run --passthrough "$fn0"
	[ "$rc" = 1 ] || bail "$fn0 alone: ptvm exited $rc, want 1"
	[ "$(why | wc -l)" = 1 ] || fail "$fn0 alone: want one stderr line, got: $(tr '\n' '|' <"$err")"
	why | grep -q "^ptvm: $fn0: IOMMU group [0-9]* also holds $fn1 (bound to e1000e), which would have to go too (add --passthrough $fn1)$" ||
		fail "$fn0 alone: refused with '$(why)'"
	echo "  refused: $(why)"
	back_on "$fn0" e1000e "after refusing $fn0 alone"
	back_on "$fn1" e1000e "after refusing $fn0 alone"

	# 5. Both functions given: they move together, L2 has both; the guest
	# reboots this time (and ptvm ends: --on-reboot exit), and both come back.
	L2_CMDLINE_WAS=$L2_CMDLINE
	L2_CMDLINE="$L2_CMDLINE ptvm.arg=pair"
	l2_run --end reboot --on-reboot exit --passthrough "$fn0" --passthrough "$fn1"
	L2_CMDLINE=$L2_CMDLINE_WAS
	expect_rc 0
	n=$(grep -c "^PTVM-PCI .* 0x8086:0x10d3" "$out")
	[ "$n" = 2 ] || fail "L2 has $n e1000e functions of the pair, want 2"
	back_on "$fn0" e1000e "after the pair's guest rebooted"
	back_on "$fn1" e1000e "after the pair's guest rebooted"

	# 6. A setup error after the move: with the NIC's reset methods switched
	# off (sysfs-bus-pci: reset_method), ptguard refuses the claim that ptvm
	# makes after moving it, and ptvm gives it back.
	if [ -c /dev/ptguard ]; then
		rm=/sys/bus/pci/devices/$PT_NIC_BDF/reset_method
		echo >"$rm" || fail "cannot switch off the reset methods of $PT_NIC_BDF"
		l2_run --passthrough "$PT_NIC_BDF"
		echo default >"$rm"
		[ "$rc" = 1 ] || bail "no reset method: ptvm exited $rc, want 1"
		grep -q "^ptvm: ptguard: refused: " "$err" ||
			fail "no reset method: no ptguard refusal: $(head -n 1 "$err")"
		echo "  refused after the move: $(grep refused "$err")"
		back_on "$PT_NIC_BDF" e1000e "after ptguard refused the claim"
	else
		echo "  no /dev/ptguard in L1: no setup error to provoke after the move"
	fi
	pass
}
