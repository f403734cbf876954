# pt_hostile: a guest that abuses its passed-through NVMe does not end the
# VM. L2 gets the NVMe and the e1000e, unbinds its nvme driver and, with
# ptpoke (tests/e2e/l2/ptpoke.c) on sysfs, puts the NVMe in D3hot and reads
# and writes BAR0 (all-ones, no VM exit), back to D0; clears Memory Space
# and reads BAR0 (all-ones); sizes BAR0 with decode on; moves BAR0 onto its
# own RAM and back; moves it onto the e1000e's BAR0, turns the e1000e's
# decode off (the NVMe must then answer there) and moves it back; writes
# garbage over the MSI-X table with MSI-X on and random values over config
# space 0..4095. It then restores BARs and COMMAND, rebinds nvme and
# round-trips a pattern with dd in the same guest. ptvm must run until the
# guest powers off (exit 0), with rate-limited warnings and no fatal line;
# a fresh VM then gets the same device and round-trips a pattern too.

. /cases/pt_nvme.sh

# The e1000e whose BAR the NVMe's BAR0 is moved onto (pt_nic's NIC).
PT_HOSTILE_NIC=0000:00:02.0
# Garbage seeds and count: fixed, so a failure replays (ptpoke garbage-*).
PT_HOSTILE_MSIX_SEED=7
PT_HOSTILE_CFG_SEED=11
PT_HOSTILE_CFG_COUNT=1000
# Guest RAM the NVMe's BAR0 is moved onto: 16 MiB, where L2's kernel runs.
PT_HOSTILE_RAM=0x1000000
# ptvm lines that mean the VM died rather than a guest fault being absorbed.
PT_HOSTILE_FATAL='KVM_RUN failed\|KVM internal error\|KVM entry failed\|unexpected KVM exit\|triple fault'
# The most stderr lines a hostile guest may cause: ptvm rate-limits them.
PT_HOSTILE_MAX_ERR=60

# --- L2 ---

