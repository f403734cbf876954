# devices: `ptvm devices` and `ptvm check` in L1, on the rig's topology
# (nested-rig.md, "Topologies for reset and co-assignment tests").
# - Every function of L1's sysfs is listed, with the driver, IOMMU group and
#   reset_method sysfs shows; every --json line is valid JSON (json_lines,
#   lib_json.sh: awk, L1 has no python).
# - The reset domains are ptguard's policy on that topology: the two e1000
#   behind the pcie-pci-bridge have a bus reset only and it reaches both;
#   the two functions of the multi-function e1000e share a group but each
#   has a PM reset of its own, until function 0's methods are switched off
#   (echo > reset_method): then its bus reset reaches function 1.
# - `ptvm check` passes or warns everything in L1 (exit 0); a device is
#   granted once it and its bus sibling are on vfio-pci, refused (exit 1)
#   naming the sibling and its driver while that is on e1000.

# jget BDF KEY: KEY's value in BDF's JSON line ($json): "string", number,
# null/true/false, or [array] (arrays here hold no "]" inside).
jget() {
	grep "^{\"address\": \"$1\"" "$json" | awk -v k="\"$2\": " '{
		i = index($0, k)
		if (!i) exit 1
		s = substr($0, i + length(k))
		if (s ~ /^\[/) { print substr(s, 1, index(s, "]")); exit }
		if (s ~ /^"/) { s = substr(s, 2); print "\"" substr(s, 1, index(s, "\"") - 1) "\""; exit }
		match(s, /^[^,}]*/)
		print substr(s, 1, RLENGTH)
	}'
}

# expect BDF KEY VALUE: the JSON says so, or the case fails naming both.
expect() {
	v=$(jget "$1" "$2")
	[ "$v" = "$3" ] || fail "ptvm devices --json: $1 $2 is '$v', want '$3'"
}

# A sysfs link's last component, "" when there is none.
link_name() {
	l=$(readlink "$1" 2>/dev/null)
	echo "${l##*/}"
}

# Every function as sysfs shows it: driver, group, reset_method.
check_against_sysfs() {
	n=0
	for d in /sys/bus/pci/devices/*; do
		b=${d##*/}
		n=$((n + 1))
		drv=$(link_name "$d/driver")
		expect "$b" driver "$([ -n "$drv" ] && echo "\"$drv\"" || echo null)"
		grp=$(link_name "$d/iommu_group")
		expect "$b" iommu_group "${grp:-null}"
		want= sep=
		for m in $(cat "$d/reset_method" 2>/dev/null); do
			want="$want$sep\"$m\""
			sep=", "
		done
		expect "$b" reset_methods "[$want]"
	done
	[ "$(wc -l <"$json")" = "$n" ] || fail "ptvm devices --json has $(wc -l <"$json") lines for $n functions"
}

devices_json() {
	"$PTVM" devices --json >"$json" 2>/tmp/devices.err || fail "ptvm devices --json exited $?: $(cat /tmp/devices.err)"
	json_lines "$json" || fail "ptvm devices --json: not valid JSON (see the log)"
}

