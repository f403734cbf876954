# pt_nic: the e1000e L1's QEMU gives the rig (00:02.0, MAC 52:54:00:12:34:56,
# on QEMU hub 0) is passed to L2, whose e1000e driver sees that MAC, brings
# the link up and pings a peer: L1's own e1000 on the same hub. The
# addresses live only on QEMU's emulated hub inside the rig.

PT_NIC_BDF=0000:00:02.0
PT_NIC_MAC=52:54:00:12:34:56
PT_NIC_PEER_IP=10.99.0.1
PT_NIC_GUEST_IP=10.99.0.2

# L2 side, also used by pt_both.
nic_l2() {
	i=0
	while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	echo "PTVM-NIC-MAC $(cat /sys/class/net/eth0/address 2>/dev/null)"
	ip link set eth0 up
	ip addr add "$PT_NIC_GUEST_IP/24" dev eth0
	i=0
	while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "PTVM-NIC-CARRIER $(cat /sys/class/net/eth0/carrier 2>/dev/null)"
	ping -c 3 -W 2 "$PT_NIC_PEER_IP" >/dev/null 2>&1 && echo PTVM-NIC-PING-OK
	grep eth0 /proc/interrupts | sed 's/^/PTVM-NIC-IRQ /'
}

# L1 side: the peer e1000 up with its address (also used by pt_managed).
nic_l1_peer() {
	peer=
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x100e ] || continue
		host_rebind "${d##*/}" e1000 || continue
		peer=$(ls "$d/net" 2>/dev/null | head -n 1)
		[ -n "$peer" ] && break
	done
	[ -n "$peer" ] || fail "no e1000 peer NIC with a netdev in L1"
	ip link set "$peer" up
	ip addr add "$PT_NIC_PEER_IP/24" dev "$peer" 2>/dev/null
}

# ...and the guest's NIC on vfio-pci.
nic_l1_prepare() {
	nic_l1_peer
	vfio_bind "$PT_NIC_BDF" >/dev/null || fail "vfio-pci did not bind $PT_NIC_BDF"
}

nic_l1_check() {
	expect_out "PTVM-NIC-MAC $PT_NIC_MAC" "MAC $PT_NIC_MAC on L2's eth0"
	expect_out "PTVM-NIC-CARRIER 1" "link up on L2's eth0"
	expect_out PTVM-NIC-PING-OK "ping from L2 to the L1 peer $PT_NIC_PEER_IP"
}

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nic_l2
}

l1() {
	nic_l1_prepare
	l2_run --stats --passthrough "$PT_NIC_BDF"
	expect_rc 0
	nic_l1_check
	pass "peer $peer"
}
