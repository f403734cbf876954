# demo: one L2 boot shown on the console. L2 prints its uname, CPUs, memory
# and PCI devices (from sysfs: busybox has no lspci), then powers off; when
# the host's stdin is a terminal (ptvm.interactive=1 from scripts/rig/demo)
# it gives a shell on its console first, typed into through QEMU and L1.

l2() {
	echo "== L2: $(uname -sr) on $(nproc) CPU(s), $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
	echo "== L2 PCI devices (BDF class vendor:device):"
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d" ] || continue
		echo "   ${d##*/} $(cat "$d/class") $(cat "$d/vendor"):$(cat "$d/device")"
	done
	echo "== L2 uptime at its init: $(cut -d' ' -f1 /proc/uptime) s"
}

l1() {
	need_ptvm
	end=poweroff in=/dev/null saved=
	if [ "${PTVM_INTERACTIVE:-0}" = 1 ]; then
		end=shell in=/dev/console
		echo "== L2 will give a shell: 'exit' ends it (Ctrl-A x quits QEMU)"
		# Keys go to L2 unedited and are echoed once, by L2's tty.
		saved=$(stty -g)
		stty raw -echo
	fi
	echo "== L1: ptvm run --cpus 2 --memory $L2_MEMORY (L2 console follows)"
	"$PTVM" run --kernel "$L2_KERNEL" --initrd "$L2_INITRD" \
		--memory "$L2_MEMORY" --cpus 2 \
		--cmdline "$L2_CMDLINE ptvm.case=demo ptvm.end=$end" <"$in"
	rc=$?
	[ -z "$saved" ] || stty "$saved"
	[ "$rc" = 0 ] || fail "ptvm exited $rc"
	pass "ptvm exited 0"
}
