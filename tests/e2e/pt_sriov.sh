# pt_sriov: an SR-IOV VF passed through. The rig's second NVMe (run-l1:
# behind the root port at 00:07.0, in an NVM subsystem, sriov_max_vfs=2) is
# the PF. QEMU's VFs are NVMe secondary controllers, which come up only once
# the PF's Virtualization Management command has given them flexible queue
# and interrupt resources and set them online, and which see a namespace
# only once it is attached to them (NVMe 1.4, 5.22 and 5.19; QEMU's
# docs/system/devices/nvme.rst); L1 has no nvme-cli, so nvmeadm
# (tests/e2e/l1/nvmeadm.c) sends those commands. Then:
# - `ptvm devices` shows the PF as "PF 2/2 VFs", not assignable while its
#   VFs are enabled, and each VF as "VF of" the PF (also in --json);
# - passing the PF is refused with its one line, the PF left on nvme;
# - the VF, on L1's nvme driver, goes to L2 (managed: ptvm moves it to
#   vfio-pci), whose own nvme driver writes a pattern and reads it back;
# - after ptvm, the VF is back on nvme in L1, no override or record left
#   (pt_managed's back_on), and L1 reads the same pattern from it.
# Last, L1 is put back as it was, whatever happened: VFs off.

. /cases/pt_nvme.sh
. /cases/pt_refuse.sh
. /cases/pt_managed.sh

NVME_CLASS=0x010802

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	nvme_l2
}

# sr_adm ARGS...: nvmeadm, its line into the log; fails the case if it fails.
sr_adm() {
	local o
	o=$(nvmeadm "$@" 2>&1) || fail "nvmeadm $*: $o"
	echo "$o" | sed 's/^/  nvmeadm| /'
}

# sr_show ARGS...: nvmeadm for the log only; its failure is shown, not fatal.
sr_show() {
	nvmeadm "$@" 2>&1 | sed 's/^/  nvmeadm| /'
}

