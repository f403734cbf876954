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
