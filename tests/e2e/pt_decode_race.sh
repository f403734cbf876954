# pt_decode_race: the guest clears Memory Space Enable on one vCPU while its
# other vCPU reads the BAR in a tight loop. vfio-pci stops the device
# decoding (and zaps the BAR's mmap) when the bit reaches it; a memslot
# still in KVM at that moment makes the reading vCPU's KVM_RUN fail with
# EFAULT and ends the VM. ptvm takes the memslot out before the write goes
# to the device, so the reader only ever sees the device's value or
# all-ones, and the VM runs on. L2 has 2 vCPUs; the reader is pinned to
# CPU 1, the toggler to CPU 0 (busybox taskset).
# What it does not show: the rig's L1 has one CPU, so L2's two vCPU threads
# rarely interleave inside ptvm's handling of one config write, and the
# previous main (hardware write before the memslot left) also passed it
# (2026-12-01: 300 toggles, 17618 all-ones reads). The ordering itself is
# guarded by test_pt_bars (memslots deleted before the write reaches the
# device); this case checks that decode toggling under a concurrent reader
# keeps the VM alive and the BAR working.

. /cases/pt_nvme.sh

# How long the reader runs, and how many off/on cycles the toggler does.
PT_RACE_SECS=8
PT_RACE_TOGGLES=300

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	n=
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = 0x010802 ] && n=${d##*/}
	done
	[ -n "$n" ] || { echo PTVM-RACE-NODEV; return; }
	[ -e "/sys/bus/pci/drivers/nvme/$n" ] && echo "$n" >/sys/bus/pci/drivers/nvme/unbind
	echo "PTVM-RACE cpus $(grep -c ^processor /proc/cpuinfo)"
	echo "PTVM-RACE $(ptpoke mse-toggle "$n" 1 2>&1)"
	taskset 2 ptpoke bar-loop "$n" 0 0 "$PT_RACE_SECS" >/tmp/race.out 2>&1 &
	r=$!
	sleep 1
	echo "PTVM-RACE $(taskset 1 ptpoke mse-toggle "$n" "$PT_RACE_TOGGLES" 2>&1)"
	wait "$r"
	echo "PTVM-RACE $(cat /tmp/race.out)"
	# Decoding again: the controller's CAP register reads as before.
	echo "PTVM-RACE after $(ptpoke bar-read "$n" 0 0 2>&1)"
}

l1() {
	nvme_l1_prepare
	l2_run --cpus 2 --passthrough "$nvme"
	grep -q PTVM-RACE-NODEV "$out" && fail "L2 has no NVMe"
	expect_rc 0 "the guest powered off"
	grep -q "KVM_RUN failed\|Bad address" "$err" && fail "the VM died: $(grep -m1 KVM_RUN "$err")"
	expect_out "PTVM-RACE cpus 2" "2 vCPUs in L2"
	expect_out "PTVM-RACE mse-toggle .* count=$PT_RACE_TOGGLES" "the toggler's $PT_RACE_TOGGLES cycles"
	line=$(grep -m1 "PTVM-RACE bar-loop" "$out") || fail "no result from the reader"
	ones=$(echo "$line" | sed -n 's/.* ones=\([0-9]*\).*/\1/p')
	other=$(echo "$line" | sed -n 's/.* other=\([0-9]*\).*/\1/p')
	[ "${ones:-0}" -gt 0 ] || fail "the reader never saw decode off (all-ones): $line"
	[ "${other:-0}" -gt 0 ] || fail "the reader never saw the device: $line"
	grep "PTVM-RACE after bar-read" "$out" | grep -qv 0xffffffff ||
		fail "BAR0 does not decode after the race: $(grep 'PTVM-RACE after' "$out")"
	host_rebind "$nvme" nvme || fail "nvme did not bind $nvme in L1 after ptvm exited"
	pass "ones=$ones other=$other"
}
