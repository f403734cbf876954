# What the bench's own cases (place.sh, fastboot.sh) share.

# Prefix each line read with L1's uptime, as it arrives.
stamp() {
	while IFS= read -r l; do
		read -r u _ </proc/uptime
		echo "$u $l"
	done
}
