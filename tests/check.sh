#!/bin/bash
# make check: host unit tests, then every tests/cases/*.sh in a freshly
# booted VM per case, on each test kernel. Prints "N passed, N failed"
# last and exits non-zero on any failure.
#
#   tests/check.sh [all|unit|vm|dkms|debug]
#
#   all    unit tests, then the VM cases on 6.1, 6.12 and 6.12 PREEMPT_RT (rt);
#          the DKMS case (a real dkms build and install in the guest,
#          15 min under emulation) on 6.1 only: Debian 12's own kernel, and
#          the cheapest (6.12's modules are .ko.xz: each depmod dkms runs
#          decompresses all ~4200, 8 s of CPU natively against 0.6 s on 6.1)
#   unit   the unit tests only
#   vm     the VM cases only, as in "all"
#   dkms   the DKMS case on every kernel (make check-dkms)
#   debug  every VM case but the DKMS one on the debug kernel (KASAN,
#          UBSAN, lockdep, kmemleak ...), each followed by a kmemleak scan
#          that fails the case when a leak was allocated by godiag
#          (make check-debug). The DKMS case tests the packaging, not the
#          kernel code (01-module loads the same module), and a dkms
#          build under KASAN would take far longer than any other case.
#
# Environment: GODIAG_KERNELS (default "6.1 6.12 rt"; "debug" in debug
# mode), GODIAG_DKMS_KERNELS (kernels the DKMS case runs on in all/vm
# mode; default 6.1, or all of GODIAG_KERNELS when that is set; empty:
# none), GODIAG_FAULT_KERNELS (kernels that get the module's fault-
# injection build too, which 31-faults uses to fail its allocations one
# at a time; default 6.1 and debug: the error paths are the same code
# everywhere, and the debug kernel is where KASAN and kmemleak watch them),
# GODIAG_CASES (substrings of case names, space-separated: a case runs
# when its name contains one), GODIAG_VM_TIMEOUT (per case, s; default
# 1800, 5400 in debug mode), GODIAG_VM_KMEMLEAK_TIMEOUT (debug mode: the
# budget of each case's final kmemleak scans, s; default 900).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${GODIAG_BUILD:-$repo/build}
mode=${1:-all}
kernels=${GODIAG_KERNELS:-6.1 6.12 rt}
dkms_kernels=${GODIAG_DKMS_KERNELS-${GODIAG_KERNELS:-6.1}}
fault_kernels=${GODIAG_FAULT_KERNELS-6.1 debug}
vm_timeout=${GODIAG_VM_TIMEOUT:-1800}
passed=0
failed=0
failures=()
details=()

note_fail() {
	failed=$((failed + 1))
	failures+=("$1")
}

count_unit() {
	local log=$build/unit.log line
	echo "== unit tests (host, ASan+UBSan)"
	make -s -C "$repo/tests/unit" check 2>&1 | tee "$log"
	make -s -C "$repo/tests/fuzz" regress 2>&1 | tee -a "$log"	# the fuzzers' crash inputs
	if make -s -C "$repo" shellcheck >>"$log" 2>&1; then
		echo "shellcheck: every script clean"
	else
		note_fail "shellcheck (see $log)"
	fi
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" |
		awk '{ p += $1; f += $3; n++ } END { if (n == 2) print p " passed, " f " failed" }')
	if [ -z "$line" ]; then
		note_fail "unit: test runner did not finish"
		return
	fi
	passed=$((passed + ${line%% passed*}))
	local f=${line#*, }
	f=${f%% failed}
	[ "$f" -eq 0 ] || for _ in $(seq "$f"); do note_fail "unit (see $log)"; done
}

# What the VM cases run: the tool, the C programs, and the Go programs
# for every installed Go (quick when current; the unit phase builds them
# too, but "check.sh vm" alone must not depend on it).
build_all() {
	make -s -C "$repo/ctl" >/dev/null || return 1
	make -s -C "$repo/tests/progs" O="$build/progs" >/dev/null || return 1
	make -s -C "$repo/tests/progs" O="$build/progs" go-all >/dev/null || return 1
}

# why LOG: run.sh's reason for failing a run, else its last line.
why() {
	grep -m1 -E '^run.sh: (kmemleak: [0-9]+ of|kernel reported|failing|timeout|the guest|guest setup|qemu failed|interrupted)' "$1" ||
		grep '^run.sh:' "$1" | tail -1
}

