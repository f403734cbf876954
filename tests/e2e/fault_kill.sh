# fault_kill: SIGKILL at chosen moments, many times over. ptvm runs with
# the NVMe managed (L1's nvme driver to vfio-pci and back) and is killed
# in one of four phases, each told by a line ptvm or L2 prints (ptfault,
# tests/e2e/l1/ptfault.c, watches its stdout and stderr and kills):
#   pinning  from "ptguard: 1 device(s) claimed" to the "reset by FLR" line:
#            the VFIO open and VFIO_IOMMU_MAP_DMA pinning guest RAM (512 MiB)
#   reset    from that line to "passed through as": the pre-start reset
#   boot     from the sandbox line (the guest starts) to PTVM-L2-INIT-OK
#   io       L2 writing to the NVMe with O_DIRECT dd, in a loop
# at a random delay within the phase (lengths measured by a first run, and
# shortened to what a phase took when a kill lands past it; the RNG's seed
# is fixed and printed, each kill says its delay: a failure replays). Most kills hit the VM process (the monitor survives it and gives
# the NVMe back); every fifth hits the monitor (the VM process dies with
# it; `ptvm cleanup` gives the NVMe back). After every kill: the exit code
# and line, ptguard's reset of the NVMe after release by that VM process
# (kernel log), ptguard's QUERY says free and claimable, the NVMe back on
# nvme with no driver_override and no record, `ptvm cleanup` with nothing
# to do, no ptvm left. Every two rounds (and at the end) a VM round-trips
# a pattern on the NVMe (L2 writes and reads it, then L1).
# e2e: secs 900 (about 5 minutes in the TCG rig; 24 kills and 4 round trips)
# e2e: own-l1 (its SIGKILLs stay out of the other cases' L1)

. /cases/pt_nvme.sh

# Fixed: a failure replays with the same delays.
FAULT_KILL_SEED=20261201
# Rounds of one kill per phase.
FAULT_KILL_ROUNDS=6
# Guest RAM of the pinning and reset kills: the larger, the longer pinning lasts.
FAULT_KILL_BIG=512M
# Every FAULT_KILL_MONITOR-th kill is of the monitor.
FAULT_KILL_MONITOR=5
# Kills of the io phase land this long after L2 starts writing (ms).
FAULT_KILL_IO_MIN=200
FAULT_KILL_IO_MAX=3000
# The fewest kills a phase must get inside it (the rest land past it).
FAULT_KILL_MIN_IN=4

# --- L2 ---

# Writes 16 MiB at 16 MiB over and over (away from pt_nvme's pattern block).
fault_io() {
	nvme_wait || { echo PTVM-NVME-NODEV; return; }
	echo PTVM-FAULT-IO-START
	i=0
	while [ $i -lt 30 ]; do
		dd if=/dev/zero of=/dev/nvme0n1 bs=64k seek=256 count=256 oflag=direct 2>/dev/null ||
			echo PTVM-FAULT-IO-FAILED
		i=$((i + 1))
	done
	echo PTVM-FAULT-IO-END
}

l2() {
	while read -r m; do insmod "/lib/modules/$m"; done </etc/modules
	case " $(cat /proc/cmdline) " in
	*" ptvm.fault=io "*) fault_io ;;
	*) nvme_l2 ;;
	esac
}

# --- L1 ---

# rnd N: $r is the next number in 0..N-1 (an LCG: glibc's constants).
rnd() {
	seed=$(((seed * 1103515245 + 12345) % 2147483648))
	r=$((seed / 65536 % $1))
}

# ms A B: the milliseconds from uptime A to uptime B (ptfault's stamps).
ms() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", (b - a) * 1000 }'
}

# stamp N FILE: the time ptfault saw marker N (its "stamp N T ..." line).
stamp() {
	awk -v n="$1" '$1 == "stamp" && $2 == n { print $3 }' "$2"
}

# fk_start MEM [ptvm option...]: ptvm with the NVMe, verbose (its setup lines are the markers).
fk_start() {
	L2_MEMORY=$1
	shift
	l2_start --verbose --passthrough "$nvme" "$@"
	L2_MEMORY=256M
}

