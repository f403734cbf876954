#!/bin/sh
# usage: host.sh PTVM
# ptvm devices and ptvm check on the build host itself. This project's build
# machines have KVM but no IOMMU and no VFIO (/work/shared/nested-rig.md,
# "Why nested"): there `ptvm check` must fail with exactly those reasons and
# exit 1. On a host with an IOMMU or VFIO the check verdicts are skipped
# (they depend on that host), the devices listing is still checked.
# Ends with "smoke-host: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ptvm=$1
. "$top/tests/e2e/lib_json.sh"
. "$top/tests/smoke/lib_ok.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# has LINE-PATTERN: a line of the last output matches (grep -E, whole line).
has() { grep -Eqx -e "$1" "$tmp/out"; }

what="ptvm devices exits 0 and lists every function under /sys/bus/pci/devices"
"$ptvm" devices >"$tmp/out" 2>"$tmp/err"
rc=$?
n=$(ls /sys/bus/pci/devices | wc -l)
ok [ "$rc" = 0 ]
ok [ "$(($(wc -l <"$tmp/out") - 1))" = "$n" ]
ok [ ! -s "$tmp/err" ]

what="ptvm devices --json is one valid JSON object per function"
"$ptvm" devices --json >"$tmp/json"
ok json_lines "$tmp/json"
ok [ "$(grep -c '^{"address": ' "$tmp/json")" = "$n" ]

what="ptvm check: every line is PASS, WARN or FAIL <what>: <detail>"
"$ptvm" check >"$tmp/out" 2>"$tmp/err"
rc=$?
ok [ "$(grep -Evc '^(PASS|WARN|FAIL) [a-z ]+: .' "$tmp/out")" = 0 ]
what="ptvm check --json is valid JSON, one object per verdict"
"$ptvm" check --json >"$tmp/json" 2>/dev/null
ok json_lines "$tmp/json"
ok [ "$(wc -l <"$tmp/json")" = "$(wc -l <"$tmp/out")" ]

if [ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] || [ -e /dev/vfio/vfio ]; then
	echo "  skipped the no-IOMMU verdicts: this host has an IOMMU or VFIO"
else
	what="ptvm check exits 1 on a host without IOMMU and VFIO"
	ok [ "$rc" = 1 ]
	what="ptvm check names the missing IOMMU"
	ok has 'FAIL iommu: no DMAR or IVRS ACPI table and no IOMMU groups; .*'
	what="ptvm check names the missing interrupt remapping"
	ok has 'FAIL interrupt remapping: off .*'
	what="ptvm check names the missing VFIO"
	ok has 'FAIL vfio: /dev/vfio/vfio: No such file or directory; modprobe vfio-pci vfio_iommu_type1'
	what="ptvm check: the host's functions are not assignable without an IOMMU group"
	d=$(ls /sys/bus/pci/devices | tail -n 1)
	"$ptvm" check "$d" >"$tmp/out" 2>&1
	ok has "FAIL device $d: not assignable: (no IOMMU group|the host bridge|a PCI bridge|an ISA/LPC bridge); .*"
fi
sed 's/^/  /' "$tmp/out"
ok_end smoke-host
