# api: the control socket (--api-socket) while L2 runs with the NVMe passed
# through. From L1, `ptvm ctl` does every verb; garbage, an oversize line, a
# client that closes mid-request, one that never reads its replies and one
# too many get error replies or are dropped, and the VM runs on; so do a
# device-del of a device the VM does not have and a device-add with no
# free slot (--hotplug-slots 0: the NVMe's port is the only one). L2 prints a
# tick counter: it does not advance while paused and does after resume.
# poweroff, sent while paused, ends ptvm with exit 0; the socket is gone.

l2() {
	i=0
	while :; do
		echo "PTVM-TICK $i"
		i=$((i + 1))
		sleep 0.2
	done
}

API_SOCK=/run/ptvm-api.sock

# The last tick L2 printed.
api_tick() {
	grep -o 'PTVM-TICK [0-9]*' "$out" | tail -n 1 | cut -d' ' -f2
}

# api_die REASON: stop ptvm, keep its output in the log, fail.
api_die() {
	kill -9 "$pid" 2>/dev/null
	l2_wait
	fail "$*"
}

# api_ctl NAME ARGS...: ptvm ctl on the socket; its stdout in /tmp/api.NAME,
# stderr in /tmp/api.NAME.err, exit code in $crc; both logged.
api_ctl() {
	n=$1
	shift
	"$PTVM" ctl "$API_SOCK" "$@" >"/tmp/api.$n" 2>"/tmp/api.$n.err"
	crc=$?
	echo "ctl $n ($*): rc=$crc $(head -c 300 "/tmp/api.$n") $(cat "/tmp/api.$n.err")"
}

# api_raw NAME: stdin to ptvm ctl --raw, as api_ctl.
api_raw() {
	"$PTVM" ctl "$API_SOCK" --raw >"/tmp/api.$1" 2>"/tmp/api.$1.err"
	crc=$?
	echo "ctl $1 (raw): rc=$crc $(head -c 600 "/tmp/api.$1") $(cat "/tmp/api.$1.err")"
}

# api_has NAME TEXT: ctl output NAME holds TEXT exactly (fixed string).
api_has() {
	grep -qF -e "$2" "/tmp/api.$1" || api_die "ctl $1: no '$2' in: $(head -c 300 "/tmp/api.$1")"
}

api_alive() {
	t=$(api_tick)
	wait_out "PTVM-TICK $((t + 2))" 10 || api_die "L2 stopped ticking after $1 (last tick $t)"
	api_ctl alive status
	[ "$crc" = 0 ] || api_die "status failed after $1"
	api_has alive '"state":"running"'
}

