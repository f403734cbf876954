# console_stall: a stdout nobody reads does not stop the guest, and SIGTERM
# still ends ptvm at once.
#
# L2 prints numbered lines as fast as its console goes. ptvm's stdout is a
# FIFO whose reader holds it open without reading: the FIFO (64 KiB) and
# ptvm's ring (64 KiB) fill, ptvm says once on stderr that it drops output,
# and the guest must keep running. 30 s later the reader reads for 3 s: it
# must see the numbers jump (what was dropped) and go on past them. Then
# it stalls again; once the FIFO is full again, SIGTERM must end ptvm within
# a second with exit code 130, and ptvm's stdin, L1's console (a terminal,
# which ptvm puts in raw mode), must have its settings back (stty -g).
# --stats must count dropped bytes, and more PIO exits than bytes written
# and dropped together: the guest wrote each dropped byte to the UART while
# the reader stalled, so it ran.

# Each line ~120 bytes; the counter is followed by a space, so a line cut
# where bytes were dropped cannot pass for a whole number unless a space
# follows it.
l2() {
	pad=PTVM-PAD-0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz-0123456789
	i=0
	while :; do
		i=$((i + 1))
		echo "PTVM-COUNT $i $pad"
	done
}

# The state letter of process $1 ("" once reaped): Z once it has exited.
cs_state() {
	awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null
}

# Wait up to $2 seconds for pattern $1 in ptvm's stderr, while ptvm runs.
cs_wait_err() {
	local i=0
	while [ "$i" -lt $(($2 * 5)) ]; do
		grep -qs -e "$1" "$err" && return 0
		[ "$(cs_state "$pid")" = Z ] && return 1
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

l1() {
	# A run of a few minutes: longer than the default ptvm timeout.
	L2_TIMEOUT=300
	tty=/dev/ttyS0
	[ -c "$tty" ] || tty=/dev/console
	fifo=/tmp/console_stall.fifo
	rm -f "$fifo" /tmp/console_stall.go /tmp/console_stall.read
	mkfifo "$fifo"
	before=$(stty -g <"$tty") || fail "stty -g on $tty: L1's console is not a terminal"
	why=

	L2_STDIN=$tty L2_STDOUT=$fifo l2_start --stats
	got=$out.got
	# The reader: opens the FIFO and reads nothing until told, then for 3 s,
	# then nothing again (exec: killing $rpid ends it).
	(
		exec 3<"$fifo"
		while [ ! -e /tmp/console_stall.go ]; do sleep 0.2; done
		timeout 3 cat <&3 >"$got"
		touch /tmp/console_stall.read
		exec sleep 1000
	) &
	rpid=$!

	t0=$(uptime_s)
	if cs_wait_err "dropping guest output" 150; then
		fill=$(awk "BEGIN { printf \"%d\", $(uptime_s) - $t0 + 1 }")
	else
		why="${why}no drop notice on stderr within 150 s of the reader stalling; "
		fill=60
	fi
	echo "PTVM-STALL: stdout full after ${fill}s; stalled 30 s more"
	sleep 30
	touch /tmp/console_stall.go
	i=0
	while [ ! -e /tmp/console_stall.read ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# Stalled again: wait until FIFO and ring are full again (no longer
	# than they took the first time, with L2's boot), then SIGTERM.
	[ "$fill" -le 60 ] || fill=60
	sleep "$fill"
	state=$(cs_state "$pid")
	[ "$state" != Z ] && [ -n "$state" ] || why="${why}ptvm ended before the SIGTERM; "
	t1=$(uptime_s)
	kill -TERM "$pid"
	i=0
	while [ "$(cs_state "$pid")" != Z ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	t2=$(uptime_s)
	if [ "$(cs_state "$pid")" != Z ]; then
		why="${why}ptvm still running 5 s after SIGTERM; "
		kill -KILL "$pid"
	fi
	wait "$pid"
	rc=$?
	after=$(stty -g <"$tty")
	# Whatever happened, the next case gets L1's console as it was.
	stty "$before" <"$tty"
	kill "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null
	rm -f "$fifo" /tmp/console_stall.go /tmp/console_stall.read
	# The log gets the reader's first and last lines and the jump, not all.
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
	[ "$after" = "$before" ] ||
		why="${why}$tty settings not restored (stty -g before $before, after $after); "
	[ "$max" -gt 0 ] || why="${why}the reader saw no PTVM-COUNT line after the stall; "
	# 100 lines are ~12 KB: far more than a line cut short at the drop.
	[ "$after_gap" -gt $((before_gap + 100)) ] ||
		why="${why}no jump in the counter after the stall (guest stopped?): max $max; "
	[ "${dropped:-0}" -gt 0 ] || why="${why}--stats counts no dropped bytes: $(grep 'stats: console' "$err"); "
	[ "${pio:-0}" -gt $((${written:-0} + ${dropped:-0})) ] ||
		why="${why}PIO exits ${pio:-none} not above bytes written ${written:-?} + dropped ${dropped:-?}; "
	[ -z "$why" ] || fail "$why"
	pass "gap $before_gap->$after_gap max $max dropped $dropped written $written pio $pio" \
		"sigterm ${stop_ms}ms rc $rc"
}