# fk_check WHAT WHO VMPID MONPID: everything is as before the VM, after it
# was killed (WHO vm or monitor) or ended.
fk_check() {
	if [ "$2" = vm ]; then
		[ "$rc" = 1 ] || bail "$1: ptvm exited $rc after its VM process was killed, want 1"
		grep -qx "ptvm: VM process killed by signal SIGKILL" "$err" ||
			bail "$1: no 'VM process killed by signal SIGKILL': $(tail -n 1 "$err")"
	elif [ "$2" = monitor ]; then
		[ "$rc" = 137 ] || bail "$1: ptvm exited $rc after SIGKILL, want 137"
	fi
	wait_dmesg "ptguard: $nvme: function reset after release by ptvm (pid $3)\$" 20 ||
		bail "$1: no ptguard reset after release by $3: $(dmesg | grep ptguard | tail -n 1)"
	if [ "$2" = monitor ]; then
		said=$("$PTVM" cleanup 2>&1) || bail "$1: ptvm cleanup exited $?: $said"
		[ "$said" = "$nvme: vfio-pci -> nvme (ptvm pid $4 is gone)" ] ||
			bail "$1: ptvm cleanup said '$said'"
	fi
	back_on "$nvme" nvme "$1"
	# No owner, no reset pending; the claim it would refuse now is only
	# because L1's nvme has it (the next VM's managed move takes it).
	q=$(ptfault query "$nvme" 2>&1)
	[ "$q" = "query $nvme state=free pid=0 owner='' claimable=0 reason='$nvme is bound to host driver nvme, not vfio-pci'" ] ||
		bail "$1: ptguard: $q"
	said=$("$PTVM" cleanup 2>&1) || bail "$1: ptvm cleanup exited $?: $said"
	[ "$said" = "nothing to clean up: no devices left behind by a ptvm in $RUN_DIR" ] ||
		bail "$1: ptvm cleanup said '$said'"
	for pp in $(pidof ptvm); do
		# A killed VM process its dead monitor left is init's zombie a while.
		[ "$(awk '{ print $3 }' "/proc/$pp/stat" 2>/dev/null)" = Z ] ||
			bail "$1: ptvm $pp still running"
	done
}

# fk_roundtrip N: a VM writes and reads a pattern, then L1 reads it.
fk_roundtrip() {
	pat=$$-$1-$(cut -c1-8 /proc/sys/kernel/random/uuid)
	L2_CMDLINE="$base ptvm.arg=$pat"
	fk_start 256M
	ptfault stamps "$L2_TIMEOUT" "$out" "$err" "sandbox: VM process" PTVM-L2-INIT-OK \
		>/tmp/fault_kill.stamps
	l2_wait
	L2_CMDLINE=$base
	expect_rc 0 "round trip $1"
	expect_out "PTVM-NVME-READBACK PTVM-NVME-PATTERN-$pat" "pattern read back in L2 (round trip $1)"
	vmpid=$(sed -n 's/^ptvm: sandbox: VM process \([0-9]*\) .*/\1/p' "$err")
	fk_check "round trip $1" none "$vmpid"
	disk=$(nvme_disk "$nvme") || bail "round trip $1: L1's nvme made no disk of $nvme"
	got=$(dd if="$disk" bs=4096 skip=$PT_NVME_BLOCK count=1 2>/dev/null | head -n 1)
	[ "$got" = "PTVM-NVME-PATTERN-$pat" ] || bail "round trip $1: L1 reads '$got', want the pattern"
	trips=$((trips + 1))
}

# fk_kill N PHASE: the Nth kill, in PHASE.
fk_kill() {
	who=vm
	[ $(($1 % FAULT_KILL_MONITOR)) = 0 ] && who=monitor
	case $2 in
	pinning)
		fk_start $FAULT_KILL_BIG
		rnd "$w_pinning"
		set -- "$1" "$2" "claimed as ptvm" " reset by "
		;;
	reset)
		fk_start $FAULT_KILL_BIG
		rnd "$w_reset"
		set -- "$1" "$2" " reset by " "passed through as"
		;;
	boot)
		fk_start 256M
		rnd "$w_boot"
		set -- "$1" "$2" "sandbox: VM process" PTVM-L2-INIT-OK
		;;
	io)
		L2_CMDLINE="$base ptvm.fault=io"
		fk_start 256M
		L2_CMDLINE=$base
		rnd $((FAULT_KILL_IO_MAX - FAULT_KILL_IO_MIN))
		r=$((r + FAULT_KILL_IO_MIN))
		set -- "$1" "$2" PTVM-FAULT-IO-START PTVM-FAULT-IO-END
		;;
	esac
	kl=/tmp/fault_kill.$1
	if ! ptfault kill "$who" "$r" "$L2_TIMEOUT" "$out" "$err" "$3" "$4" >"$kl" 2>&1; then
		kill -9 $(pidof ptvm) 2>/dev/null
		l2_wait
		fail "kill $1 ($2): $(tail -n 1 "$kl")"
	fi
	l2_wait
	line=$(grep '^kill ' "$kl")
	vmpid=$(echo "$line" | sed -n 's/.* vmproc=\([0-9]*\) .*/\1/p')
	monpid=$(echo "$line" | sed -n 's/.* monitor=\([0-9]*\) .*/\1/p')
	last=$(echo "$line" | sed -n 's/.* last=\([0-9]*\)$/\1/p')
	if [ "$last" = 1 ]; then
		landed=$2
		eval "n_$2=\$((n_$2 + 1))"
	else
		# The phase was shorter this time: aim inside what it took from now on.
		took=$(ms "$(stamp 1 "$kl")" "$(stamp 2 "$kl")")
		landed="past $2 (it took $took ms)"
		late=$((late + 1))
		eval "w=\${w_$2:-0}"
		nw=$((took * 8 / 10))
		[ "$nw" -ge 1 ] || nw=1
		[ "$2" = io ] || [ "$nw" -ge "$w" ] || eval "w_$2=$nw"
	fi
	[ "$who" = monitor ] && n_monitor=$((n_monitor + 1))
	echo "  kill $1: $2 $who delay=${r}ms vmproc=$vmpid landed: $landed"
	grep -q PTVM-FAULT-IO-FAILED "$out" && echo "  kill $1: L2's dd failed before the kill"
	fk_check "kill $1 ($2, $who, ${r} ms)" "$who" "$vmpid" "$monpid"
	kills=$((kills + 1))
}

