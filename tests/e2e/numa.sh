# numa: ptvm's NUMA placement in L1 (one node; its devices say numa_node -1
# unless QEMU is told otherwise). With the NVMe passed through, --verbose
# prints the choice the device's numa_node makes; --numa-node 0 binds RAM
# and vCPUs to node 0 and L2 boots; --numa-node 1 is refused in one line
# that names the node and the online ones.

l1() {
	need_ptvm
	online=$(cat /sys/devices/system/node/online 2>/dev/null) ||
		fail "L1 shows no NUMA nodes (/sys/devices/system/node/online)"
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	node=$(cat "/sys/bus/pci/devices/$nvme/numa_node")
	if [ "$node" = -1 ]; then
		want="numa: no NUMA placement: no device reports a node"
	else
		want="numa: RAM and vCPUs on node $node (the node of $nvme)"
	fi
	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"
	l2_run --verbose --passthrough "$nvme"
	host_rebind "$nvme" nvme || fail "nvme did not bind $nvme in L1 after ptvm exited"
	expect_out PTVM-L2-INIT-OK "PTVM-L2-INIT-OK marker with $nvme passed through"
	expect_rc 0
	grep -qF -e "$want" "$err" || fail "$nvme has numa_node $node: want '$want' with --verbose"

	l2_run --verbose --numa-node 0
	expect_out PTVM-L2-INIT-OK "PTVM-L2-INIT-OK marker with --numa-node 0"
	expect_rc 0
	grep -qF "numa: RAM and vCPUs on node 0 (--numa-node 0)" "$err" ||
		fail "no 'numa: RAM and vCPUs on node 0 (--numa-node 0)' with --verbose"

	l2_run --numa-node 1
	[ "$rc" = 1 ] || fail "--numa-node 1 on a host with nodes $online: ptvm exited $rc, want 1"
	[ "$(wc -l <"$err")" = 1 ] || fail "--numa-node 1 wrote $(wc -l <"$err") lines, want 1"
	want="--numa-node 1: node 1 does not exist (online nodes: $online)"
	grep -qF -e "$want" "$err" || fail "want '$want', got '$(cat "$err")'"
	pass "(numa_node of $nvme: $node)"
}
