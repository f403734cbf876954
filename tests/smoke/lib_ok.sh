# Sourced by the smoke scripts: each check is `ok CMD...`, named by $what;
# ok_end LABEL prints "LABEL: N passed, N failed" and fails on any failure.
passed=0
failed=0

ok() {
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "  FAILED: $what"
	fi
}

ok_end() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# ok_need_kvm LABEL: end the script (as a pass, saying so) unless it runs as
# root with /dev/kvm writable, which the tiny guests need.
ok_need_kvm() {
	[ "$(id -u)" = 0 ] && [ -w /dev/kvm ] && return 0
	echo "  skipped: needs root and /dev/kvm"
	ok_end "$1"
	exit
}
