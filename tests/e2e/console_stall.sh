# console_stall: a stdout nobody reads does not stop the guest, and SIGTERM
# still ends ptvm at once.
#
# e2e: opt-in (L1 under TCG went idle for good, timers and all, during the stall in 2 of 4 runs; not isolated)
#
# L2 prints numbered lines. ptvm's stdout is a FIFO whose reader holds it
# open without reading: the FIFO (64 KiB) and ptvm's buffer (64 KiB) fill,
# ptvm says once on stderr that it drops output, and the guest must keep
# running. 30 s later the reader reads for 3 s: it must see the numbers
# jump (what was dropped) and go on past them. Then it stalls again; once
# the FIFO is full again, SIGTERM must end ptvm within a second with exit
# code 130. --stats must count dropped bytes, and more PIO exits than bytes
# written and dropped together: the guest wrote each dropped byte to the
# UART while the reader stalled, so it ran.
#
# ptvm's stdin is /dev/null here, not a terminal: with L1's console
# (ttyS0) as its stdin, the first run of this case saw no output from L1
# at all after ptvm started (not isolated). The terminal's restoration is
# covered by tests/unit/test_console.c on a pty.
#
# L1 runs one TCG vCPU: every wait here is timed by /proc/uptime and
# shell builtins, since commands run slowly while L2 is busy.

# Each line ~200 bytes; the counter is followed by a space, so a line cut
# where bytes were dropped cannot pass for a whole number unless a space
# follows it. The pause between lines leaves L1 time to run while output
# is dropped (each dropped byte is still a UART exit).
l2() {
	pad=PTVM-PAD-0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz
	pad=$pad-$pad
	i=0
	while :; do
		i=$((i + 1))
		echo "PTVM-COUNT $i $pad"
		usleep 20000
	done
}

# Whole seconds of L1 uptime, by builtins only.
cs_now() {
	local u
	read -r u _ </proc/uptime
	echo "${u%.*}"
}

# True while process $pid has not exited (a zombie has exited).
cs_alive() {
	local s
	read -r s 2>/dev/null </proc/"$pid"/stat || return 1
	set -- $s
	[ "$3" != Z ]
}

# True once ptvm's stderr has the drop notice (builtins only).
cs_noticed() {
	local l
	[ -f "$err" ] || return 1
	while read -r l; do
		case $l in *"dropping guest output"*) return 0 ;; esac
	done <"$err"
	return 1
}

l1() {
	L2_TIMEOUT=400
	fifo=/tmp/console_stall.fifo
	rm -f "$fifo" /tmp/console_stall.go /tmp/console_stall.read
	mkfifo "$fifo"
	why=

	t0=$(cs_now)
	L2_STDOUT=$fifo l2_start --stats
	got=$out.got
	# The reader: opens the FIFO and reads nothing until told, then for 3 s,
	# then nothing again (exec: killing $rpid ends it).
	(
		exec 3<"$fifo"
		while [ ! -e /tmp/console_stall.go ]; do sleep 1; done
		timeout 3 cat <&3 >"$got"
		: >/tmp/console_stall.read
		exec sleep 1000
	) &
	rpid=$!

	# Measured: the notice came 32 s after the start (L2's boot included).
	while ! cs_noticed && cs_alive && [ $(($(cs_now) - t0)) -lt 120 ]; do
		sleep 1
	done
	noticed=$(($(cs_now) - t0))
	told=
	if cs_noticed; then
		told=1
		echo "PTVM-STALL: notice after ${noticed}s; stalling 30 s more"
		sleep 30
		: >/tmp/console_stall.go
		t=$(cs_now)
		while [ ! -e /tmp/console_stall.read ] && [ $(($(cs_now) - t)) -lt 30 ]; do
			sleep 1
		done
		# Stalled again: wait as long as the first fill took (L2's boot
		# included), so FIFO and buffer are full again, then SIGTERM.
		echo "PTVM-STALL: read for 3 s; stalling ${noticed}s, then SIGTERM"
		sleep "$noticed"
	else
		# No notice: a ptvm that blocks on the full FIFO froze the guest
		# long ago. SIGTERM now, with the FIFO still full; resuming a
		# guest frozen that long wedged L1 in a run of this case against
		# a ptvm that blocked.
		why="${why}no drop notice on stderr ${noticed}s after ptvm started; "
		echo "PTVM-STALL: no notice after ${noticed}s; SIGTERM now"
	fi
	cs_alive || why="${why}ptvm ended before the SIGTERM; "
	# A ptvm that ignores it is killed after 10 s (rc 137).
	(
		sleep 10
		kill -KILL "$pid" 2>/dev/null
	) &
	dog=$!
	read -r t1 _ </proc/uptime
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	read -r t2 _ </proc/uptime
	kill "$dog" 2>/dev/null
	kill "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null
	rm -f "$fifo" /tmp/console_stall.go /tmp/console_stall.read
	# The log gets the reader's first and last lines, not all of them.
	: >>"$got"
	tr -d '\r' <"$got" >"$got.txt"
	{
		head -n 3 "$got.txt"
		echo "... ($(wc -c <"$got.txt") bytes read after the stall)"
		tail -n 3 "$got.txt"
	} >"$out"
	l2_log

	stop_ms=$(awk "BEGIN { printf \"%d\", ($t2 - $t1) * 1000 }")
	# The counters the reader saw, in order; the first jump forward is where
	# bytes were dropped: last before it, first after it, and the largest.
	set -- $(grep -o 'PTVM-COUNT [0-9]* ' "$got.txt" | awk '{ n = $2 + 0
		if (seen && !gap && n > prev + 1) { gap = 1; before = prev; first = n }
		if (n > max) max = n
		prev = n; seen = 1 }
		END { print (seen ? max : 0), (gap ? before : 0), (gap ? first : 0) }')
	max=$1 before_gap=$2 after_gap=$3
	written=$(ptvm_stat console written)
	dropped=$(ptvm_stat console dropped)
	pio=$(ptvm_stat exits pio)

	[ "$rc" = 130 ] || why="${why}ptvm exited $rc after SIGTERM, want 130; "
	[ "$stop_ms" -lt 1000 ] || why="${why}ptvm took ${stop_ms} ms to end after SIGTERM; "
	# The reader read only if there was a notice: else the counters say nothing.
	if [ -n "$told" ]; then
		[ "$max" -gt 0 ] || why="${why}the reader saw no PTVM-COUNT line after the stall; "
		# 100 lines are ~20 KB: far more than a line cut short where bytes went.
		[ "$after_gap" -gt $((before_gap + 100)) ] ||
			why="${why}no jump in the counter after the stall (guest stopped?): max $max; "
	fi
	[ "${dropped:-0}" -gt 0 ] ||
		why="${why}--stats counts no dropped bytes: $(grep 'stats: console' "$err"); "
	[ "${pio:-0}" -gt $((${written:-0} + ${dropped:-0})) ] ||
		why="${why}PIO exits ${pio:-none} not above bytes written ${written:-?} + dropped ${dropped:-?}; "
	[ -z "$why" ] || fail "$why"
	pass "gap $before_gap->$after_gap max $max dropped $dropped written $written pio $pio" \
		"notice ${noticed}s sigterm ${stop_ms}ms rc $rc"
}
