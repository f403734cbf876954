# Shared by the cases of scripts/bench/vs/ (each sources it, in L1 and in
# L2): ptvm and Debian's QEMU (q35 with -kernel, and microvm) side by side
# on the same bzImage, initramfs, memory, one vCPU and the same passed
# device, round by round, and one line per run for scripts/bench/run.sh:
#   PTVM-BENCH bench=NAME vmm=ptvm|q35|microvm|native|raw round=R key=value...
# The run's figures come from vmmrun (scripts/bench/vmmrun.c says what each
# is), so every VMM is measured by the same outside code. Only in the
# bench's L1 initramfs (scripts/bench/mk-bench-initramfs), not in the rig's.

QEMU=/usr/bin/qemu-system-x86_64
VS_L2_INITRD=/tmp/l2-bench.cpio
KVM_DEBUG=/sys/kernel/debug/kvm

# vs_arg NAME [DEFAULT]: the value of ptvm.NAME= on the kernel command line
# (run.sh passes the bench's settings to L1 there, L1 its own to L2).
vs_arg() {
	local v
	v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^ptvm\.$1=//p" | tail -n 1)
	echo "${v:-${2:-}}"
}

# vs_prepare: L1's KVM counters, QEMU, and the bench's L2 initramfs: the
# rig's with iperf3 and these cases appended. Sets N, the rounds.
vs_prepare() {
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	[ -r $KVM_DEBUG/exits ] || fail "no $KVM_DEBUG/exits in L1"
	[ -x $QEMU ] || fail "no $QEMU in L1: boot the bench's initramfs (scripts/bench/run.sh)"
	[ -f $VS_L2_INITRD ] || cat "$L2_INITRD" /l2/bench-extra.cpio >$VS_L2_INITRD ||
		fail "cannot build $VS_L2_INITRD"
	N=$(vs_arg bench_n 5)
}

# vs_order R [NAME...]: NAMEs (default: the three VMMs) in the order of
# round R, rotated by one each round, so none always runs first (after a
# device reset, or on memory L1 has not touched yet).
vs_order() {
	local r=$1 i=0
	shift
	[ $# -gt 0 ] || set -- ptvm q35 microvm
	while [ "$i" -lt $(((r - 1) % $#)) ]; do
		set -- "$@" "$1"
		shift
		i=$((i + 1))
	done
	echo "$@"
}

# vs_run VMM MIB CASE[:ARG] BACKING BDFS VMMRUN-OPTION...: one run of VMM
# (ptvm, q35, microvm) under vmmrun with MIB MiB of RAM and one vCPU on the
# rig's L2 bzImage and the bench's L2 initramfs. L2 runs CASE's l2() (ARG
# in ptvm.arg=), with the devices of BDFS (space separated, or "") passed
# through. BACKING: thp (anonymous memory; L1's THP setting says what backs
# it) or huge (2 MiB hugetlbfs pages: ptvm --hugepages, QEMU -mem-path).
# microvm gets its PCIe host (pcie=on) only when a device is passed: its
# plain boot is its leanest. Devices must be on vfio-pci already: ptvm
# leaves them there, as QEMU does. Sets res (vmmrun's line); the VMM's
# output, stamped, is in /tmp/vs.log and printed.
vs_run() {
	local vmm=$1 mib=$2 case=${3%%:*} arg= backing=$4 bdfs=$5 dev= cl m d
	[ "$case" = "$3" ] || arg=" ptvm.arg=${3#*:}"
	shift 5
	cl="$L2_CMDLINE ptvm.case=$case$arg"
	echo "PTVM-BENCH-RUN $vmm ${mib}M $case$arg $backing ${bdfs:-no device}"
	case $vmm in
	ptvm)
		for d in $bdfs; do dev="$dev --passthrough $d"; done
		[ "$backing" != huge ] || dev="$dev --hugepages"
		# shellcheck disable=SC2086 # $dev: options, split on purpose
		vmmrun -t "$L2_TIMEOUT" "$@" -- "$PTVM" run --kernel "$L2_KERNEL" \
			--initrd $VS_L2_INITRD --memory "${mib}M" --cpus 1 --cmdline "$cl" \
			$dev >/tmp/vs.res 2>/tmp/vs.log
		;;
	q35 | microvm)
		m=$vmm
		[ "$vmm" = q35 ] || [ -z "$bdfs" ] || m=microvm,pcie=on
		for d in $bdfs; do dev="$dev -device vfio-pci,host=$d"; done
		[ "$backing" != huge ] || dev="$dev -mem-path /dev/hugepages"
		# shellcheck disable=SC2086
		vmmrun -t "$L2_TIMEOUT" "$@" -- $QEMU -enable-kvm -cpu host -M "$m" \
			-m "$mib" -smp 1 -nodefaults -no-user-config -display none \
			-serial stdio -no-reboot -kernel "$L2_KERNEL" -initrd $VS_L2_INITRD \
			-append "$cl" $dev >/tmp/vs.res 2>/tmp/vs.log
		;;
	*) fail "vs_run: no VMM $vmm" ;;
	esac
	cat /tmp/vs.log
	res=$(cat /tmp/vs.res)
}

# vs_emit BENCH VMM ROUND KEY=VALUE...: the line run.sh collects.
vs_emit() {
	local b=$1 v=$2 r=$3
	shift 3
	echo "PTVM-BENCH bench=$b vmm=$v round=$r $*"
}

# vs_rounds BENCH CASE:ARG BDF TAG [HOOK]: N rounds of BENCH; in each,
# HOOK R first if given, then one L2 boot per VMM with BDF passed, whose
# l2() prints PTVM-BENCH-IO-START, then TAG and its figures: emitted with
# the KVM counters at both (start_*, end_*).
vs_rounds() {
	local b=$1 c=$2 d=$3 tag=$4 hook=${5:-} r=1 v
	while [ "$r" -le "$N" ]; do
		[ -z "$hook" ] || "$hook" "$r"
		for v in $(vs_order "$r"); do
			vs_run "$v" "${L2_MEMORY%M}" "$c" thp "$d" -m start=PTVM-BENCH-IO-START \
				-m "end=$tag"
			vs_emit "$b" "$v" "$r" "$res $(vs_l2_line "$tag")"
		done
		r=$((r + 1))
	done
}

# vs_l2_line TAG: the rest of the line L2 printed after TAG in this run.
vs_l2_line() {
	sed -n "s/^  l2| [0-9.]* $1 //p" /tmp/vs.log | head -n 1
}
