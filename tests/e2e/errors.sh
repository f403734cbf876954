# errors: ptvm refuses bad input with a non-zero exit and exactly one line
# on stderr that names the offending thing. Every case is checked and every
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
	# The real kernel with its boot protocol version patched to 2.10.
	cp "$L2_KERNEL" /tmp/old-bzImage
	printf '\012\002' | dd of=/tmp/old-bzImage bs=1 seek=518 conv=notrunc 2>/dev/null
	bad "boot protocol 2.10 is too old" run --kernel /tmp/old-bzImage
	bad cpus run $k --cpus 0
	bad "cpus '255'" run $k --cpus 255
	bad --no-such-option run $k --no-such-option
	bad "memory too small for the kernel" run --kernel "$L2_KERNEL" --memory 32M
	# L1's CPU has 40 physical address bits: 1T of RAM cannot be addressed.
	bad "memory 1048576M does not fit the guest's 40-bit physical address space (at most 1023G)" \
		run --kernel "$L2_KERNEL" --memory 1T
	truncate -s 100M /tmp/big-initrd
	bad "initrd (100 MiB) does not fit" run --kernel "$L2_KERNEL" --memory 96M \
		--initrd /tmp/big-initrd
	bad /nonexistent/initrd run $k --initrd /nonexistent/initrd
	rm -f /tmp/old-bzImage /tmp/big-initrd
	[ -z "$misses" ] || fail "${misses#; }"
	pass
}
