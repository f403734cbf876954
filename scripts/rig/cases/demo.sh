# demo: ptguard at work in L1, then one L2 boot shown on the console, with
# the rig's NVMe and e1000e passed through by ptvm. First L1 shows ptguard
# loaded and a co-assignment it refuses: the second e1000 shares a bus reset
# domain with the first, which is L1's own NIC (the ping peer). After L2,
# L1's kernel log shows ptguard's claims of the two devices and their resets
# once ptvm let go of them. L2 prints its uname, CPUs, memory and PCI devices
# (from sysfs: busybox has no lspci), loads its own nvme and e1000e drivers,
# shows the disk, reads and writes it, brings the NIC up and pings L1's peer
# NIC, shows the devices' interrupts counting, then powers off. When the
# host's stdin is a terminal (ptvm.interactive=1 from scripts/rig/demo) it
# gives a shell on its console first, typed into through QEMU and L1.

. /cases/pt_nvme.sh
. /cases/pt_nic.sh

l2() {
	echo "== L2: $(uname -sr) on $(nproc) CPU(s), $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
	echo "== L2 PCI devices (BDF class vendor:device):"
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d" ] || continue
		echo "   ${d##*/} $(cat "$d/class") $(cat "$d/vendor"):$(cat "$d/device")"
	done
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_wait
	echo "== L2 NVMe (its own nvme driver): /dev/nvme0n1, $(($(cat /sys/block/nvme0n1/size 2>/dev/null || echo 0) / 2048)) MiB"
	echo "hello from L2 through passthrough" |
		dd of=/dev/nvme0n1 bs=4096 seek=100 count=1 conv=sync,fsync 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
	echo "   read back: $(dd if=/dev/nvme0n1 bs=4096 skip=100 count=1 2>/dev/null | head -n 1)"
	echo "== L2 NIC (its own e1000e driver):"
	nic_l2 | sed 's/^PTVM-NIC-/   /'
	echo "== L2 interrupts of the passed-through devices (MSI-X, delivered by KVM):"
	grep -e nvme -e eth0 /proc/interrupts
	echo "== L2 uptime: $(cut -d' ' -f1 /proc/uptime) s"
}

# demo_refusal: ptvm asked for the e1000 beside L1's own (the ping peer on
# the same conventional bus); ptguard refuses before VFIO opens anything.
demo_refusal() {
	local d other=
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x100e ] || continue
		[ -e "$d/net/$peer" ] || other=${d##*/}
	done
	[ -n "$other" ] || fail "no second e1000 beside the peer $peer in L1"
	vfio_bind "$other" >/dev/null || fail "vfio-pci did not bind $other"
	# --unmanaged: managed mode would refuse first, for the IOMMU group; the
	# demo shows the reset domain, which only ptguard checks.
	echo "== L1: ptvm run --unmanaged --passthrough $other (on the bus of L1's own NIC $peer):"
	"$PTVM" run --kernel "$L2_KERNEL" --initrd "$L2_INITRD" --memory "$L2_MEMORY" \
		--unmanaged --passthrough "$other" </dev/null >/dev/null 2>/tmp/demo.refusal
	rc=$?
	sed 's/^/   /' /tmp/demo.refusal
	[ "$rc" != 0 ] && grep -q "ptguard: refused: $other shares its bus reset domain" /tmp/demo.refusal ||
		fail "ptguard did not refuse $other beside L1's own NIC (ptvm exited $rc)"
	host_rebind "$other" e1000 >/dev/null || true
}

l1() {
	need_ptvm
	end=poweroff in=/dev/null saved=
	[ -c /dev/ptguard ] || fail "no /dev/ptguard in L1 (make rig-kmod)"
	echo "== L1: ptguard.ko is loaded: ptvm claims every device it passes through at /dev/ptguard"
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"
	nic_l1_prepare
	demo_refusal
	if [ "${PTVM_INTERACTIVE:-0}" = 1 ]; then
		end=shell in=/dev/console
		echo "== L2 will give a shell: 'exit' ends it (Ctrl-A x quits QEMU)"
		# Keys go to L2 unedited and are echoed once, by L2's tty.
		saved=$(stty -g)
		stty raw -echo
	fi
	echo "== L1: ptvm run --cpus 2 --memory $L2_MEMORY --passthrough $nvme --passthrough $PT_NIC_BDF --stats"
	"$PTVM" run --kernel "$L2_KERNEL" --initrd "$L2_INITRD" \
		--memory "$L2_MEMORY" --cpus 2 --stats \
		--passthrough "$nvme" --passthrough "$PT_NIC_BDF" \
		--cmdline "$L2_CMDLINE ptvm.case=demo ptvm.end=$end" <"$in"
	rc=$?
	[ -z "$saved" ] || stty "$saved"
	[ "$rc" = 0 ] || fail "ptvm exited $rc"
	for d in "$nvme" "$PT_NIC_BDF"; do
		wait_dmesg "ptguard: $d: [a-z]* reset after release by ptvm" 10 ||
			fail "no ptguard reset of $d after ptvm exited"
	done
	echo "== L1 kernel log: ptguard's claims and resets"
	dmesg | sed -n 's/^\[[ 0-9.]*\] \(ptguard: [0-9a-f]\{4\}:\)/   \1/p'
	pass "ptvm exited 0"
}
