# Helpers for the L1 side of the e2e cases, sourced by L1's /init into each
# case's subshell before the case file (other tests/e2e/lib*.sh follow it).
# Busybox ash, no `set -e`: checks are explicit, and a case ends with pass or
# fail, which print the verdict line the host parses and leave the subshell.

PTVM=/bin/ptvm
L2_KERNEL=/l2/bzImage
L2_INITRD=/l2/initrd.cpio
L2_MEMORY=${L2_MEMORY:-256M}
# Per ptvm run, in L1 seconds (L1's clock under TCG tracks wall time).
L2_TIMEOUT=${L2_TIMEOUT:-60}
L2_CMDLINE="console=ttyS0 panic=-1 quiet"
nrun=0

pass() { echo "PTVM-VERDICT $CASE PASS${*:+ $*}"; exit 0; }
fail() { echo "PTVM-VERDICT $CASE FAIL $*"; exit 1; }

uptime_s() { read -r u _ </proc/uptime; echo "$u"; }

need_ptvm() {
	[ -x "$PTVM" ] || fail "no ptvm in the L1 initramfs (build/ptvm-static missing: make static)"
}

# l2_start [--end poweroff|reboot|shell] [ptvm run option...]
# Start ptvm in the background on the L2 kernel and initramfs, running this
# case's l2() payload. stdin comes from $L2_STDIN (default /dev/null),
# stdout goes to $L2_STDOUT if set (then the case fills $out itself).
# --end reboot restarts the guest unless the options say --on-reboot exit.
# Sets pid, out (stdout, \r kept: use grep without $ anchors on it) and err.
l2_start() {
	end=poweroff
	if [ "${1:-}" = --end ]; then
		end=$2
		shift 2
	fi
	need_ptvm
	nrun=$((nrun + 1))
	out=/tmp/$CASE.$nrun.out
	err=/tmp/$CASE.$nrun.err
	echo "PTVM-RUN $nrun: ptvm run --memory $L2_MEMORY $* (ptvm.end=$end)"
	t_start=$(uptime_s)
	# TERM first, so ptvm can say where it was stuck; KILL if it ignores it.
	timeout -s KILL $((L2_TIMEOUT + 5)) timeout -s TERM "$L2_TIMEOUT" \
		"$PTVM" run --kernel "$L2_KERNEL" --initrd "$L2_INITRD" --memory "$L2_MEMORY" \
		--cmdline "$L2_CMDLINE ptvm.case=$CASE ptvm.end=$end" "$@" \
		<"${L2_STDIN:-/dev/null}" >"${L2_STDOUT:-$out}" 2>"$err" &
	pid=$!
}

# l2_wait: wait for the ptvm started by l2_start; sets rc, then l2_log.
l2_wait() {
	wait "$pid"
	rc=$?
	l2_log
}

# l2_log: strip the \r the guest's tty adds to $out, and copy stdout and
# stderr into the log.
l2_log() {
	tr -d '\r' <"$out" >"$out.txt" && out=$out.txt
	sed 's/^/  l2| /' "$out"
	sed 's/^/  stderr| /' "$err"
	echo "PTVM-RUN-END $nrun: rc=$rc secs=$(awk "BEGIN{print $(uptime_s) - $t_start}")"
}

# l2_run: l2_start and l2_wait.
l2_run() {
	l2_start "$@"
	l2_wait
}