# explain WHAT LOG: what a failed run's log says, for the end of the
# output (CI keeps only that much): each failed assertion with the
# comment lines under it, the kernel's complaints, and the last console
# lines before run.sh's verdict.
explain() {
	echo "== $1 ($2)"
	awk '/^not ok - / { n = 8; print; next }
		n > 0 && /^#/ { n--; print; next } { n = 0 }' "$2" | head -n 60
	sed -n '/^run.sh: kernel reported problems:/,/^run.sh: [^ ]/p' "$2" | head -n 32
	if grep -q '^run.sh: \(the guest\|timeout\|failing\)' "$2"; then
		echo "-- last console lines:"
		awk '/^run.sh: / { exit } !/^(ok|not ok) - / { print }' "$2" | tail -n 25
	fi
}

# run_case KERNEL CASE: boot, run, count ok/not ok lines.
run_case() {
	local k=$1 case=$2 name log status oks bads t0=$SECONDS
	name=$(basename "$case" .sh)
	log=$build/check/$k-$name.log
	mkdir -p "$build/check"
	"$repo/tests/vm/run.sh" -k "$k" -t "$vm_timeout" -- "$case" \
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
		note_fail "$k $name: VM run failed with status $status ($(why "$log"))"
		details+=("$(explain "$k $name" "$log")")
	elif [ "$status" -eq 1 ] && [ "$bads" -eq 0 ]; then
		note_fail "$k $name: case failed outside an assertion"
		details+=("$(explain "$k $name" "$log")")
	elif [ "$bads" -gt 0 ]; then
		details+=("$(explain "$k $name" "$log")")
	fi
	printf '%-5s %-28s %3d ok %3d not ok %5ds  %s\n' "$k" "$name" "$oks" "$bads" \
		$((SECONDS - t0)) "$([ "$status" -le 1 ] || echo "(vm status $status, log $log)")"
}

# selected CASE: GODIAG_CASES lets it run.
selected() {
	local name pat
	name=$(basename "$1")
	[ -n "${GODIAG_CASES:-}" ] || return 0
	for pat in $GODIAG_CASES; do
		[[ $name != *"$pat"* ]] || return 0
	done
	return 1
}

# wanted KERNEL CASE: whether this run runs CASE on KERNEL.
wanted() {
	local k
	selected "$2" || return 1
	case $mode:$(basename "$2") in
	dkms:*dkms*) return 0 ;;
	dkms:*) return 1 ;;
	debug:*dkms*)
		echo "$(printf '%-5s %-28s' "$1" "$(basename "$2" .sh)") skipped (it tests the packaging, not the kernel code; see tests/check.sh)"
		return 1 ;;
	*:*dkms*)
		for k in $dkms_kernels; do
			[ "$k" != "$1" ] || return 0
		done
		echo "$(printf '%-5s %-28s' "$1" "$(basename "$2" .sh)") skipped (GODIAG_DKMS_KERNELS=\"$dkms_kernels\"; make check-dkms runs it everywhere)"
		return 1 ;;
	esac
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
		if [[ " $fault_kernels " != *" $k "* ]]; then
			# (not a stale one from another run: the case uses it when there)
			rm -rf "$build/mod-faults/$("$repo/tests/vm/kernels.sh" resolve "$k" release)"
		elif ! "$repo/tests/build-module.sh" "$k" faults >"$build/module-$k-faults.log" 2>&1; then
			note_fail "$k: fault-injection module build failed (see $build/module-$k-faults.log)"
			continue
		fi
		for case in "$repo"/tests/cases/*.sh; do
			wanted "$k" "$case" || continue
			run_case "$k" "$case"
		done
	done
}

mkdir -p "$build"
case $mode in
all) count_unit; run_vm ;;
unit) count_unit ;;
vm) run_vm ;;
dkms) run_vm ;;
debug)
	kernels=${GODIAG_KERNELS:-debug}
	vm_timeout=${GODIAG_VM_TIMEOUT:-5400}
	export GODIAG_VM_KMEMLEAK=1
	run_vm
	;;
*) echo "usage: tests/check.sh [all|unit|vm|dkms|debug]" >&2; exit 2 ;;
esac

for d in "${details[@]}"; do
	printf '%s\n' "$d"
done
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "time: $((SECONDS / 60)) min $((SECONDS % 60)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
