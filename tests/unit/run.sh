#!/bin/sh
# Runs test binaries, shows their output, and ends with "N passed, N failed"
# counting the "ok" and "FAIL" case lines of all of them. A binary that dies
# (a sanitizer report, a crash) counts as one more failure.
set -u

passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for t in "$@"; do
	"$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $t exited with status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