l1() {
	need_ptvm
	need_guard
	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	host_rebind "$nvme" nvme || fail "nvme did not bind $nvme in L1"
	[ -z "$(ls "$RUN_DIR" 2>/dev/null)" ] || fail "records in $RUN_DIR before the case: $(ls "$RUN_DIR")"
	base=$L2_CMDLINE
	seed=$FAULT_KILL_SEED
	kills=0 late=0 trips=0 n_pinning=0 n_reset=0 n_boot=0 n_io=0 n_monitor=0
	echo "fault_kill: seed $seed"

	# The phases' lengths: a VM of $FAULT_KILL_BIG killed as its guest starts (not
	# counted), and the round trip's boot.
	fk_start $FAULT_KILL_BIG
	ptfault stamps "$L2_TIMEOUT" "$out" "$err" "claimed as ptvm" " reset by " \
		"passed through as" "sandbox: VM process" >/tmp/fault_kill.probe
	ptfault kill vm 0 5 "$out" "$err" "sandbox: VM process" >>/tmp/fault_kill.probe 2>&1
	l2_wait
	sed 's/^/  probe| /' /tmp/fault_kill.probe
	p=/tmp/fault_kill.probe
	w_pinning=$(ms "$(stamp 1 $p)" "$(stamp 2 $p)")
	w_reset=$(ms "$(stamp 2 $p)" "$(stamp 3 $p)")
	vmpid=$(sed -n 's/.* vmproc=\([0-9]*\) .*/\1/p' $p)
	fk_check "probe" vm "$vmpid"
	fk_roundtrip 0
	w_boot=$(ms "$(stamp 1 /tmp/fault_kill.stamps)" "$(stamp 2 /tmp/fault_kill.stamps)")
	echo "fault_kill: windows pinning ${w_pinning} ms, reset ${w_reset} ms, boot ${w_boot} ms ($FAULT_KILL_BIG, $FAULT_KILL_BIG, 256M)"
	# Inside each: the first 80 % (smaller when a kill shows the phase was
	# shorter: the first runs of L1 are the slowest).
	for w in w_pinning w_reset w_boot; do
		eval "v=\$$w"
		[ "${v:-0}" -gt 10 ] || fail "phase $w lasted ${v:-?} ms: too short to aim at"
		eval "$w=$((v * 8 / 10))"
	done

	k=0
	round=1
	while [ $round -le $FAULT_KILL_ROUNDS ]; do
		for ph in pinning reset boot io; do
			k=$((k + 1))
			fk_kill $k $ph
		done
		[ $((round % 2)) = 0 ] && fk_roundtrip $round
		round=$((round + 1))
	done
	for ph in pinning reset boot io; do
		eval "v=\$n_$ph"
		[ "$v" -ge $FAULT_KILL_MIN_IN ] ||
			fail "only $v of the $FAULT_KILL_ROUNDS $ph kills landed inside the phase"
	done
	echo "fault_kill: survived $kills kills (pinning $n_pinning, reset $n_reset, boot $n_boot, io $n_io; $late past their phase; $n_monitor of the monitor), $trips round trips"
	pass "$kills kills (pinning $n_pinning, reset $n_reset, boot $n_boot, io $n_io, late $late, monitor $n_monitor), $trips round trips"
}
