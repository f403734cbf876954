# pt_bigbar: a 128 GiB 64-bit BAR passed through. The rig's ivshmem-plain
# (run-l1: BAR2 backed by a sparse 128 GiB file) goes to L2, whose kernel
# must be able to place BAR2 in ptvm's 64-bit PCI window; L2 writes a fresh
# pattern at offsets across the BAR, up to its last dword, and reads it
# back; after ptvm exits, L1 reads the same values from the device itself.

PT_BIGBAR_ID=0x1af4:0x1110
PT_BIGBAR_SIZE=$((128 << 30))
# Offsets written: the start, the second page, both sides of 64 GiB, the end.
PT_BIGBAR_OFFS="0x0 0x1000 0xffffffffc 0x1000000000 0x1ffffffffc"

# The function with vendor:device $1.
bigbar_find() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# The value written at the i-th offset: the run's pattern with i in it.
bigbar_val() {
	printf '0x%08x' $(($1 ^ $2 << 24))
}

l2() {
	d=$(bigbar_find $PT_BIGBAR_ID) || { echo "PTVM-BIGBAR no-device"; return; }
	pat=$(sed -n 's/.*ptvm.arg=\([^ ]*\).*/\1/p' /proc/cmdline)
	echo "PTVM-BIGBAR device $d"
	echo "PTVM-BIGBAR bar2 $(sed -n 3p "/sys/bus/pci/devices/$d/resource")"
	dmesg | grep -i "$d.*\(BAR 2\|BAR2\|no space\|failed\)" | sed 's/^/PTVM-BIGBAR dmesg /'
	line=$(sed -n 3p "/sys/bus/pci/devices/$d/resource")
	start=${line%% *}
	# Unplaced (start 0): resource2 would map guest RAM at 0; do not poke.
	[ $((start)) != 0 ] || { echo "PTVM-BIGBAR unplaced"; return; }
	echo "PTVM-BIGBAR $(ptpoke cfg-write "$d" 0x04 2 0x0002 2>&1)"
	i=0
	for o in $PT_BIGBAR_OFFS; do
		ptpoke bar-write "$d" 2 "$o" "$(bigbar_val "$pat" $i)" >/dev/null 2>&1
		i=$((i + 1))
	done
	for o in $PT_BIGBAR_OFFS; do
		echo "PTVM-BIGBAR $(ptpoke bar-read "$d" 2 "$o" 2>&1)"
	done
}

l1() {
	dev=$(bigbar_find $PT_BIGBAR_ID) || fail "no ivshmem ($PT_BIGBAR_ID) in L1: run-l1 lacks the big BAR"
	# resource: one line a BAR, "start end flags"; BAR2 is the third.
	line=$(sed -n 3p "/sys/bus/pci/devices/$dev/resource")
	start=${line%% *}
	end=${line#* }
	end=${end%% *}
	[ $((start)) != 0 ] && [ $((end - start + 1)) -ge $PT_BIGBAR_SIZE ] ||
		fail "L1 has no BAR2 of 128 GiB placed on $dev: $(sed -n 3p "/sys/bus/pci/devices/$dev/resource")"
	vfio_bind "$dev" >/dev/null || fail "vfio-pci did not bind $dev"
	pat=0x$(cut -c1-8 /proc/sys/kernel/random/uuid)
	L2_CMDLINE="$L2_CMDLINE ptvm.arg=$pat"
	l2_run --passthrough "$dev"
	expect_rc 0
	g=$(sed -n 's/^PTVM-BIGBAR device //p' "$out")
	[ -n "$g" ] || fail "L2 did not find the ivshmem ($PT_BIGBAR_ID)"
	grep -q "^PTVM-BIGBAR unplaced" "$out" &&
		fail "L2 could not place BAR2 of $g: $(sed -n 's/^PTVM-BIGBAR dmesg .*\] //p' "$out" | grep assign | tr '\n' '|')"
	i=0
	for o in $PT_BIGBAR_OFFS; do
		want="bar-read $g 2 $(printf '0x%04x' $((o))) $(bigbar_val "$pat" $i)"
		grep -qxF "PTVM-BIGBAR $want" "$out" ||
			fail "L2 read '$(grep -m 1 "^PTVM-BIGBAR bar-read $g 2 $(printf '0x%04x' $((o))) " "$out")', want '$want'"
		# The writes reached the device: L1 reads them from its own BAR2.
		l1got=$(ptpoke bar-read "$dev" 2 "$o" 2>&1)
		[ "$l1got" = "bar-read $dev 2 $(printf '0x%04x' $((o))) $(bigbar_val "$pat" $i)" ] ||
			fail "L1 reads '$l1got' from $dev BAR2, want $(bigbar_val "$pat" $i)"
		i=$((i + 1))
	done
	pass "BAR2 $(sed -n 's/^PTVM-BIGBAR bar2 //p' "$out")"
}
