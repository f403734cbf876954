# json_lines FILE: 0 when every line of FILE is exactly one valid JSON value
# (RFC 8259: objects, arrays, strings with their escapes, numbers, true,
# false, null), else 1 with the first bad line named on stderr. Busybox awk
# is all L1 has (no python, no jq); the host smoke test uses it too.
json_lines() {
	awk '
	function ws() { while (substr(s, p, 1) == " " || substr(s, p, 1) == "\t") p++ }
	function str(   c) {
		if (substr(s, p, 1) != "\"") return 0
		for (p++; p <= n; ) {
			c = substr(s, p, 1)
			if (c == "\"") { p++; return 1 }
			if (c == "\\") {
				c = substr(s, p + 1, 1)
				if (index("\"\\/bfnrt", c)) p += 2
				else if (c == "u" && substr(s, p + 2, 4) ~ /^[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]$/) p += 6
				else return 0
			} else if (c ~ /[\001-\037]/) {
				return 0
			} else {
				p++
			}
		}
		return 0
	}
	function num() {
		if (!match(substr(s, p), /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) return 0
		p += RLENGTH
		return 1
	}
	function list(end, keyed,   c) {
		p++
		ws()
		if (substr(s, p, 1) == end) { p++; return 1 }
		for (;;) {
			if (keyed) {
				ws()
				if (!str()) return 0
				ws()
				if (substr(s, p, 1) != ":") return 0
				p++
			}
			if (!val()) return 0
			ws()
			c = substr(s, p, 1)
			p++
			if (c == end) return 1
			if (c != ",") return 0
		}
	}
	function val(   c) {
		ws()
		c = substr(s, p, 1)
		if (c == "{") return list("}", 1)
		if (c == "[") return list("]", 0)
		if (c == "\"") return str()
		if (substr(s, p, 4) == "true" || substr(s, p, 4) == "null") { p += 4; return 1 }
		if (substr(s, p, 5) == "false") { p += 5; return 1 }
		return num()
	}
	{
		s = $0; n = length(s); p = 1
		ok = val()
		ws()
		if (!ok || p <= n) { print "not one JSON value: line " NR ": " s > "/dev/stderr"; exit 1 }
	}' "$1"
}
