# pt_refuse: ptvm refuses what it cannot pass through with one clear line
# and a non-zero exit, before the guest starts, leaving every device bound as
# it was and nothing open: a BDF that does not exist; the host bridge, the
# LPC bridge and a PCI bridge (managed mode will not move them); with
# --unmanaged, a device still on its host driver and a non-viable IOMMU group
# (the multifunction e1000e: function 0 on vfio-pci, function 1 on e1000e).
# The last one also runs with --no-guard, so that VFIO's own check is what
# refuses, not ptguard's. pt_managed has the refusals of a group in managed
# mode.

# refuse WHAT PATTERN ptvm-options...: ptvm must exit 1 with one stderr line
# matching PATTERN, print nothing from a guest, and leave no ptvm behind.
refuse() {
	what=$1 pattern=$2
	shift 2
	l2_run "$@"
	[ "$rc" = 1 ] || fail "$what: ptvm exited $rc, want 1"
	# What --no-guard leaves unprotected is said first: those lines are not the refusal.
	grep -v "^ptvm: --no-guard: " "$err" >"$err.why"
	[ "$(wc -l <"$err.why")" = 1 ] || fail "$what: want one stderr line, got: $(tr '\n' '|' <"$err")"
	grep -q -e "$pattern" "$err.why" || fail "$what: stderr '$(cat "$err.why")' does not match '$pattern'"
	grep -q PTVM-L2-INIT-OK "$out" && fail "$what: the guest ran"
	pidof ptvm >/dev/null && fail "$what: a ptvm process is left"
	echo "  refused ($what): $(cat "$err.why")"
}

driver_of() {
	basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null
}

l1() {
	refuse "no such device" "^ptvm: 0000:00:1f.6: no such PCI device (see lspci -D)$" \
		--passthrough 0000:00:1f.6
	refuse "not a PCI address" "^ptvm: --passthrough 'nvme0' is not a PCI address" \
		--passthrough nvme0

	# The host's own plumbing, each left on the driver it has (no bind-vfio hint).
	for c in 0x060000:"the host bridge (class 0x0600) and cannot be passed through" \
		0x060100:"an ISA/LPC bridge (class 0x0601) and cannot be passed through" \
		0x060400:"a PCI bridge (class 0x0604) and cannot be passed through; pass the devices behind it instead"; do
		br=$(pci_find_class "${c%%:*}") || fail "no device of class ${c%%:*} in L1"
		was=$(driver_of "$br")
		refuse "class ${c%%:*}" "^ptvm: $br is ${c#*:}$" --passthrough "$br"
		[ "$(driver_of "$br")" = "$was" ] || fail "$br left ${was:-no driver} after the refusal"
	done

	# A device on its host driver: the e1000 peer NIC.
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x100e ] || continue
		host_rebind "${d##*/}" e1000 && { e1000=${d##*/}; break; }
	done
	[ -n "${e1000:-}" ] || fail "no e1000 on its host driver in L1"
	refuse "host driver" "^ptvm: $e1000 is bound to e1000, not vfio-pci (run scripts/bind-vfio $e1000)$" \
		--unmanaged --passthrough "$e1000"
	[ "$(driver_of "$e1000")" = e1000 ] || fail "$e1000 is no longer on e1000 after the refusal"

	# Non-viable group: function 0 on vfio-pci, its sibling function on e1000e.
	fn0=$(pci_find_multifn 0x8086:0x10d3) ||
		fail "no multifunction e1000e in L1 (the rig lacks its topology)"
	fn1=${fn0%.0}.1
	host_rebind "$fn1" e1000e || fail "e1000e did not bind $fn1"
	vfio_bind "$fn0" >/dev/null || fail "vfio-pci did not bind $fn0"
	refuse "non-viable group" "group not viable: $fn1 is bound to e1000e" --unmanaged --no-guard \
		--passthrough "$fn0"
	[ "$(driver_of "$fn0")" = vfio-pci ] || fail "$fn0 left vfio-pci after the refusal"
	[ "$(driver_of "$fn1")" = e1000e ] || fail "$fn1 left e1000e after the refusal"
	pass
}