# sr_live SECS: the PF's controller is live (its probe may still run).
sr_live() {
	local i=0
	while [ "$(cat "/sys/class/nvme/$ctrl/state" 2>/dev/null)" != live ]; do
		[ $i -lt $(($1 * 10)) ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# sr_sec VFN FIELD: FIELD (scid, online, nvq, nvi) of the secondary controller of VF VFN.
sr_sec() {
	nvmeadm secctrl "/dev/$ctrl" | awk -v vfn="vfn=$1" -v f="$2=" '{
		hit = 0
		for (i = 1; i <= NF; i++) if ($i == vfn) hit = 1
		if (hit) for (i = 1; i <= NF; i++) if (index($i, f) == 1) print substr($i, length(f) + 1)
	}'
}

# sr_prictrl FIELD: FIELD of the PF's Primary Controller Capabilities.
sr_prictrl() {
	nvmeadm prictrl "/dev/$ctrl" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# Back as the boot left it, from wherever the case stopped: no ptvm, VFs
# off (QEMU sets its secondary controllers offline then, and their
# resources go back to the pool), autoprobe on.
sr_restore() {
	[ -n "${pf:-}" ] || return 0
	kill -9 $(pidof ptvm) 2>/dev/null
	echo 0 >"/sys/bus/pci/devices/$pf/sriov_numvfs"
	echo 1 >"/sys/bus/pci/devices/$pf/sriov_drivers_autoprobe"
	echo "  restore: $pf numvfs=$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" \
		"$(nvmeadm secctrl "/dev/$ctrl" 2>&1 | tr '\n' ' ')"
	dmesg | grep -e nvme -e "${pf%.0}" -e vfio -e ptguard | tail -n 20 | sed 's/^/  dmesg| /'
	pf=
}

# The PF: the NVMe with an SR-IOV capability, on nvme, its controller live.
sr_find_pf() {
	local d
	pf=
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = $NVME_CLASS ] && [ -e "$d/sriov_totalvfs" ] && pf=${d##*/}
	done
	[ -n "$pf" ] || fail "no SR-IOV NVMe in L1 (run-l1 adds one at 00:07.0 but with PTVM_L1_BIGBAR)"
	[ "$(driver_of "$pf")" = nvme ] || host_rebind "$pf" nvme || fail "nvme did not bind the PF $pf"
	ctrl=
	for d in /sys/bus/pci/devices/$pf/nvme/nvme*; do ctrl=${d##*/}; done
	[ -e "/dev/$ctrl" ] || fail "no controller device of $pf under /dev (nvme/$ctrl)"
	sr_live 20 || fail "$pf's controller $ctrl is not live: $(cat "/sys/class/nvme/$ctrl/state")"
	echo "  pf $pf controller $ctrl totalvfs=$(cat "/sys/bus/pci/devices/$pf/sriov_totalvfs")" \
		"numvfs=$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")"
}

# The VF set up as QEMU's nvme.rst says, and on L1's nvme driver.
sr_vf_up() {
	local p=/sys/bus/pci/devices/$pf
	sr_adm prictrl "/dev/$ctrl"
	sr_adm secctrl "/dev/$ctrl"
	# nvme.rst first has the primary give up its flexible resources (and a
	# PF reset to make that so), but QEMU 7.2's primary starts without any
	# (measured: VQRFAP and VIRFAP read 0), so all of them are free.
	[ "$(sr_prictrl vqrfap)" = 0 ] && [ "$(sr_prictrl virfap)" = 0 ] ||
		fail "$pf's primary controller holds flexible resources: $(nvmeadm prictrl "/dev/$ctrl")"
	# No driver may probe a VF before it is online: an offline VF of
	# QEMU's reads CSTS.CFS set and ignores its other registers. Autoprobe
	# on again once the VFs are there, as most hosts have it (ptvm gives
	# the VF back through drivers_probe, which then needs it).
	echo 0 >"$p/sriov_drivers_autoprobe"
	echo 2 >"$p/sriov_numvfs" || fail "echo 2 > $p/sriov_numvfs failed: $(dmesg | tail -n 2)"
	echo 1 >"$p/sriov_drivers_autoprobe"
	vf=$(basename "$(readlink "$p/virtfn0")")
	vf2=$(basename "$(readlink "$p/virtfn1")")
	[ -n "$vf" ] && [ -n "$vf2" ] || fail "no virtfn0/virtfn1 links under $p after enabling 2 VFs"
	scid=$(sr_sec 1 scid)
	[ -n "$scid" ] || fail "no secondary controller of VF 1 in $ctrl's list"
	echo "  vf $vf (secondary controller $scid), vf $vf2"
	sr_adm virt-mgmt "/dev/$ctrl" "$scid" sec-assign vq 2
	sr_adm virt-mgmt "/dev/$ctrl" "$scid" sec-assign vi 1
	sr_adm virt-mgmt "/dev/$ctrl" "$scid" sec-online vq 0
	sr_adm secctrl "/dev/$ctrl"
	[ "$(sr_sec 1 online)" = 1 ] || fail "VF 1's controller $scid is not online after sec-online"
	sr_show ns-ctrls "/dev/$ctrl" 1
	sr_adm ns-attach "/dev/$ctrl" 1 "$scid"
	sr_show ns-ctrls "/dev/$ctrl" 1
	echo "$vf" >/sys/bus/pci/drivers_probe
	[ "$(driver_of "$vf")" = nvme ] || fail "nvme did not bind the VF $vf: $(dmesg | tail -n 3)"
	vdisk=$(nvme_disk "$vf") || fail "L1's nvme driver made no disk of the VF $vf: $(dmesg | tail -n 3)"
	echo "  vf $vf on nvme, disk $vdisk"
}

# ptvm devices, plain and JSON: the PF and its VFs.
sr_devices() {
	"$PTVM" devices >/tmp/sriov.devices 2>&1 || fail "ptvm devices exited $?: $(head -n 1 /tmp/sriov.devices)"
	grep -e "^$pf " -e "^$vf " -e "^$vf2 " /tmp/sriov.devices | sed 's/^/  devices| /'
	grep -q "^$pf .*  PF 2/2 VFs  *not assignable: an SR-IOV PF with VFs enabled  " /tmp/sriov.devices ||
		fail "ptvm devices: $pf is not 'PF 2/2 VFs', not assignable: $(grep "^$pf " /tmp/sriov.devices)"
	grep -q "^$vf .* nvme .*  VF of $pf  *assignable  " /tmp/sriov.devices ||
		fail "ptvm devices: $vf is not an assignable 'VF of $pf' on nvme: $(grep "^$vf " /tmp/sriov.devices)"
	grep -q "^$vf2 .*  VF of $pf  " /tmp/sriov.devices ||
		fail "ptvm devices: $vf2 is not 'VF of $pf': $(grep "^$vf2 " /tmp/sriov.devices)"
	"$PTVM" devices --json "$pf" "$vf" >/tmp/sriov.json 2>&1 || fail "ptvm devices --json exited $?"
	sed 's/^/  json| /' /tmp/sriov.json
	grep -q "^{\"address\": \"$pf\", .*\"sriov\": {\"role\": \"pf\", \"num_vfs\": 2, \"total_vfs\": 2}, \"assignable\": false, \"reason\": \"an SR-IOV PF with VFs enabled\"}$" /tmp/sriov.json ||
		fail "ptvm devices --json $pf: $(head -n 1 /tmp/sriov.json)"
	grep -q "^{\"address\": \"$vf\", .*\"sriov\": {\"role\": \"vf\", \"pf\": \"$pf\"}, \"assignable\": true, \"reason\": null}$" /tmp/sriov.json ||
		fail "ptvm devices --json $vf: $(tail -n 1 /tmp/sriov.json)"
}

# The PF with its VFs enabled: one line (pt_refuse's refuse), nothing moved.
sr_refuse_pf() {
	refuse "the PF $pf" "^ptvm: $pf is an SR-IOV PF with 2 VFs enabled and cannot be passed through (pass a VF, or first: echo 0 > /sys/bus/pci/devices/$pf/sriov_numvfs)\$" \
		--passthrough "$pf"
	[ "$(driver_of "$pf")" = nvme ] || fail "the PF $pf left nvme ('$(driver_of "$pf")') when refused"
	[ "$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" = 2 ] || fail "the PF $pf lost its VFs when refused"
}

l1() {
	need_ptvm
	command -v nvmeadm >/dev/null || fail "no nvmeadm in the L1 initramfs (make static)"
	trap sr_restore EXIT
	sr_find_pf
	sr_vf_up
	sr_devices
	sr_refuse_pf

	pat=$$-$(cut -c1-8 /proc/sys/kernel/random/uuid)
	L2_CMDLINE="$L2_CMDLINE ptvm.arg=$pat"
	l2_run --stats --passthrough "$vf"
	expect_rc 0 "the VF $vf passed through"
	grep -q PTVM-NVME-NODEV "$out" && fail "L2's nvme driver created no /dev/nvme0n1 for the VF"
	expect_out "PTVM-NVME-READBACK PTVM-NVME-PATTERN-$pat" "pattern read back through the VF in L2"
	grep -q "^PTVM-NVME-IRQ .*PCI-MSI" "$out" || fail "the VF's nvme vectors in L2 are not MSI-X"

	back_on "$vf" nvme "after ptvm"
	vdisk=$(nvme_disk "$vf") || fail "after ptvm: L1's nvme driver made no disk of the VF again"
	got=$(dd if="$vdisk" bs=4096 skip=$PT_NVME_BLOCK count=1 iflag=direct 2>/dev/null | head -n 1)
	[ "$got" = "PTVM-NVME-PATTERN-$pat" ] || fail "after ptvm: L1 reads '$got' from the VF, want the pattern"
	pass "PF $pf refused; VF $vf (controller $scid) in L2 and back on nvme, pattern read by both"
}
