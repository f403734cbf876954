# pt_both: the NVMe and the e1000e in one guest at once: the pattern
# round-trips through the NVMe and the NIC pings its peer, in one L2 boot.

. /cases/pt_nvme.sh
. /cases/pt_nic.sh

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_l2
	nic_l2
}

l1() {
	nvme_l1_prepare
	nic_l1_prepare
	l2_run --stats --passthrough "$nvme" --passthrough "$PT_NIC_BDF"
	expect_rc 0
	nic_l1_check
	nvme_l1_check
	pass "q0=$q0 q1=$q1"
}
