#!/bin/bash
# make check: host unit tests, then every tests/cases/*.sh in a freshly
# booted VM per case, on each test kernel. Prints "N passed, N failed"
# last and exits non-zero on any failure.
#
#   tests/check.sh [all|unit|vm]
#
# Environment: GODIAG_KERNELS (default "6.1 6.12"), GODIAG_CASES (a
# substring filter on case names), GODIAG_VM_TIMEOUT (per case, s).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${GODIAG_BUILD:-$repo/build}
mode=${1:-all}
kernels=${GODIAG_KERNELS:-6.1 6.12}
passed=0
failed=0
failures=()

note_fail() {
	failed=$((failed + 1))
	failures+=("$1")
}

count_unit() {
	local log=$build/unit.log line
	echo "== unit tests (host, ASan+UBSan)"
	make -s -C "$repo/tests/unit" check 2>&1 | tee "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	if [ -z "$line" ]; then
		note_fail "unit: test runner did not finish"
		return
	fi
	passed=$((passed + ${line%% passed*}))
	local f=${line#*, }
	f=${f%% failed}
	[ "$f" -eq 0 ] || for _ in $(seq "$f"); do note_fail "unit (see $log)"; done
}

build_all() {
	make -s -C "$repo/ctl" >/dev/null || return 1
	make -s -C "$repo/tests/progs" O="$build/progs" >/dev/null || return 1
}

# run_case KERNEL CASE: boot, run, count ok/not ok lines.
run_case() {
	local k=$1 case=$2 name log status oks bads
	name=$(basename "$case" .sh)
	log=$build/check/$k-$name.log
	mkdir -p "$build/check"
	"$repo/tests/vm/run.sh" -k "$k" -t "${GODIAG_VM_TIMEOUT:-1800}" -- "$case" \
		>"$log" 2>&1
	status=$?
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	oks=$(grep -c '^ok - ' "$log")
	bads=$(grep -c '^not ok - ' "$log")
	passed=$((passed + oks))
	while IFS= read -r line; do
		note_fail "$k $name: ${line#not ok - }"
	done < <(grep '^not ok - ' "$log")
	if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
		note_fail "$k $name: VM run failed with status $status ($(grep '^run.sh:' "$log" | tail -1))"
	elif [ "$status" -eq 1 ] && [ "$bads" -eq 0 ]; then
		note_fail "$k $name: case failed outside an assertion"
	fi
	printf '%-5s %-28s %3d ok %3d not ok  %s\n' "$k" "$name" "$oks" "$bads" \
		"$([ "$status" -le 1 ] || echo "(vm status $status, log $log)")"
}

run_vm() {
	local k case
	echo "== VM tests"
	if ! build_all; then
		note_fail "build of godiagctl or test programs failed"
		return
	fi
	for k in $kernels; do
		if ! "$repo/tests/build-module.sh" "$k" >"$build/module-$k.log" 2>&1; then
			note_fail "$k: module build failed (see $build/module-$k.log)"
			continue
		fi
		for case in "$repo"/tests/cases/*.sh; do
			[[ $(basename "$case") == *"${GODIAG_CASES:-}"* ]] || continue
			run_case "$k" "$case"
		done
	done
}

mkdir -p "$build"
case $mode in
all) count_unit; run_vm ;;
unit) count_unit ;;
vm) run_vm ;;
*) echo "usage: tests/check.sh [all|unit|vm]" >&2; exit 2 ;;
esac

for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
