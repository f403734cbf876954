# place: two ptvm builds in one L1 boot, /bin/ptvm (A) and /bin/ptvm-b (B,
# from PTVM_BIN_B: scripts/bench/place.sh), alternating A B A B ...,
# PLACE_RUNS boots of L2 each. L2's init prints its marker, then stays up
# PLACE_HOLD seconds (its l2() below) so that L1 KVM's counters for the VM
# can be read while it lives: each file of KVM's debugfs sums a stat over
# the VMs (or vCPUs) there are now (virt/kvm/kvm_main.c, vm_stat_get() and
# vcpu_stat_get()), so a VM's counts go with it. One line per run for
# place.sh:
#   PTVM-PLACE bin=A|B run=I marker_s=S exits=N pages_4k=N pages_2m=N
#     ram_off_kb=K thp_kb=K pio=N mmio=N rc=R
# marker_s: L1 uptime from just before starting ptvm to the marker's
#   arrival on ptvm's stdout (stamp() below).
# exits, pages_4k, pages_2m: /sys/kernel/debug/kvm/ in L1 as soon as the
#   marker has arrived: L1 KVM's exits of the VM's vCPU until then, and the
#   guest pages its MMU maps at 4K and 2M.
# ram_off_kb: where ptvm's guest RAM mapping (the one whose Size is the
#   guest memory) starts modulo 2 MiB; thp_kb: its AnonHugePages then.
# pio, mmio: ptvm's own exits for the whole run (--stats).

. /cases/lib_stamp.sh

PLACE_RUNS=${PLACE_RUNS:-5}
PLACE_HOLD=2
KVM_DEBUG=/sys/kernel/debug/kvm

l2() {
	sleep "$PLACE_HOLD"
}

# place_sample BIN MEM_KB: once ptvm's output has the marker, the counters.
place_sample() {
	local i=0 p
	while ! grep -q PTVM-L2-INIT-OK /tmp/place.out 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $((L2_TIMEOUT * 20)) ] || { echo "exits= pages_4k= pages_2m="; return; }
		sleep 0.05
	done
	echo "exits=$(cat $KVM_DEBUG/exits) pages_4k=$(cat $KVM_DEBUG/pages_4k)" \
		"pages_2m=$(cat $KVM_DEBUG/pages_2m)"
	p=$(pidof "${1##*/}")
	awk -v mem="$2" '
		/^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); start = a[1]; size = 0 }
		/^Size:/ { size = $2 }
		/^AnonHugePages:/ && size == mem { print start, $2; exit }' "/proc/${p%% *}/smaps" |
		while read -r start thp; do
			# The low 21 bits of the start, in KiB (busybox awk has no strtonum).
			echo "ram_off_kb=$((0x$start % 0x200000 / 1024)) thp_kb=$thp"
		done
}

# place_run BIN LABEL I: one boot, one PTVM-PLACE line.
place_run() {
	t0=$(uptime_s)
	{
		timeout -s KILL "$L2_TIMEOUT" "$1" run --kernel "$L2_KERNEL" --initrd "$L2_INITRD" \
			--memory "$L2_MEMORY" --stats --cmdline "$L2_CMDLINE ptvm.case=place" \
			</dev/null 2>/tmp/place.err
		echo $? >/tmp/place.rc
	} | stamp >/tmp/place.out &
	job=$!
	s=$(place_sample "$1" "$mem_kb" | tr '\n' ' ')
	wait "$job"
	sed 's/^/  l2| /' /tmp/place.out
	sed 's/^/  stderr| /' /tmp/place.err
	tm=$(tr -d '\r' </tmp/place.out | awk '/PTVM-L2-INIT-OK/ { print $1; exit }')
	[ -n "$tm" ] || fail "$2 run $3: no PTVM-L2-INIT-OK (ptvm exit $(cat /tmp/place.rc))"
	err=/tmp/place.err
	echo "PTVM-PLACE bin=$2 run=$3 marker_s=$(awk "BEGIN{print $tm - $t0}") $s" \
		"pio=$(ptvm_stat exits pio) mmio=$(ptvm_stat exits mmio) rc=$(cat /tmp/place.rc)"
}

l1() {
	need_ptvm
	[ -x /bin/ptvm-b ] || fail "no /bin/ptvm-b in L1 (PTVM_BIN_B: scripts/bench/place.sh)"
	case $L2_MEMORY in *M) ;; *) fail "L2_MEMORY must be in MiB (NNNM)" ;; esac
	mem_kb=$((${L2_MEMORY%M} * 1024))
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	[ -r $KVM_DEBUG/exits ] || fail "no $KVM_DEBUG/exits in L1"
	echo "PTVM-PLACE-HOST thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled)" \
		"npt=$(cat /sys/module/kvm_amd/parameters/npt 2>/dev/null)" \
		"A=$(wc -c </bin/ptvm) B=$(wc -c </bin/ptvm-b)"
	i=1
	while [ "$i" -le "$PLACE_RUNS" ]; do
		place_run /bin/ptvm A "$i"
		place_run /bin/ptvm-b B "$i"
		i=$((i + 1))
	done
	pass
}
