# vs_nic: the e1000e's data path. L2 owns the rig's e1000e (00:02.0, QEMU
# hub 0) through each VMM; its peer is L1's e1000 on the same hub
# (tests/e2e/pt_nic.sh), running an iperf3 server. L2's iperf3 client runs
# ptvm.bench_secs seconds (default 2) each: TCP and UDP, L2 sending (tx)
# and receiving (-R, rx); the figure is the receiver's Mbit/s. UDP is sent
# unpaced (-b 0): what gets through.

. /cases/vs_lib.sh
. /cases/pt_nic.sh

# nic_iperf NAME IPERF3-OPTION...: NAME=Mbit/s of one iperf3 run, as received.
nic_iperf() {
	local n=$1 secs
	shift
	secs=$(vs_arg arg 2)
	echo "$n=$(timeout $((secs + 15)) iperf3 -c "$PT_NIC_PEER_IP" -t "$secs" -f m "$@" 2>&1 |
		awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) }
			END { print v == "" ? -1 : v }')"
}

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nic_l2
	echo PTVM-BENCH-IO-START
	echo "PTVM-BENCH-NIC $(nic_iperf tcp_tx_mbps) $(nic_iperf tcp_rx_mbps -R)" \
		"$(nic_iperf udp_tx_mbps -u -b 0) $(nic_iperf udp_rx_mbps -u -b 0 -R)"
}

l1() {
	need_ptvm
	vs_prepare
	secs=$(vs_arg bench_secs 2)
	nic_l1_prepare
	iperf3 -s -D -B "$PT_NIC_PEER_IP" || fail "iperf3 server did not start in L1"
	vs_rounds nic "vs_nic:$secs" "$PT_NIC_BDF" PTVM-BENCH-NIC
	pass
}
