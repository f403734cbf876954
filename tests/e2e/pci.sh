# pci: L2 sees exactly ptvm's host bridge (0000:00:00.0, class 0x060000) and
# its kernel logged no error about PCI or ACPI. Errors found are printed so a
# failure shows them.

l2() {
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d" ] || continue
		echo "PTVM-PCI ${d##*/} $(cat "$d/class") $(cat "$d/vendor"):$(cat "$d/device")"
	done
	# busybox dmesg has no -l: -r keeps the <level> prefix, 0-3 is err..emerg.
	dmesg -r | grep '^<[0-3]>' | grep -i -e pci -e acpi | sed 's/^/PTVM-DMESG-ERR /'
	echo PTVM-PCI-DONE
}

l1() {
	l2_run
	expect_out PTVM-PCI-DONE "PTVM-PCI-DONE (the L2 payload did not finish)"
	expect_rc 0
	devs=$(grep '^PTVM-PCI ' "$out" | cut -d' ' -f2,3 | tr '\n' ' ')
	[ "$devs" = "0000:00:00.0 0x060000 " ] ||
		fail "want only 0000:00:00.0 class 0x060000, L2 has: ${devs:-nothing}"
	n=$(grep -c '^PTVM-DMESG-ERR' "$out")
	[ "$n" = 0 ] ||
		fail "$n PCI/ACPI error lines in L2's dmesg, first: $(grep -m 1 '^PTVM-DMESG-ERR' "$out" | cut -d' ' -f2-)"
	pass
}