# poke LABEL PTPOKE-ARGS...: run ptpoke, print its one line (or its error)
# as "PTVM-HOSTILE LABEL LINE"; $v is the line's last field.
poke() {
	label=$1
	shift
	line=$(ptpoke "$@" 2>&1)
	echo "PTVM-HOSTILE $label $line"
	v=${line##* }
}

# The first PCI function of class $1 in L2.
l2_class() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# Move BAR0 of $n to $1 (below 4 GiB): upper half first, then lower.
bar0_move_low() {
	poke "$2-hi" cfg-write "$n" 0x14 4 0
	poke "$2" cfg-write "$n" 0x10 4 "$1"
}

# Put BAR0 back: lower half first, then upper.
bar0_back() {
	poke "$1" cfg-write "$n" 0x10 4 "$bar0"
	poke "$1-hi" cfg-write "$n" 0x14 4 "$bar0hi"
}

hostile_l2() {
	n=$(l2_class 0x010802)
	e=$(l2_class 0x020000)
	echo "PTVM-HOSTILE devices nvme=$n nic=$e"
	nvme_wait || { echo "PTVM-HOSTILE no-nvme0n1"; return; }
	echo "$n" >/sys/bus/pci/drivers/nvme/unbind
	if [ -e "/sys/bus/pci/devices/$n/driver" ]; then
		echo "PTVM-HOSTILE unbind still-bound"
	else
		echo "PTVM-HOSTILE unbind done"
	fi

	# What a restore puts back: COMMAND last, with decode off meanwhile.
	poke orig-cmd cfg-read "$n" 0x04 2
	cmd=$v
	poke orig-bar0 cfg-read "$n" 0x10 4
	bar0=$v
	poke orig-bar0hi cfg-read "$n" 0x14 4
	bar0hi=$v
	poke pm cap "$n" 0x01
	pm=$v
	poke exp cap "$n" 0x10
	exp=$v
	poke msix-cap cap "$n" 0x11
	msix=$v
	saved=
	for r in 0x10:4 0x14:4 0x18:4 0x1c:4 0x20:4 0x24:4 0x30:4 0x3c:1 \
		$((msix + 2)):2 $((exp + 8)):2 $((exp + 0x10)):2 $((exp + 0x28)):2; do
		poke "save-${r%:*}" cfg-read "$n" "${r%:*}" "${r#*:}"
		saved="$saved $r:$v"
	done

	poke mse-on cfg-write "$n" 0x04 2 $((cmd | 2))
	poke d0-read bar-read "$n" 0 0x0

	# D3hot: vfio-pci stops the BAR mmaps; the guest's accesses must not kill the VM.
	poke d3-enter cfg-write "$n" $((pm + 4)) 2 0x0003
	poke d3-pmcsr cfg-read "$n" $((pm + 4)) 2
	poke d3-read bar-read "$n" 0 0x0
	poke d3-write bar-write "$n" 0 0x14 0
	poke d3-read-cc bar-read "$n" 0 0x14
	poke d3-read-db bar-read "$n" 0 0x1000
	poke d0-enter cfg-write "$n" $((pm + 4)) 2 0x0000
	poke d0-pmcsr cfg-read "$n" $((pm + 4)) 2
	poke d0-read-again bar-read "$n" 0 0x0

	# Memory Space off: BAR0 does not decode.
	poke mse-off cfg-write "$n" 0x04 2 $((cmd & ~2))
	poke mse-off-read bar-read "$n" 0 0x0
	poke mse-off-write bar-write "$n" 0 0x14 0
	poke mse-on-again cfg-write "$n" 0x04 2 $((cmd | 2))
	poke mse-on-read bar-read "$n" 0 0x0

	# BAR garbage, decode on: sizing, onto guest RAM, onto the NIC's BAR.
	poke bar-size cfg-write "$n" 0x10 4 0xffffffff
	poke bar-size-read cfg-read "$n" 0x10 4
	bar0_back bar-size-back
	bar0_move_low "$PT_HOSTILE_RAM" bar-ram
	poke bar-ram-read cfg-read "$n" 0x10 4
	poke bar-ram-old bar-read "$n" 0 0x0
	bar0_back bar-ram-back
	poke bar-ram-back-read bar-read "$n" 0 0x0

	read -r nicbar _ <"/sys/bus/pci/devices/$e/resource"
	echo "PTVM-HOSTILE nic-bar0 $nicbar"
	poke nic-mse cfg-write "$e" 0x04 2 0x0002
	poke nic-read bar-read "$e" 0 0x8
	bar0_move_low $((nicbar)) bar-nic
	poke bar-nic-overlap bar-read "$e" 0 0x8
	poke nic-mse-off cfg-write "$e" 0x04 2 0x0000
	# The NIC no longer decodes there: the NVMe's BAR0 must.
	poke bar-nic-alone bar-read "$e" 0 0x0
	bar0_back bar-nic-back
	poke bar-nic-back-read bar-read "$n" 0 0x0
	poke nic-mse-again cfg-write "$e" 0x04 2 0x0002
	poke nic-read-again bar-read "$e" 0 0x8

	# MSI-X on (function mask off) with a garbage table and PBA.
	poke msix msix "$n"
	poke msix-ctrl cfg-read "$n" $((msix + 2)) 2
	poke msix-enable cfg-write "$n" $((msix + 2)) 2 $(((v | 0x8000) & ~0x4000))
	poke msix-garbage garbage-msix "$n" "$PT_HOSTILE_MSIX_SEED"
	poke msix-read bar-read "$n" 0 0x0

	poke cfg-garbage garbage-config "$n" "$PT_HOSTILE_CFG_SEED" "$PT_HOSTILE_CFG_COUNT"

	# Restore: decode off, D0 (PME status cleared), the saved registers
	# (no FLR bit), then COMMAND.
	poke restore-cmd0 cfg-write "$n" 0x04 2 0
	poke restore-pm cfg-write "$n" $((pm + 4)) 2 0x8000
	for r in $saved; do
		o=${r%%:*} s=${r#*:}
		s=${s%%:*} val=${r##*:}
		[ "$o" = $((exp + 8)) ] && val=$((val & 0x7fff))
		poke "restore-$o" cfg-write "$n" "$o" "$s" "$val"
	done
	poke restore-cmd cfg-write "$n" 0x04 2 "$cmd"
	poke restored-read bar-read "$n" 0 0x0
	echo "$n" >/sys/bus/pci/drivers_probe
	echo "PTVM-HOSTILE rebind $(basename "$(readlink "/sys/bus/pci/devices/$n/driver")")"
	nvme_l2
	echo PTVM-HOSTILE-DONE
}

l2() {
	# nvme only: the e1000e stays without a driver in L2.
	grep -v e1000 /etc/modules | while read -r m; do insmod "/lib/modules/$m"; done
	if grep -q ptvm.hostile /proc/cmdline; then
		# A subshell: a shell error in the payload must not end /init.
		(hostile_l2)
	else
		nvme_l2
	fi
}

# --- L1 ---

# hline LABEL: what L2 printed for step LABEL.
hline() {
	sed -n "s/^PTVM-HOSTILE $1 //p" "$out" | head -n 1
}

# hexpect LABEL WANT: step LABEL printed exactly WANT.
hexpect() {
	got=$(hline "$1")
	[ "$got" = "$2" ] || fail "step $1: L2 printed '${got:-nothing}', want '$2'"
}

# hval LABEL: $hv is the hex value step LABEL printed (its last field).
hval() {
	got=$(hline "$1")
	hv=${got##* }
	case $hv in
	0x*[!0-9a-f]* | 0x | [!0]* | "") fail "step $1: L2 printed '${got:-nothing}', want a value" ;;
	esac
}

hostile_check() {
	last=$(grep '^PTVM-HOSTILE' "$out" | tail -n 1)
	fatal=$(grep -m 1 -e "$PT_HOSTILE_FATAL" "$err")
	[ "$rc" = 0 ] || fail "hostile VM: $(how_ended), want 0 (guest poweroff); last step '${last:-none}'; ${fatal:-$(tail -n 1 "$err")}"
	[ -z "$fatal" ] || fail "hostile VM: fatal line on stderr: $fatal"
	g=$(sed -n 's/^PTVM-HOSTILE devices nvme=\([^ ]*\) .*/\1/p' "$out")
	ge=$(sed -n 's/^PTVM-HOSTILE devices nvme=[^ ]* nic=\(.*\)$/\1/p' "$out")
	[ -n "$g" ] && [ -n "$ge" ] || fail "L2 did not find the NVMe and the NIC: $(grep -m 1 'PTVM-HOSTILE devices' "$out")"
	hexpect unbind done
	hval d0-read
	cap0=$hv
	ones=0xffffffff
	[ "$cap0" != $ones ] || fail "step d0-read: BAR0 reads all-ones in D0"
	hval d3-pmcsr
	[ $((hv & 3)) = 3 ] || fail "step d3-pmcsr: PMCSR reads '$(hline d3-pmcsr)', not D3hot"
	hexpect d3-read "bar-read $g 0 0x0000 $ones"
	hexpect d3-write "bar-write $g 0 0x0014 0x00000000 ok"
	hexpect d3-read-cc "bar-read $g 0 0x0014 $ones"
	hexpect d3-read-db "bar-read $g 0 0x1000 $ones"
	hval d0-pmcsr
	[ $((hv & 3)) = 0 ] || fail "step d0-pmcsr: PMCSR reads '$(hline d0-pmcsr)', not D0"
	hexpect d0-read-again "bar-read $g 0 0x0000 $cap0"
	hexpect mse-off-read "bar-read $g 0 0x0000 $ones"
	hexpect mse-on-read "bar-read $g 0 0x0000 $cap0"
	# 64-bit memory BAR (type 0x4) of L1's size: its sizing mask.
	read -r bstart bend _ <"/sys/bus/pci/devices/$nvme/resource"
	hexpect bar-size-read "cfg-read $g 0x010 4 $(printf '0x%08x' $((~(bend - bstart) & 0xfffffff0 | 4)))"
	hexpect bar-ram-read "cfg-read $g 0x010 4 $(printf '0x%08x' $((PT_HOSTILE_RAM | 4)))"
	hexpect bar-ram-old "bar-read $g 0 0x0000 $ones"
	hexpect bar-ram-back-read "bar-read $g 0 0x0000 $cap0"
	hval nic-read
	nicst=$hv
	[ "$nicst" != "$ones" ] || fail "step nic-read: the NIC's BAR0 reads all-ones with decode on"
	hexpect bar-nic-alone "bar-read $ge 0 0x0000 $cap0"
	hexpect bar-nic-back-read "bar-read $g 0 0x0000 $cap0"
	hexpect nic-read-again "bar-read $ge 0 0x0008 $nicst"
	hline msix-garbage | grep -q "^garbage-msix $g seed=$PT_HOSTILE_MSIX_SEED " ||
		fail "step msix-garbage: L2 printed '$(hline msix-garbage)'"
	hline cfg-garbage | grep -q "^garbage-config $g seed=$PT_HOSTILE_CFG_SEED count=$PT_HOSTILE_CFG_COUNT " ||
		fail "step cfg-garbage: L2 printed '$(hline cfg-garbage)'"
	hexpect restored-read "bar-read $g 0 0x0000 $cap0"
	hexpect rebind nvme
	expect_out "PTVM-NVME-READBACK PTVM-NVME-PATTERN-$pat" "pattern read back in L2 after the rebind"
	expect_out PTVM-HOSTILE-DONE "end of the hostile payload"
	nerr=$(wc -l <"$err")
	[ "$nerr" -le "$PT_HOSTILE_MAX_ERR" ] ||
		fail "hostile VM: $nerr stderr lines, want at most $PT_HOSTILE_MAX_ERR (rate limits)"
	[ "$nerr" -gt 0 ] || fail "hostile VM: no warning on stderr for any of the guest's faults"
}

l1() {
	base=$L2_CMDLINE
	nvme_l1_prepare
	vfio_bind "$PT_HOSTILE_NIC" >/dev/null || fail "vfio-pci did not bind $PT_HOSTILE_NIC"
	L2_CMDLINE="$L2_CMDLINE ptvm.hostile=1 nvme_core.admin_timeout=10"
	l2_run --passthrough "$nvme" --passthrough "$PT_HOSTILE_NIC"
	hout=$out herr=$err hrc=$rc hpat=$pat
	# A fresh VM gets the device and a new pattern round-trips (L2, then L1),
	# whatever became of the hostile one.
	pat=$hpat-2
	L2_CMDLINE="$base ptvm.arg=$pat"
	l2_run --stats --passthrough "$nvme"
	fout=$out ferr=$err frc=$rc

	out=$hout err=$herr rc=$hrc pat=$hpat
	hostile_check
	out=$fout err=$ferr rc=$frc pat=$hpat-2
	expect_rc 0 "fresh VM after the hostile one"
	nvme_l1_check
	pass "warnings=$nerr q0=$q0 q1=$q1"
}
