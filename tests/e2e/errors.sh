# errors: ptvm refuses bad input with a non-zero exit and exactly one line
# on stderr that names the offending thing. All four are checked and every
# miss is reported, not just the first.

# bad WHAT-TO-NAME ptvm-args...: run ptvm, record a miss in $misses.
bad() {
	name=$1
	shift
	echo "PTVM-RUN ptvm $*"
	timeout -s KILL 20 "$PTVM" "$@" </dev/null >/tmp/errors.out 2>/tmp/errors.err
	r=$?
	sed 's/^/  stderr| /' /tmp/errors.err
	lines=$(wc -l </tmp/errors.err)
	if [ "$r" = 0 ] || [ "$r" = 137 ]; then
		misses="$misses; '$*' exited $r"
	elif [ "$lines" != 1 ]; then
		misses="$misses; '$*' wrote $lines lines to stderr"
	elif ! grep -q -e "$name" /tmp/errors.err; then
		misses="$misses; '$*': stderr does not name '$name'"
	fi
}

l1() {
	need_ptvm
	misses=
	k="--kernel $L2_KERNEL --memory $L2_MEMORY"
	bad /nonexistent/bzImage run --kernel /nonexistent/bzImage
	# An ELF executable is a file, just not a bzImage.
	bad /bin/busybox run --kernel /bin/busybox
	bad cpus run $k --cpus 0
	bad --no-such-option run $k --no-such-option
	[ -z "$misses" ] || fail "${misses#; }"
	pass
}
