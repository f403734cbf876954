# hugepages: with --hugepages, L2's RAM comes from L1's 2M hugetlbfs pool,
# reserved when ptvm starts (HugePages_Free less HugePages_Rsvd drops by the
# guest's 128 pages while L2 runs, and is back after); with one page too few
# ptvm refuses in one line naming the pages needed, the pages free and the
# sysctl that adds them. If L1 can find a 1G page at runtime, L2 also boots
# on one with --hugepages=1G (256M rounded up to one page).

# Pages of L1's default (2M) pool that a new mapping can still reserve.
huge_avail() {
	awk '/^HugePages_Free:/ { f = $2 } /^HugePages_Rsvd:/ { r = $2 } END { print f - r }' \
		/proc/meminfo
}

l1() {
	need_ptvm
	[ -w /proc/sys/vm/nr_hugepages ] || fail "L1's kernel has no hugetlbfs (/proc/sys/vm/nr_hugepages)"
	mb=${L2_MEMORY%M}
	need=$((mb / 2))
	echo $((need + 8)) >/proc/sys/vm/nr_hugepages
	have=$(huge_avail)
	[ "$have" -ge "$need" ] || fail "L1 reserved only $have of $((need + 8)) 2M pages"

	mkfifo /tmp/hugepages.in
	exec 3<>/tmp/hugepages.in
	L2_STDIN=/tmp/hugepages.in l2_start --end shell --hugepages --verbose
	if ! wait_out PTVM-SHELL-READY "$L2_TIMEOUT"; then
		kill -9 "$pid" 2>/dev/null
		l2_wait
		echo 0 >/proc/sys/vm/nr_hugepages
		fail "L2 never came up with --hugepages (no PTVM-SHELL-READY): $(head -n 1 "$err")"
	fi
	# The shell's first read may take a line as its terminal's answer:
	# say something until it answers, then it reads "exit" as a command.
	i=0
	while [ $i -lt 10 ]; do
		echo 'echo PTVM-HUGE-$((6*7))' >&3
		wait_out PTVM-HUGE-42 5 && break
		i=$((i + 1))
	done
	during=$(huge_avail)
	echo exit >&3
	l2_wait
	exec 3>&-
	after=$(huge_avail)
	echo "hugepages: available 2M pages before $have, while L2 ran $during, after $after"
	expect_rc 0
	[ $((have - during)) = "$need" ] ||
		fail "L2 ($L2_MEMORY) took $((have - during)) 2M pages of the pool, want $need"
	[ "$after" = "$have" ] || fail "the pool has $after pages free after ptvm, $have before"
	grep -q "memory: ${mb}M of guest RAM in $need 2M huge pages" "$err" ||
		fail "no 'memory: ${mb}M of guest RAM in $need 2M huge pages' line with --verbose"

	# One page short: refused at start, one line with the numbers and the fix.
	echo $((need - 1)) >/proc/sys/vm/nr_hugepages
	short=$(huge_avail)
	l2_run --hugepages
	echo 0 >/proc/sys/vm/nr_hugepages
	[ "$rc" = 1 ] || fail "with $short free 2M pages ptvm exited $rc, want 1"
	[ "$(wc -l <"$err")" = 1 ] || fail "with too few pages ptvm wrote $(wc -l <"$err") lines, want 1"
	want="--hugepages: the guest's RAM needs $need 2M huge pages, the pool has $short free: add them with sysctl vm.nr_hugepages=$need"
	grep -qF -e "$want" "$err" || fail "want '$want', got '$(cat "$err")'"

	g=/sys/kernel/mm/hugepages/hugepages-1048576kB
	[ -d $g ] || pass "(no 1G pages in L1: --hugepages=1G not run)"
	echo 1 >$g/nr_hugepages
	if [ "$(cat $g/free_hugepages)" != 1 ]; then
		echo 0 >$g/nr_hugepages
		pass "(L1 found no free 1G page at runtime: --hugepages=1G not run)"
	fi
	l2_run --hugepages=1G --verbose
	echo 0 >$g/nr_hugepages
	expect_out PTVM-L2-INIT-OK "PTVM-L2-INIT-OK marker with --hugepages=1G"
	expect_rc 0
	grep -q "memory: ${mb}M of guest RAM in 1 1G huge page\$" "$err" ||
		fail "no 'memory: ${mb}M of guest RAM in 1 1G huge page' line with --verbose"
	pass "(2M and 1G)"
}
