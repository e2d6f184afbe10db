#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Replays every input under tests/fuzz/regress/TARGET/ once through its
# target (build/fuzz/regress_*: gcc with ASan and UBSan, no libFuzzer):
# one "ok TARGET/FILE" or "FAIL TARGET/FILE (why)" line each, then
# "N passed, N failed" counted as tests/unit/run.sh does. Run by
# 'make fuzz-regress' and by the unit phase of 'make check'.
set -u

here=$(cd "$(dirname "$0")" && pwd)
O=${O:-$here/../../build/fuzz}
passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== fuzz regression inputs (tests/fuzz/regress)"
for dir in "$here"/regress/*/; do
	[ -d "$dir" ] || continue
	t=$(basename "$dir")
	bin=$O/regress_${t#fuzz_}
	if [ ! -x "$bin" ]; then
		echo "FAIL $t: no replayer $bin"
		failed=$((failed + 1))
		continue
	fi
	"$bin" "$t" "$dir" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $t: $bin exited with status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

[ $((passed + failed)) -gt 0 ] ||
	echo "(no inputs: the fuzzers have not found a crash to keep; see tests/fuzz/regress/README)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
