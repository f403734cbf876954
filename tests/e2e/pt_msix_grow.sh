# pt_msix_grow: ptvm asks VFIO for the MSI-X vectors the guest uses, not the
# whole table. QEMU's NVMe has a 65-entry table; L2's nvme driver uses two
# vectors (admin + one I/O queue on one vCPU). While L2 runs, L1's sysfs
# lists every vector the host allocated for the device in msi_irqs/ (each
# costs a host interrupt-remapping entry): it must be what L2 uses, not 65.
# (/proc/interrupts is no measure: vfio-pci requests only the vectors that
# have an eventfd, but allocates all it was asked for.)
. /cases/pt_nvme.sh

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_l2
	echo PTVM-MSIX-READY
	# Stay up while L1 counts, then power off (the init does).
	sleep 4
}

# cfg_byte BDF OFF: one byte of L1's view of the device's config space.
cfg_byte() {
	dd if="/sys/bus/pci/devices/$1/config" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' '
}

# msix_table_size BDF: Table Size + 1 from the MSI-X capability (PCIe 4.0 §7.7.2.2).
msix_table_size() {
	off=$(cfg_byte "$1" 52)
	n=0
	while [ "${off:-0}" -ne 0 ] && [ $n -lt 48 ]; do
		if [ "$(cfg_byte "$1" "$off")" = 17 ]; then
			lo=$(cfg_byte "$1" $((off + 2)))
			hi=$(cfg_byte "$1" $((off + 3)))
			echo $(((hi * 256 + lo) % 2048 + 1))
			return
		fi
		off=$(cfg_byte "$1" $((off + 1)))
		n=$((n + 1))
	done
	echo 0
}

l1() {
	nvme_l1_prepare
	size=$(msix_table_size "$nvme")
	[ "$size" -gt 2 ] || fail "the NVMe's MSI-X table has $size entries; the case needs more than 2"
	l2_start --passthrough "$nvme"
	wait_out PTVM-MSIX-READY 60 || { l2_wait; fail "L2 never got its NVMe working; $(how_ended)"; }
	enabled=$(ls "/sys/bus/pci/devices/$nvme/msi_irqs" | wc -l)
	grep "vfio-msix" /proc/interrupts | sed 's/^/  l1-irq| /'
	l2_wait
	expect_rc 0
	expect_out "PTVM-NVME-READBACK PTVM-NVME-PATTERN-$pat" "pattern read back in L2"
	used=$(grep -c "^PTVM-NVME-IRQ .*nvme0q" "$out")
	[ "$used" -ge 1 ] || fail "L2 shows no nvme vectors"
	[ "$enabled" = "$used" ] ||
		fail "the host allocated $enabled MSI-X vectors for $nvme while L2 used $used (table $size)"
	host_rebind "$nvme" nvme || fail "nvme did not bind $nvme in L1 after ptvm exited"
	pass "host-vectors=$enabled used=$used table=$size"
}