# wait_out PATTERN SECS: wait until ptvm's output has PATTERN (0) or SECS
# pass or ptvm exits (1).
wait_out() {
	local i=0
	while [ "$i" -lt $(($2 * 5)) ]; do
		# -s: the output file may not exist yet right after l2_start.
		grep -qs -e "$1" "$out" && return 0
		[ -d "/proc/$pid" ] || { grep -qs -e "$1" "$out"; return; }
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# With the sandbox (the default) a running ptvm is two processes: the
# monitor, the one started (root; it moves managed devices and holds their
# records), and its child the VM process (vCPUs and device models; it holds
# the VFIO and /dev/ptguard fds, so ptguard names it). ptvm_monitor and
# ptvm_vmproc print the pid of each (of the first ptvm found), or nothing.
ptvm_parent_is_ptvm() {
	local pp
	pp=$(awk '$1 == "PPid:" { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$pp" ] && [ "$(cat "/proc/$pp/comm" 2>/dev/null)" = ptvm ]
}

ptvm_monitor() {
	local p
	for p in $(pidof ptvm); do
		ptvm_parent_is_ptvm "$p" || { echo "$p"; return 0; }
	done
	return 1
}

ptvm_vmproc() {
	local p
	for p in $(pidof ptvm); do
		ptvm_parent_is_ptvm "$p" && { echo "$p"; return 0; }
	done
	return 1
}

# Why ptvm ended, for failure messages. A guest that reboots is booted
# again (--on-reboot restart, the default): a case that means ptvm to end
# there passes --on-reboot exit, and one that forgot runs into the timeout,
# said here with the restarts ptvm made.
how_ended() {
	local loop= n
	n=$(grep -c ': restarting (reboot [0-9]*)$' "$err" 2>/dev/null)
	[ "${n:-0}" -gt 0 ] && loop=" after restarting the guest $n times (rebooting? --on-reboot exit ends ptvm there)"
	case $rc in
	143) echo "ptvm still running after ${L2_TIMEOUT}s$loop, stopped by SIGTERM" ;;
	137) echo "ptvm still running after ${L2_TIMEOUT}s$loop, ignored SIGTERM, killed" ;;
	*) echo "ptvm exited $rc" ;;
	esac
}

expect_rc() {
	case $rc in
	137 | 143) fail "$(how_ended)" ;;
	"$1") ;;
	*) fail "ptvm exited $rc, want $1${2:+ ($2)}: $(head -n 1 "$err")" ;;
	esac
}

# expect_out PATTERN [WHAT]: ptvm's output has a line matching PATTERN.
expect_out() {
	grep -q -e "$1" "$out" || fail "no ${2:-'$1'} in the L2 output; $(how_ended)"
}

# ptvm_stat WHAT NAME: after a run with --stats, the number after NAME on
# ptvm's "ptvm: stats: WHAT ..." line (e.g. ptvm_stat exits mmio).
ptvm_stat() {
	awk -v w="$1" -v n="$2" '$1 == "ptvm:" && $2 == "stats:" && $3 == w {
		for (i = 4; i < NF; i++) if ($i == n) print $(i + 1) }' "$err" | head -n 1
}

# ptvm_wakeups: the main loop's wakeups of every kind, summed.
ptvm_wakeups() {
	awk '$1 == "ptvm:" && $2 == "stats:" && $3 == "loop" && $4 == "wakeups" {
		s = 0; for (i = 6; i <= NF; i += 2) s += $i; print s }' "$err" | head -n 1
}

# The PCI address of the first device of class $1 (e.g. 0x010802 NVMe).
pci_find_class() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# pci_find_multifn VENDOR:DEVICE: function 0 of the first two-function
# device with that ID (the rig's e1000e at 03:00.0/03:00.1).
pci_find_multifn() {
	local d fn0=
	for d in /sys/bus/pci/devices/*.0; do
		[ -e "${d%.0}.1" ] && [ "$(cat "$d/vendor"):$(cat "$d/device")" = "$1" ] &&
			fn0=${d##*/}
	done
	[ -n "$fn0" ] && echo "$fn0"
}

# host_rebind BDF DRIVER: give a device back to a host driver in L1 (after
# vfio_bind and a ptvm run); 0 when DRIVER has it.
host_rebind() {
	local d=/sys/bus/pci/devices/$1
	[ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
	echo >"$d/driver_override"
	echo "$1" >"/sys/bus/pci/drivers/$2/bind" 2>/dev/null
	[ "$(basename "$(readlink "$d/driver")")" = "$2" ]
}

# vfio_bind BDF: hand a device to vfio-pci; prints its IOMMU group.
vfio_bind() {
	local d=/sys/bus/pci/devices/$1
	if [ -e "$d/driver" ]; then
		[ "$(basename "$(readlink "$d/driver")")" = vfio-pci ] && {
			basename "$(readlink "$d/iommu_group")"
			return 0
		}
		echo "$1" >"$d/driver/unbind" || return 1
	fi
	echo vfio-pci >"$d/driver_override" || return 1
	echo "$1" >/sys/bus/pci/drivers_probe || return 1
	[ "$(basename "$(readlink "$d/driver")")" = vfio-pci ] || return 1
	basename "$(readlink "$d/iommu_group")"
}
