# pt_unbind: the host takes a passed-through device back. While L2 reads
# from the NVMe in a loop, L1 unbinds it from vfio-pci; vfio-pci asks ptvm
# for it (the VFIO device request), and ptvm must let go: the unbind
# completes within PT_UNBIND_SECS, ptvm exits 1 with one stderr line naming
# the device and saying the host asked for it back, and the device can be
# bound to vfio-pci again. When the unbind hangs, ptvm is stopped so that it
# completes and the rest of the rig still has the NVMe on vfio-pci.

. /cases/pt_nvme.sh

PT_UNBIND_SECS=20
# The line ptvm must print, case-insensitive, after "ptvm: " and the device.
PT_UNBIND_LINE='host.*back'

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_wait || { echo PTVM-NVME-NODEV; return; }
	echo PTVM-UNBIND-READY
	# Reads, past the page cache, until ptvm is made to stop (bounded).
	i=0
	while [ $i -lt 2000 ]; do
		dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=16 iflag=direct 2>/dev/null ||
			{ echo "PTVM-UNBIND-IO-ERROR after $i"; break; }
		i=$((i + 1))
	done
	echo "PTVM-UNBIND-IO-END $i"
}

# unbind_wait SECS: wait for the background unbind; 0 when it finished.
unbind_wait() {
	local i=0
	while [ "$i" -lt $(($1 * 5)) ]; do
		[ -d "/proc/$upid" ] || return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

l1() {
	nvme_l1_prepare
	group=$(basename "$(readlink "/sys/bus/pci/devices/$nvme/iommu_group")")
	l2_start --passthrough "$nvme"
	if ! wait_out PTVM-UNBIND-READY "$L2_TIMEOUT"; then
		kill -9 $(pidof ptvm) 2>/dev/null
		l2_wait
		fail "L2 never started its I/O on the NVMe (no PTVM-UNBIND-READY)"
	fi
	t0=$(uptime_s)
	(echo "$nvme" >/sys/bus/pci/drivers/vfio-pci/unbind) 2>/tmp/pt_unbind.err &
	upid=$!
	hung=
	unbind_wait "$PT_UNBIND_SECS" || hung=1
	t1=$(uptime_s)
	if [ -n "$hung" ]; then
		# Clean up: vfio-pci hands the device over once ptvm closes it.
		echo "  unbind still blocked after ${PT_UNBIND_SECS}s: $(dmesg | grep -e "$nvme" | tail -n 1)"
		kill $(pidof ptvm) 2>/dev/null
		unbind_wait 15 || { kill -9 $(pidof ptvm) 2>/dev/null; unbind_wait 15; }
	fi
	[ -d "/proc/$upid" ] &&
		fail "unbind of $nvme from vfio-pci never completed, even after ptvm was stopped"
	wait "$upid"
	urc=$?
	l2_wait
	secs=$(awk "BEGIN{print $t1 - $t0}")
	# Give the NVMe back to vfio-pci for the cases after this one.
	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme again after the unbind"
	[ -c "/dev/vfio/$group" ] || fail "no /dev/vfio/$group after binding $nvme again"
	[ -z "$hung" ] || fail "unbind of $nvme from vfio-pci still blocked after ${PT_UNBIND_SECS}s ($(how_ended) when stopped: ptvm did not let go of the device)"
	[ "$urc" = 0 ] || fail "unbind of $nvme failed: $(cat /tmp/pt_unbind.err)"
	[ "$rc" = 1 ] || fail "ptvm exited $rc after the host took $nvme back, want 1: $(tail -n 1 "$err")"
	n=$(grep -ci "^ptvm: .*$nvme.*$PT_UNBIND_LINE" "$err")
	[ "$n" = 1 ] || fail "want one stderr line naming $nvme and that the host asked for it back, got $n: $(tr '\n' '|' <"$err")"
	# It is why ptvm exited: its last line (main.c prints the reason last).
	tail -n 1 "$err" | grep -qi "^ptvm: .*$nvme.*$PT_UNBIND_LINE" ||
		fail "the host's request is not ptvm's last line (its exit reason): $(tail -n 1 "$err")"
	pass "unbind took ${secs}s: $(grep -i "^ptvm: .*$nvme.*$PT_UNBIND_LINE" "$err")"
}
