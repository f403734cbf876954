# bench: five L2 boots in one L1 (the L2 init prints PTVM-L2-INIT-OK and
# powers off at once; no payload). Per run, one line for scripts/bench/boot.sh:
#   PTVM-BENCH run=I marker_s=S exit_s=S hwm_kb=K guest_kb=K overhead_kb=K rc=R
# marker_s: L1 uptime from just before starting ptvm to the arrival of the
#   marker line on ptvm's stdout (each line is stamped as it arrives; /proc/
#   uptime has 10 ms steps, busybox date has no %N). exit_s: to ptvm's exit.
# Memory is sampled from /proc/PID every 0.25 s while ptvm runs:
# hwm_kb: ptvm's peak RSS (VmHWM at the last sample), guest RAM included,
#   since KVM faults guest pages into ptvm's own mapping. (Not busybox
#   `time -v`: its "Maximum resident set size" is ru_maxrss taken for pages,
#   4x too big.)
# guest_kb: the Rss of ptvm's guest RAM mapping (the one whose Size equals
#   the guest memory) at the last sample.
# overhead_kb: the largest VmRSS - guest RAM Rss over the samples: what
#   ptvm itself costs beyond the guest memory it backs (its binary, heap,
#   stacks, and any file it keeps mapped, e.g. the bzImage).

BENCH_RUNS=5

# Prefix each line read with L1's uptime, as it arrives.
stamp() {
	while IFS= read -r l; do
		read -r u _ </proc/uptime
		echo "$u $l"
	done
}

# rss_sample MEM_KB: for the running ptvm, print "hwm_kb overhead_kb guest_kb".
rss_sample() {
	local tries=0 p hwm=0 over=0 guest=0 g r h
	until p=$(pidof ptvm); do
		tries=$((tries + 1))
		[ "$tries" -lt 50 ] || { echo "0 0 0"; return; }
		sleep 0.1
	done
	p=${p%% *}
	while [ -d "/proc/$p" ]; do
		g=$(awk -v mem="$1" '
			/^[0-9a-f]+-[0-9a-f]+ / { size = 0 }
			/^Size:/ { size = $2 }
			/^Rss:/ && size == mem { g += $2 }
			END { print g + 0 }' "/proc/$p/smaps" 2>/dev/null)
		r=$(awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print r + 0, h + 0 }' \
			"/proc/$p/status" 2>/dev/null)
		h=${r#* } r=${r% *}
		# An exiting process has its mappings gone: keep the last full sample.
		if [ "${g:-0}" -gt 0 ] && [ "${r:-0}" -gt 0 ]; then
			guest=$g hwm=$h
			[ $((r - g)) -le "$over" ] || over=$((r - g))
		fi
		sleep 0.25
	done
	echo "$hwm $over $guest"
}

l1() {
	need_ptvm
	case $L2_MEMORY in *M) ;; *) fail "L2_MEMORY must be in MiB (NNNM)" ;; esac
	mem_kb=$((${L2_MEMORY%M} * 1024))
	i=1
	while [ "$i" -le "$BENCH_RUNS" ]; do
		t0=$(uptime_s)
		{
			timeout -s KILL "$L2_TIMEOUT" "$PTVM" run --kernel "$L2_KERNEL" \
				--initrd "$L2_INITRD" --memory "$L2_MEMORY" \
				--cmdline "$L2_CMDLINE" </dev/null 2>/tmp/bench.err
			echo $? >/tmp/bench.rc
		} | stamp >/tmp/bench.out &
		job=$!
		rss_sample "$mem_kb" >/tmp/bench.rss
		wait "$job"
		t1=$(uptime_s)
		sed 's/^/  l2| /' /tmp/bench.out
		sed 's/^/  stderr| /' /tmp/bench.err
		tm=$(tr -d '\r' </tmp/bench.out | awk '/PTVM-L2-INIT-OK/ { print $1; exit }')
		[ -n "$tm" ] || fail "run $i: no PTVM-L2-INIT-OK (ptvm exit $(cat /tmp/bench.rc))"
		read -r hwm over guest </tmp/bench.rss
		echo "PTVM-BENCH run=$i marker_s=$(awk "BEGIN{print $tm - $t0}")" \
			"exit_s=$(awk "BEGIN{print $t1 - $t0}") hwm_kb=$hwm" \
			"guest_kb=$guest overhead_kb=$over rc=$(cat /tmp/bench.rc)"
		i=$((i + 1))
	done
	pass
}