l1() {
	need_ptvm
	# A path that is not a socket is refused before anything starts.
	echo keep >/tmp/api.notsock
	l2_run --api-socket /tmp/api.notsock
	expect_rc 1 "--api-socket on a regular file"
	grep -qF "ptvm: --api-socket /tmp/api.notsock: exists and is not a socket (remove it or choose another path)" "$err" ||
		fail "no refusal line for a regular file: $(head -n 1 "$err")"
	[ "$(cat /tmp/api.notsock)" = keep ] || fail "the regular file at --api-socket was changed"

	nvme=$(pci_find_class 0x010802) || fail "no NVMe (class 0x010802) in L1"
	vfio_bind "$nvme" >/dev/null || fail "vfio-pci did not bind $nvme"
	l2_start --stats --passthrough "$nvme" --hotplug-slots 0 --api-socket "$API_SOCK"
	wait_out "PTVM-TICK 3" "$L2_TIMEOUT" || api_die "L2 never ticked"
	[ "$(stat -c '%a %F' "$API_SOCK")" = "600 socket" ] ||
		api_die "socket mode/type: $(stat -c '%a %F' "$API_SOCK")"

	api_ctl status status
	[ "$crc" = 0 ] || api_die "status: rc $crc"
	json_lines /tmp/api.status || api_die "status is not one JSON line"
	api_has status '{"state":"running","vcpus":1,"memory":268435456,"uptime_ms":'
	api_has status "\"devices\":[{\"bdf\":\"$nvme\",\"iommu_group\":"
	api_ctl stats stats
	[ "$crc" = 0 ] || api_die "stats: rc $crc"
	json_lines /tmp/api.stats || api_die "stats is not one JSON line"
	api_has stats '{"exits":{"pio":'
	api_has stats '"wakeups":{"console":'
	api_has stats '},"reboots":0,"console_written":'
	api_has stats "\"devices\":[{\"bdf\":\"$nvme\",\"trapped_reads\":"

	# Garbage, a request without a verb, an unknown verb, a NUL-free binary line.
	printf 'garbage\n{"id":1}\n{"id":2,"verb":"nope"}\n\001\377\n' | api_raw garbage
	[ "$crc" = 0 ] || api_die "raw garbage: rc $crc"
	[ "$(wc -l </tmp/api.garbage)" = 4 ] || api_die "garbage: want 4 error replies"
	api_has garbage '{"id":null,"error":"request is not JSON: unexpected character"}'
	api_has garbage '{"id":1,"error":"request has no \"verb\"'
	api_has garbage '{"id":2,"error":"unknown verb \"nope\"'
	# A 10000-byte line: one error, then the next request is answered.
	{ head -c 10000 /dev/zero | tr '\0' a; echo; echo '{"id":3,"verb":"status"}'; } |
		api_raw oversize
	[ "$(wc -l </tmp/api.oversize)" = 2 ] || api_die "oversize: want 2 replies"
	api_has oversize '{"id":null,"error":"request line longer than 4096 bytes: ignored up to its newline"}'
	api_has oversize '{"id":3,"ok":{"state":"running"'
	# Closed mid-request: no reply, nothing run.
	printf '{"id":4,"verb":"powe' | api_raw midreq
	[ "$crc" = 0 ] && [ ! -s /tmp/api.midreq ] || api_die "mid-request close: rc $crc"
	# Never reads: 10000 requests sent before reading any reply; dropped.
	yes '{"id":5,"verb":"stats"}' | head -n 10000 | api_raw flood
	grep -q "ptvm: api: a client that does not read its replies was dropped" "$err" ||
		api_die "the flooding client was not dropped (ctl rc $crc)"
	# One client too many.
	cpids=
	for _ in 1 2 3 4; do
		sleep 4 | "$PTVM" ctl "$API_SOCK" --raw >/dev/null 2>&1 &
		cpids="$cpids $!"
	done
	sleep 1
	api_ctl full status
	[ "$crc" = 1 ] || api_die "a fifth client: rc $crc"
	grep -qF "ptvm: ctl: too many clients (at most 4 at once); try again later" /tmp/api.full.err ||
		api_die "a fifth client: no refusal line"
	# shellcheck disable=SC2086 # the four pids
	wait $cpids
	api_alive "the hostile clients"
	# Hot-plug refused: the exact error lines, the VM runs on, the NVMe stays.
	api_ctl unplug device-del 0000:00:1f.0
	[ "$crc" = 1 ] || api_die "device-del of a device the VM lacks: rc $crc"
	[ "$(cat /tmp/api.unplug.err)" = "ptvm: ctl: device-del: 0000:00:1f.0 is not a device of this VM" ] ||
		api_die "device-del: error line '$(cat /tmp/api.unplug.err)'"
	api_ctl plug device-add 0000:00:1f.0
	[ "$crc" = 1 ] || api_die "device-add with no free slot: rc $crc"
	[ "$(cat /tmp/api.plug.err)" = "ptvm: ctl: device-add: 0000:00:1f.0: no free slot (every root port holds a device; start ptvm with more --hotplug-slots)" ] ||
		api_die "device-add: error line '$(cat /tmp/api.plug.err)'"
	api_alive "the refused hot-plug requests"
	api_ctl still status
	api_has still "\"devices\":[{\"bdf\":\"$nvme\",\"iommu_group\":"

	# Pause: ticks stop (1 s to settle what was in flight, then 3 s still).
	api_ctl pause pause
	[ "$crc" = 0 ] || api_die "pause: rc $crc"
	api_has pause '{"state":"paused"}'
	api_ctl paused status
	api_has paused '"state":"paused"'
	sleep 1
	t1=$(api_tick)
	sleep 3
	t2=$(api_tick)
	[ "$t1" = "$t2" ] || api_die "L2 ticked while paused: $t1 -> $t2"
	api_ctl pause2 pause
	[ "$crc" = 0 ] || api_die "pause when paused: rc $crc"
	api_ctl resume resume
	[ "$crc" = 0 ] || api_die "resume: rc $crc"
	api_has resume '{"state":"running"}'
	wait_out "PTVM-TICK $((t2 + 3))" 10 || api_die "L2 did not tick after resume (last $(api_tick))"
	api_ctl resume2 resume
	[ "$crc" = 0 ] || api_die "resume when running: rc $crc"

	# poweroff while paused: ptvm ends at once, exit 0.
	api_ctl pause3 pause
	api_ctl poweroff poweroff
	[ "$crc" = 0 ] || api_die "poweroff: rc $crc"
	api_has poweroff '{"state":"stopping"}'
	t_off=$(uptime_s)
	l2_wait
	expect_rc 0 "after poweroff on the control socket"
	secs=$(awk "BEGIN{print $(uptime_s) - $t_off}")
	grep -qF "ptvm: stopped by the control socket (poweroff)" "$err" || fail "no poweroff line"
	[ ! -e "$API_SOCK" ] || fail "the socket file is still there after exit"
	api=$(ptvm_stat loop api)
	[ -n "$api" ] && [ "$api" -gt 0 ] || fail "no api wakeups in --stats: $(grep 'loop wakeups' "$err")"
	pass "ticks paused at $t1, exit after poweroff ${secs}s, api wakeups $api"
}