l1() {
	need_ptvm
	json=/tmp/devices.json
	"$PTVM" devices >/tmp/devices.txt 2>&1 || fail "ptvm devices exited $?: $(head -n 1 /tmp/devices.txt)"
	sed 's/^/  devices| /' /tmp/devices.txt
	devices_json
	sed 's/^/  json| /' "$json"
	check_against_sysfs

	expect 0000:00:00.0 reason '"the host bridge"'
	nvme=$(pci_find_class 0x010802) || fail "no NVMe in L1"
	expect "$nvme" reset_methods '["flr"]'
	expect "$nvme" reset '"function"'
	expect "$nvme" reset_domain '[]'
	expect "$nvme" assignable true

	e1000_pair
	br=$(basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$e1")")")
	d1=$(link_name "/sys/bus/pci/devices/$e1/driver")
	d2=$(link_name "/sys/bus/pci/devices/$e2/driver")
	devices_json
	expect "$br" reason '"a PCI bridge"'
	expect "$e1" reset '"bus"'
	expect "$e1" reset_domain "[{\"address\": \"$e2\", \"driver\": \"$d2\"}]"
	expect "$e2" reset '"bus"'
	expect "$e2" reset_domain "[{\"address\": \"$e1\", \"driver\": \"$d1\"}]"
	expect "$e1" assignable true
	grp=$(jget "$e1" iommu_group)
	[ "$(jget "$br" iommu_group)" = "$grp" ] && [ "$(jget "$e2" iommu_group)" = "$grp" ] ||
		fail "$br, $e1 and $e2 are not in one IOMMU group: $(jget "$br" iommu_group) $grp $(jget "$e2" iommu_group)"
	grep -q "^$e1 .* $grp with .*$br=.*$e2=$d2 .* bus: $e2=$d2 " /tmp/devices.txt ||
		fail "ptvm devices: no plain line for $e1 with group $grp ($br, $e2) and the bus domain $e2"

	# The multi-function e1000e: 8086:10d3 at function 1, and its function 0.
	f1=
	for d in /sys/bus/pci/devices/*.1; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10d3 ] && f1=${d##*/}
	done
	[ -n "$f1" ] || fail "no two-function e1000e in L1"
	f0=${f1%.1}.0
	expect "$f0" iommu_group_peers "[{\"address\": \"$f1\", \"driver\": \"e1000e\"}]"
	expect "$f1" iommu_group_peers "[{\"address\": \"$f0\", \"driver\": \"e1000e\"}]"
	expect "$f0" reset '"function"'
	expect "$f0" reset_domain '[]'
	echo >"/sys/bus/pci/devices/$f0/reset_method" || fail "cannot clear $f0's reset_method"
	devices_json
	echo default >"/sys/bus/pci/devices/$f0/reset_method"
	grep "^{\"address\": \"$f0\"" "$json" | sed 's/^/  json (no methods)| /'
	expect "$f0" reset_methods '[]'
	expect "$f0" reset '"bus"'
	expect "$f0" reset_domain "[{\"address\": \"$f1\", \"driver\": \"e1000e\"}]"
	expect "$f1" reset_domain '[]'

	"$PTVM" check >/tmp/check.txt 2>&1
	rc=$?
	sed 's/^/  check| /' /tmp/check.txt
	[ "$rc" = 0 ] || fail "ptvm check exited $rc: $(grep -m 1 ^FAIL /tmp/check.txt)"
	grep -v -q '^PASS \|^WARN ' /tmp/check.txt && fail "ptvm check: not PASS/WARN: $(grep -v -m 1 '^PASS \|^WARN ' /tmp/check.txt)"
	for w in kvm iommu "interrupt remapping" vfio ptguard memlock; do
		grep -q "^PASS $w: " /tmp/check.txt || fail "ptvm check: no PASS for $w"
	done
	"$PTVM" check --json >/tmp/check.json 2>/dev/null
	json_lines /tmp/check.json || fail "ptvm check --json: not valid JSON"

	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"
	g=$(link_name "/sys/bus/pci/devices/$nvme/iommu_group")
	"$PTVM" check "$nvme" >/tmp/check.txt 2>&1 || fail "ptvm check $nvme exited $?: $(grep -m 1 ^FAIL /tmp/check.txt)"
	grep -qx "PASS device $nvme: can be passed through; alone in IOMMU group $g; its function reset reaches no other device" /tmp/check.txt ||
		fail "ptvm check $nvme: $(tail -n 1 /tmp/check.txt)"

	vfio_bind "$e1" >/dev/null || fail "vfio-pci did not bind $e1"
	host_rebind "$e2" e1000 || fail "e1000 did not bind $e2"
	"$PTVM" check "$e1" >/tmp/check.txt 2>&1
	rc=$?
	tail -n 1 /tmp/check.txt | sed 's/^/  check| /'
	[ "$rc" = 1 ] || fail "ptvm check $e1 with $e2 on e1000 exited $rc, want 1"
	grep -qx "FAIL device $e1: $e1 shares its bus reset domain and IOMMU group $grp with $e2, bound to host driver e1000; pass them too: --passthrough $e2" /tmp/check.txt ||
		fail "ptvm check $e1: $(tail -n 1 /tmp/check.txt)"
	vfio_bind "$e2" >/dev/null || fail "vfio-pci did not bind $e2"
	"$PTVM" check "$e1" "$e2" >/tmp/check.txt 2>&1 || fail "ptvm check $e1 $e2 exited $?: $(grep -m 1 ^FAIL /tmp/check.txt)"
	tail -n 2 /tmp/check.txt | sed 's/^/  check| /'
	grep -q "^PASS device $e2: can be passed through; .* its bus reset also reaches $e1=vfio-pci$" /tmp/check.txt ||
		fail "ptvm check $e1 $e2: $(tail -n 1 /tmp/check.txt)"
	host_rebind "$e1" e1000
	host_rebind "$e2" e1000
	pass "$(grep -c . "$json") functions match sysfs; bus pair $e1 $e2; $f0 alone, then bus reset to $f1"
}
