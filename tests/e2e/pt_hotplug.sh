# pt_hotplug: hot-unplug and hot-plug while L2 runs, through PCIe native
# hot-plug on ptvm's root ports (L2's pciehp), driven by `ptvm ctl
# device-del|device-add` on the control socket, under the default sandbox
# (the monitor does the host's privileged half). Managed mode: the e1000e
# and the NVMe start on their L1 drivers. The e1000e is unplugged while L2
# runs: L2's eth0 goes, the device is back on L1's e1000e driver; plugged
# back: L2's eth0 returns and pings L1's peer again. The NVMe is unplugged
# after L2's dd wrote a pattern: L1's nvme driver has it back and reads
# that pattern. Each ctl prints exactly the reply asserted.

. /cases/pt_nic.sh
. /cases/pt_nvme.sh

HP_SOCK=/run/pt_hotplug.sock

# hp_wait_l2 TEST SECS: until TEST (a shell test) holds, or SECS pass.
hp_wait_l2() {
	i=0
	while ! eval "$1" && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	eval "$1"
}

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nic_l2
	echo PTVM-HP-NIC-UP
	if hp_wait_l2 '[ ! -e /sys/class/net/eth0 ]' 40; then
		echo PTVM-HP-NIC-GONE
	else
		echo PTVM-HP-NIC-STILL-THERE
	fi
	if hp_wait_l2 '[ -e /sys/class/net/eth0 ]' 40; then
		echo PTVM-HP-NIC-BACK
		nic_l2
	else
		echo PTVM-HP-NIC-NOT-BACK
	fi
	echo PTVM-HP-NIC-DONE
	nvme_l2
	echo PTVM-HP-NVME-WRITTEN
	if hp_wait_l2 '[ ! -b /dev/nvme0n1 ]' 40; then
		echo PTVM-HP-NVME-GONE
	else
		echo PTVM-HP-NVME-STILL-THERE
	fi
	ls /sys/bus/pci/devices | sed 's/^/PTVM-HP-PCI /'
}

pci_driver() {
	basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null
}

bail() {
	kill -9 $(pidof ptvm) 2>/dev/null
	l2_wait
	fail "$*"
}

# hp_ctl VERB BDF STATE T0: `ptvm ctl` VERB BDF, which answers once the guest
# did its part; its one line must be {"bdf":BDF,"state":STATE}. Sets t_ctl.
hp_ctl() {
	"$PTVM" ctl "$HP_SOCK" "$1" "$2" >/tmp/pt_hotplug.ctl 2>/tmp/pt_hotplug.ctl.err
	crc=$?
	echo "  ctl $1 $2: rc=$crc $(cat /tmp/pt_hotplug.ctl /tmp/pt_hotplug.ctl.err)"
	[ "$crc" = 0 ] || bail "ctl $1 $2: rc $crc: $(cat /tmp/pt_hotplug.ctl.err)"
	[ "$(cat /tmp/pt_hotplug.ctl)" = "{\"bdf\":\"$2\",\"state\":\"$3\"}" ] ||
		bail "ctl $1 $2: reply '$(cat /tmp/pt_hotplug.ctl)'"
	t_ctl=$(awk "BEGIN{print $(uptime_s) - $4}")
}

l1() {
	nic_l1_peer
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	host_rebind "$PT_NIC_BDF" e1000e || fail "e1000e does not take $PT_NIC_BDF in L1"
	host_rebind "$nvme" nvme || fail "nvme does not take $nvme in L1"
	pat=$$-$(cut -c1-8 /proc/sys/kernel/random/uuid)
	L2_CMDLINE="$L2_CMDLINE ptvm.arg=$pat"
	L2_TIMEOUT=200
	l2_start --verbose --api-socket "$HP_SOCK" --passthrough "$PT_NIC_BDF" --passthrough "$nvme"
	wait_out PTVM-HP-NIC-UP 90 || bail "L2 did not bring eth0 up"
	expect_out PTVM-NIC-PING-OK "first ping from L2 to the L1 peer $PT_NIC_PEER_IP"
	[ "$(pci_driver "$PT_NIC_BDF")" = vfio-pci ] || bail "$PT_NIC_BDF not on vfio-pci while L2 runs"

	hp_ctl device-del "$PT_NIC_BDF" removed "$(uptime_s)"
	t_del=$t_ctl
	wait_out 'PTVM-HP-NIC-GONE\|PTVM-HP-NIC-STILL' 10
	expect_out PTVM-HP-NIC-GONE "eth0 gone from L2 after device-del"
	[ "$(pci_driver "$PT_NIC_BDF")" = e1000e ] ||
		bail "after device-del $PT_NIC_BDF is on '$(pci_driver "$PT_NIC_BDF")', not back on e1000e"

	hp_ctl device-add "$PT_NIC_BDF" added "$(uptime_s)"
	t_add=$t_ctl
	[ "$(pci_driver "$PT_NIC_BDF")" = vfio-pci ] || bail "after device-add $PT_NIC_BDF is not on vfio-pci"
	wait_out PTVM-HP-NIC-DONE 60 || bail "L2 did not finish the NIC part"
	expect_out PTVM-HP-NIC-BACK "eth0 back in L2 after device-add"
	n=$(grep -c PTVM-NIC-PING-OK "$out")
	[ "$n" = 2 ] || bail "L2 pinged $n times of 2 (before the unplug, after the plug)"

	wait_out 'PTVM-HP-NVME-WRITTEN' 60 || bail "L2 did not write the NVMe pattern"
	hp_ctl device-del "$nvme" removed "$(uptime_s)"
	t_nvme=$t_ctl
	[ "$(pci_driver "$nvme")" = nvme ] ||
		bail "after device-del $nvme is on '$(pci_driver "$nvme")', not back on nvme"
	l2_wait
	expect_rc 0
	# The sandbox held: the VM process was not killed for a syscall.
	grep -q "forbidden syscall" "$err" && fail "$(grep "forbidden syscall" "$err")"
	grep -q "ptvm: sandbox: VM process [0-9]* runs as" "$err" || fail "no sandbox line: not sandboxed?"
	expect_out "PTVM-NVME-READBACK PTVM-NVME-PATTERN-$pat" "pattern read back in L2"
	expect_out PTVM-HP-NVME-GONE "nvme0n1 gone from L2 after device-del"
	nvme_wait || fail "no /dev/nvme0n1 in L1 after device-del"
	got=$(dd if=/dev/nvme0n1 bs=4096 skip=$PT_NVME_BLOCK count=1 2>/dev/null | head -n 1)
	[ "$got" = "PTVM-NVME-PATTERN-$pat" ] || fail "L1 reads '$got' from the NVMe, want the pattern"
	pass "del nic ${t_del}s, add nic ${t_add}s, del nvme ${t_nvme}s"
}
