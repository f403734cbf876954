# pci: L2 sees exactly ptvm's host bridge (0000:00:00.0, class 0x060000)
# and the one empty PCIe root port of the default --hotplug-slots 1
# (0000:00:01.0, class 0x060400), driven by pcieport with the pciehp
# service (its slot 1 registered: the DSDT's _OSC granted native
# hot-plug), and its kernel logged no error about PCI or ACPI. Errors found
# are printed so a failure shows them.

l2() {
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d" ] || continue
		echo "PTVM-PCI ${d##*/} $(cat "$d/class") $(cat "$d/vendor"):$(cat "$d/device")"
	done
	echo "PTVM-PCI-PORT-DRIVER $(basename "$(readlink /sys/bus/pci/devices/0000:00:01.0/driver)")"
	echo "PTVM-PCI-SLOTS $(ls /sys/bus/pci/slots 2>/dev/null | tr '\n' ' ')"
	echo "PTVM-PCI-SLOT1 $(cat /sys/bus/pci/slots/1/address 2>/dev/null)"
	# busybox dmesg has no -l: -r keeps the <level> prefix, 0-3 is err..emerg.
	dmesg -r | grep '^<[0-3]>' | grep -i -e pci -e acpi | sed 's/^/PTVM-DMESG-ERR /'
	dmesg | grep -i -e '_OSC' -e pciehp | sed 's/^/PTVM-PCI-LOG /'
	echo PTVM-PCI-DONE
}

l1() {
	l2_run
	expect_out PTVM-PCI-DONE "PTVM-PCI-DONE (the L2 payload did not finish)"
	expect_rc 0
	devs=$(grep '^PTVM-PCI ' "$out" | cut -d' ' -f2,3 | tr '\n' ' ')
	[ "$devs" = "0000:00:00.0 0x060000 0000:00:01.0 0x060400 " ] ||
		fail "want only 0000:00:00.0 class 0x060000 and the root port 0000:00:01.0 class 0x060400, L2 has: ${devs:-nothing}"
	expect_out "PTVM-PCI-PORT-DRIVER pcieport" "pcieport on the root port"
	expect_out "PTVM-PCI-SLOT1 0000:01:00" "pciehp's slot 1 at 0000:01:00"
	n=$(grep -c '^PTVM-DMESG-ERR' "$out")
	[ "$n" = 0 ] ||
		fail "$n PCI/ACPI error lines in L2's dmesg, first: $(grep -m 1 '^PTVM-DMESG-ERR' "$out" | cut -d' ' -f2-)"
	pass
}
