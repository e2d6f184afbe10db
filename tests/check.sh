#!/bin/bash
# make check: the unit tests on the host, and the VM test cases in qemu
# guests on the kernels, and with the Go builds, of the test matrix
# (tests/matrix). Prints a table of every case on every kernel (assertions
# passed and failed, wall time), then "N passed, N failed" last; exits
# non-zero on any failure. See tests/README.md.
#
#   tests/check.sh [all|unit|vm|full|dkms|debug]
#
#   all    the unit tests, and the VM cases of the matrix's check tier:
#          every case on every kernel (the DKMS case on one), the Go builds
#          spread over the kernels (make check)
#   unit   the unit tests only (make check-unit)
#   vm     the VM cases of the check tier only (make check-vm)
#   full   the unit tests, and the VM cases of the full tier: every case on
#          every kernel with every Go build, the DKMS case and the fault-
#          injection build everywhere (make check-full; hours)
#   dkms   the DKMS case on every kernel, with DKMS's own build in the
#          guest (make check-dkms)
#   debug  every VM case but the DKMS one on the debug kernel (KASAN, UBSAN,
#          lockdep, kmemleak ...), each followed by a kmemleak scan that
#          fails the case when a leak was allocated by godiag (make
#          check-debug; hours). The DKMS case tests the packaging, not the
#          kernel code (every case loads the same module).
#
# How the VM cases run:
#   - Everything is built once, by content (an unchanged input is not
#     rebuilt on a rerun): godiagctl, the test programs, every Go build of
#     tests/progs (a missing toolchain fails), the module for every kernel
#     (and its fault-injection build where the matrix says), the DKMS
#     module. The builds run while the first guests boot; the guests wait
#     for them (GODIAG_READY, tests/vm/runner.sh), and for the Go programs,
#     built last, only before a case that needs them (GODIAG_READY_GO):
#     the cases whose header says "# godiag-case: no-go-programs" come
#     first in each boot, and each guest's first boot starts with one.
#   - GODIAG_VM_JOBS guests at once (default 2: single-threaded TCG takes
#     one host core per guest). The (kernel, case) pairs are split into that
#     many queues of about equal estimated time (tests/vm/case-times: the
#     measured time of each case on each kernel; a case without a line
#     counts as 300 s), longest first; a guest whose queue is empty takes
#     the last boots of another's.
#   - One boot runs a group of cases of one kernel (tests/vm/runner.sh:
#     the module unloaded between cases, each case's kernel log and
#     kmemleak report checked). A case whose header says
#     "# godiag-case: fresh-boot" gets a boot of its own. When a guest dies
#     or hangs, the case it was running fails and the rest of its group
#     runs in a new guest; a case that never ran is a failure too.
#   - A case that passes no assertion fails (it tested nothing).
#   - The logs: build/check/ (logs/: the console of every boot; cases/
#     KERNEL/CASE.log: each case's part; results; case-times: this run's
#     times in the format of tests/vm/case-times).
#
# Environment: GODIAG_KERNELS (instead of the matrix's kernels; every
# selected case then runs on each), GODIAG_CASES (substrings of case names,
# space-separated: a case runs when its name contains one),
# GODIAG_DKMS_KERNELS (kernels the DKMS case runs on in all/vm mode; empty:
# none), GODIAG_FAULT_KERNELS (kernels that get the fault-injection build),
# GODIAG_VM_JOBS (guests at once, default 2), GODIAG_CASE_TIMEOUT (s per
# case, default 1800, 5400 in debug mode), GODIAG_VM_KMEMLEAK_TIMEOUT
# (debug mode: each case's kmemleak scans, s; default 900),
# GODIAG_BUDGET_MIN (warn when the whole run took longer; the Makefile sets
# it for make check).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${GODIAG_BUILD:-$repo/build}
mode=${1:-all}
out=$build/check
jobs=${GODIAG_VM_JOBS:-2}
matrix=$repo/tests/vm/matrix.sh
passed=0
failed=0
failures=()

case $mode in
all|vm) tier=check ;;
full|dkms|debug) tier=full ;;
unit) tier= ;;
*) echo "usage: tests/check.sh [all|unit|vm|full|dkms|debug]" >&2; exit 2 ;;
esac
case $repo$build in
*[[:space:]]*)
	echo "check.sh: '$repo' has a blank in its path: Kbuild cannot build there; clone into a path without one (README.md)" >&2
	exit 2 ;;
esac
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "check.sh: bad GODIAG_VM_JOBS '$jobs'" >&2; exit 2; }

note_fail() {
	failed=$((failed + 1))
	failures+=("$1")
}

# ---- unit phase ------------------------------------------------------

# suite NAME CMD...: run a suite that ends with "N passed, N failed";
# count it (a suite that did not get there is one failure).
suite() {
	local name=$1 log=$out/unit-$1.log line p f
	shift
	"$@" >"$log" 2>&1
	cat "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		note_fail "unit: $name did not finish (see $log)"
		return
	fi
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed}
	passed=$((passed + p))
	[ "$f" -eq 0 ] || for _ in $(seq "$f"); do note_fail "unit: $name (see $log)"; done
}

# verdict NAME CMD...: a check that passes or fails as a whole.
verdict() {
	local name=$1 log=$out/unit-$1.log
	shift
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "$name: ok"
	else
		cat "$log"
		note_fail "$name (see $log)"
	fi
}

count_unit() {
	echo "== unit tests (host, ASan+UBSan)"
	suite unit make -s -C "$repo/tests/unit" check
	# ctl/'s layers: includes and calls only downward, no circles (it
	# reads the objects the unit tests' make -C ctl left)
	verdict layers "$repo/tests/layers.sh"
	suite fuzz-regress make -s -C "$repo/tests/fuzz" regress	# the fuzzers' crash inputs
	# the ground-truth programs against strace
	suite selftest make -s -C "$repo/tests/progs" O="$build/progs" selftest
	verdict shellcheck make -s -C "$repo" shellcheck
	verdict matrix "$matrix" check
}

# ---- what runs where -------------------------------------------------

in_list() { # WORD LIST
	[[ " $2 " == *" $1 "* ]]
}

# selected CASE: GODIAG_CASES lets it run.
selected() {
	local name pat
	name=$(basename "$1" .sh)
	[ -n "${GODIAG_CASES:-}" ] || return 0
	for pat in $GODIAG_CASES; do
		[[ $name != *"$pat"* ]] || return 0
	done
	return 1
}

# case_kernels CASE: the kernels this run runs CASE on.
case_kernels() {
	local name k ks
	name=$(basename "$1" .sh)
	case $mode:$name in
	dkms:*dkms*) echo "$kernels"; return ;;
	dkms:*|debug:*dkms*) return ;;
	debug:*) echo "$kernels"; return ;;
	esac
	if [[ $name == *dkms* && -n ${GODIAG_DKMS_KERNELS+set} ]]; then
		ks=$GODIAG_DKMS_KERNELS
	elif [ -n "${GODIAG_KERNELS:-}" ]; then
		ks=$kernels
	else
		ks=$("$matrix" case-kernels "$tier" "$name")
	fi
	for k in $ks; do
		in_list "$k" "$kernels" && echo "$k"
	done | paste -sd ' '
}

# estimate KERNEL CASE: seconds, from tests/vm/case-times (the case on
# another kernel when this one has no line; 8x 6.1's on the debug kernel).
estimate() {
	awk -v k="$1" -v c="$2" '
		{ sub(/#.*/, "") } NF != 3 { next }
		$2 == c && $1 == k { exact = $3 }
		$2 == c && $3 > other { other = $3 }
		$2 == c && $1 == "6.1" { base = $3 }
		END {
			if (exact != "") print exact
			else if (k == "debug" && base != "") print base * 8
			else if (other != "") print other
			else print 300
		}' "$repo/tests/vm/case-times"
}

fresh_boot() { # CASE
	head -n 30 "$1" | grep -q '^# godiag-case:.*fresh-boot'
}

no_go() { # CASE: needs no Go program (runs before they are built)
	head -n 30 "$1" | grep -q '^# godiag-case:.*no-go-programs'
}

# plan: split the (kernel, case) items into $jobs queues of boots:
# $out/q<Q>/<NN> files, each "KERNEL ESTIMATE" then one case path a line.
# Longest-processing-time first: each item, longest first, goes to the
# queue with the least work, a boot (30 s, 150 s on the debug kernel)
# counted when the queue has none of that kernel yet or the case needs a
# fresh one. In a queue the cases of one kernel then share boots of at
# most GODIAG_UNIT_MAX estimated seconds (900), so an idle guest has
# something left to take over.
plan() {
	local c k
	for c in "$repo"/tests/cases/*.sh; do
		selected "$c" || continue
		for k in $(case_kernels "$c"); do
			echo "$k $c $(estimate "$k" "$(basename "$c" .sh)") $(fresh_boot "$c" && echo 1 || echo 0) $(no_go "$c" && echo 0 || echo 1)"
		done
	done >"$out/items"
	sort -k3,3nr -k1,1 -k2,2 "$out/items" | awk -v jobs="$jobs" -v out="$out" -v cap="${GODIAG_UNIT_MAX:-900}" '
		function boot(k) { return k == "debug" ? 150 : 30 }
		{
			best = 1
			for (q = 1; q <= jobs; q++) {
				cost = $3 + (($4 || !((q, $1) in grp)) ? boot($1) : 0)
				if (q == 1 || load[q] + cost < bestload) { best = q; bestload = load[q] + cost }
			}
			q = best
			load[q] = bestload
			if (!$4) grp[q, $1] = 1
			n[q]++
			item[q, n[q]] = $0
		}
		END {
			for (q = 1; q <= jobs; q++) {
				u = 0
				# fresh-boot cases: a boot each
				for (i = 1; i <= n[q]; i++) {
					split(item[q, i], f, " ")
					if (f[4]) { unit[q, ++u] = f[1] " " f[3] "\n" f[2] "\n"; est[q, u] = f[3] }
				}
				# the others: per kernel, those that need no Go program
				# first (they run while the Go programs build), in name
				# order, at most cap per boot
				m = 0
				for (i = 1; i <= n[q]; i++) {
					split(item[q, i], f, " ")
					if (!f[4]) rest[++m] = f[1] " " f[5] " " f[2] " " f[3]
				}
				for (i = 2; i <= m; i++) {	# insertion sort by kernel, case
					x = rest[i]; j = i - 1
					while (j >= 1 && rest[j] > x) { rest[j + 1] = rest[j]; j-- }
					rest[j + 1] = x
				}
				cur = ""; sum = 0
				for (i = 1; i <= m; i++) {
					split(rest[i], f, " ")
					if (f[1] != cur || sum + f[4] > cap && sum > 0) {
						u++; cur = f[1]; sum = 0; cases[q, u] = ""
						early[q, u] = !f[2]
					}
					sum += f[4]; est[q, u] = sum
					cases[q, u] = cases[q, u] f[3] "\n"
					unit[q, u] = f[1] " " sum "\n" cases[q, u]
				}
				# longest boots first: the short ones are what an idle
				# guest takes over at the end; but first the longest
				# that starts with a case needing no Go program
				for (i = 1; i <= u; i++) order[i] = i
				for (i = 2; i <= u; i++) {
					x = order[i]; j = i - 1
					while (j >= 1 && est[q, order[j]] < est[q, x]) { order[j + 1] = order[j]; j-- }
					order[j + 1] = x
				}
				for (i = 1; i <= u && !early[q, order[i]]; i++)
					;
				if (i <= u) {
					x = order[i]
					for (; i > 1; i--) order[i] = order[i - 1]
					order[1] = x
				}
				system("mkdir -p " out "/q" q)
				for (i = 1; i <= u; i++) {
					file = sprintf("%s/q%d/%02d", out, q, i)
					printf "%s", unit[q, order[i]] >file
					close(file)
				}
				delete rest
			}
		}'
}

show_plan() {
	local q f est cases n
	for q in $(seq "$jobs"); do
		n=0
		for f in "$out/q$q"/*; do
			[ -e "$f" ] || continue
			read -r k est <"$f"
			cases=$(tail -n +2 "$f" | xargs -n1 basename | sed 's/\.sh$//; s/-.*//' | paste -sd ' ')
			printf '   guest %d: %-5s ~%4d s  %s\n' "$q" "$k" "$est" "$cases"
			n=$((n + est))
		done
		printf '   guest %d: ~%d min in all\n' "$q" $((n / 60))
	done
}

# ---- builds ----------------------------------------------------------

# build_all: everything the guests need, each step cached by content, in
# two stages: what every case needs (godiagctl, the C programs, the
# modules, the DKMS build), then the Go programs of every toolchain (from
# cold, the longest build: minutes). Each stage writes "ok" or "failed:
# WHY" into its file, $out/ready and then $out/ready-go: the guests run
# the cases that need no Go program ("# godiag-case: no-go-programs") while
# the Go programs build (tests/vm/runner.sh).
build_all() {
	local log=$out/build.log k rel
	why=
	: >"$log"
	step "godiagctl" make -s -C "$repo/ctl"
	step "test programs" make -s -C "$repo/tests/progs" O="$build/progs" c
	for k in $kernels; do
		step "godiag.ko for $k" "$repo/tests/build-module.sh" "$k"
		if in_list "$k" "$fault_kernels"; then
			step "fault-injection godiag.ko for $k" "$repo/tests/build-module.sh" "$k" faults
		elif rel=$("$repo/tests/vm/kernels.sh" resolve "$k" release 2>/dev/null); then
			# (not a stale one from another run: 31-faults uses it when there)
			rm -rf "$build/mod-faults/$rel"
		fi
	done
	for k in $(dkms_prebuilt_kernels); do
		step "DKMS build for $k (on the host)" "$repo/tests/build-dkms.sh" "$k"
	done
	stage_done ready
	# (the Go programs of the system's Go too: pick_prog's fallbacks, the
	# demo and the bench use them)
	step "Go test programs (system Go)" make -s -C "$repo/tests/progs" O="$build/progs" go
	step "Go test programs (every toolchain)" make -s -C "$repo/tests/progs" O="$build/progs" go-all
	stage_done ready-go
}

# stage_done FILE: "ok", or "failed: WHY" when a step failed, into
# $out/FILE, written whole (the guests poll for it).
stage_done() {
	if [ -n "$why" ]; then
		echo "failed: $why (see $out/build.log)" >"$out/$1.tmp"
	else
		echo ok >"$out/$1.tmp"
	fi
	mv "$out/$1.tmp" "$out/$1"
}

# step WHAT CMD...: one build step of build_all, its output in the log;
# none after one failed.
step() {
	[ -z "$why" ] || return 0
	echo "== $1" >>"$out/build.log"
	"${@:2}" >>"$out/build.log" 2>&1 || why="$1 failed"
}

# dkms_prebuilt_kernels: where the DKMS case loads a module DKMS built on
# the host (make check) instead of building in the guest (check-dkms,
# check-full test that build too).
dkms_prebuilt_kernels() {
	[ "$tier" = check ] || return 0
	awk '$2 ~ /dkms[^\/]*$/ { print $1 }' "$out/items" | sort -u
}

# ---- running boots -----------------------------------------------------

# parse LOG: one line per case the log began: "NAME ENDED STATUS SECS OK BAD SKIP"
# (ENDED 0 and STATUS - when the guest stopped in the middle of it), then a
# line "- RUNNER OUTSIDE" (RUNNER: done, unfit, not-ready or none; OUTSIDE:
# not-ok lines outside any case).
parse() {
	awk '
		/^GODIAG-CASE: BEGIN / { cur = $4; name[++n] = cur; ended[cur] = 0; st[cur] = "-"; secs[cur] = 0; next }
		/^GODIAG-CASE: END / {
			for (i = 5; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "status") st[cur] = kv[2]; if (kv[1] == "secs") secs[cur] = kv[2] }
			ended[cur] = 1; cur = ""; next
		}
		/^GODIAG-RUNNER: DONE/ { runner = "done" }
		/^GODIAG-RUNNER: UNFIT/ { runner = "unfit" }
		/^GODIAG-RUNNER: NOT-READY/ { runner = "not-ready" }
		cur != "" && /^ok - / { ok[cur]++ }
		cur != "" && /^not ok - / { bad[cur]++ }
		cur != "" && /^skip - / { skip[cur]++ }
		cur == "" && /^not ok - / { outside++ }
		END {
			for (i = 1; i <= n; i++) { c = name[i]; print c, ended[c], st[c], secs[c], ok[c] + 0, bad[c] + 0, skip[c] + 0 }
			print "-", (runner == "" ? "none" : runner), outside + 0
		}' "$1"
}

# case_log LOG NAME: the part of LOG that is case NAME's.
case_log() {
	awk -v c="$2" '$1 == "GODIAG-CASE:" && $2 == "BEGIN" && $4 == c { on = 1 }
		on { print }
		$1 == "GODIAG-CASE:" && $2 == "END" && $4 == c { exit }' "$1"
}

# why LOG: run.sh's reason for failing a run (with the kernel's first
# complaint), else its last line.
why() {
	local r p
	r=$(grep -m1 -E '^run.sh: (timeout|the guest|guest setup|qemu failed|interrupted|failing)' "$1" ||
		grep '^run.sh:' "$1" | tail -1)
	p=$(sed -n '/^run.sh: kernel reported problems:/{n;s/^ *//;p;q}' "$1")
	echo "${r#run.sh: }${p:+: $p}"
}

# record KERNEL CASE OK BAD SKIP SECS VERDICT Q LOG: one result line.
record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$out/results"
	show "$@"
}

# show KERNEL CASE OK BAD SKIP SECS VERDICT Q: the progress line of a case.
show() {
	local what
	what=$(printf '%3d ok %3d not ok %5d s' "$3" "$4" "$6")
	[ "$7" = pass ] || what="$what  FAILED: $7"
	printf '[guest %s] %-5s %-24s %s\n' "$8" "$1" "$2" "$what"
}

# verdict_of ENDED STATUS OK BAD: "pass", or why the case failed (the
# guest's stop is said by the caller).
verdict_of() {
	if [ "$1" = 0 ]; then
		echo "the guest stopped while it ran"
	elif [ "$4" -gt 0 ]; then
		echo "$4 assertions failed"
	elif [ "$2" != 0 ]; then
		echo "exit $2 outside an assertion"
	elif [ $(($3 + $4)) = 0 ]; then
		echo "no assertion (the case tested nothing)"
	else
		echo pass
	fi
}

# follow KERNEL Q LOG PID: while the boot PID runs, a progress line for each
# case its log says ended; leaves how many in $out/shown.$Q.
follow() {
	local k=$1 q=$2 log=$3 pid=$4 n=0 i name ended cst secs ok bad skip
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		i=0
		while read -r name ended cst secs ok bad skip; do
			{ [ "$name" != - ] && [ "$ended" = 1 ]; } || break
			i=$((i + 1))
			[ "$i" -gt "$n" ] || continue
			show "$k" "$name" "$ok" "$bad" "$skip" "$secs" "$(verdict_of 1 "$cst" "$ok" "$bad")" "$q"
			n=$i
		done < <(parse "$log")
		echo "$n" >"$out/shown.$q"
	done
}

# group_timeout KERNEL CASES...: the host's bound on a boot, against a hung
# guest kernel (the runner bounds each case itself).
group_timeout() {
	local k=$1 t=600 c e
	shift
	[ -s "$out/ready-go" ] || t=$((t + 3600))
	for c in "$@"; do
		e=$(estimate "$k" "$(basename "$c" .sh)")
		e=$((e * 3))
		[ "$e" -ge 600 ] || e=600
		[ "$e" -le "$case_timeout" ] || e=$case_timeout
		t=$((t + e + 60 + kml_secs))
	done
	echo "$t"
}

# boot Q UNIT-FILE: run a unit's cases, in as many boots as it takes.
boot() {
	local q=$1 unit=$2 k est cases=() tries=0 n log st name ended cst secs ok bad skip v rest started shown
	{ read -r k est; mapfile -t cases; } <"$unit"
	while [ ${#cases[@]} -gt 0 ]; do
		tries=$((tries + 1))
		log=$out/logs/$(basename "$(dirname "$unit")")-$(basename "$unit")-$tries-$k.log
		if [ -s "$out/ready" ] && [ "$(head -n 1 "$out/ready")" != ok ]; then
			for n in "${cases[@]}"; do
				record "$k" "$(basename "$n" .sh)" 0 0 0 0 "not run: the builds failed" "$q" "$out/build.log"
			done
			return
		fi
		GODIAG_READY=$out/ready GODIAG_READY_GO=$out/ready-go GODIAG_TIER=$tier GODIAG_CASE_TIMEOUT=$case_timeout \
			GODIAG_DKMS_PREBUILT=$([ "$tier" != check ] || echo "$build/dkms") \
			"$repo/tests/vm/run.sh" -k "$k" -t "$(group_timeout "$k" "${cases[@]}")" -- \
			"$repo/tests/vm/runner.sh" "${cases[@]}" >"$log" 2>&1 &
		echo $! >"$out/run.$q"
		echo 0 >"$out/shown.$q"
		follow "$k" "$q" "$log" "$!"
		wait "$(cat "$out/run.$q")"
		st=$?
		rm -f "$out/run.$q"
		shown=$(cat "$out/shown.$q")
		tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
		[ "$st" != 130 ] || { echo "[guest $q] interrupted"; return; }
		started=0
		while read -r name ended cst secs ok bad skip; do
			if [ "$name" = - ]; then
				rest=$ended
				[ "$cst" = 0 ] || note_outside "$k" "$q" "$log" "$cst"
				continue
			fi
			started=$((started + 1))
			mkdir -p "$out/cases/$k"
			case_log "$log" "$name" >"$out/cases/$k/$name.log"
			v=$(verdict_of "$ended" "$cst" "$ok" "$bad")
			[ "$ended" = 1 ] || v="$v (run.sh status $st: $(why "$log"))"
			if [ "$started" -le "$shown" ]; then
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$name" "$ok" "$bad" "$skip" \
					"$secs" "$v" "$q" "$out/cases/$k/$name.log" >>"$out/results"
			else
				record "$k" "$name" "$ok" "$bad" "$skip" "$secs" "$v" "$q" "$out/cases/$k/$name.log"
			fi
		done < <(parse "$log")
		# run.sh saw a kernel problem the runner did not attribute
		if [ "$st" = 121 ] && ! grep -q '^not ok - kernel' "$log"; then
			grep '^run.sh:' "$log" >"$log.kernel"
			record "$k" "(outside-cases)" 0 1 0 0 "run.sh: the kernel reported problems no case was charged with" "$q" "$log.kernel"
		fi
		cases=("${cases[@]:$started}")
		[ ${#cases[@]} -gt 0 ] || break
		# The guest did not run them all: not ready, unfit, dead.
		if [ "$rest" = not-ready ]; then
			v="not run: $(sed -n 's/^GODIAG-RUNNER: NOT-READY //p' "$log" | head -n 1)"
		elif [ "$started" = 0 ] && [ "$tries" -ge 2 ]; then
			v="not run: two guests in a row ran none of it (run.sh status $st: $(why "$log"))"
		else
			echo "[guest $q] $k: the guest stopped after $started of $((started + ${#cases[@]})) cases (run.sh status $st); the rest in a new guest"
			continue
		fi
		for n in "${cases[@]}"; do
			record "$k" "$(basename "$n" .sh)" 0 0 0 0 "$v" "$q" "$log"
		done
		return
	done
}

# note_outside KERNEL Q LOG N: not-ok lines of the runner outside every
# case (a kernel problem between cases), as a pseudo-case of their own.
note_outside() {
	local f
	f=$out/cases/$1/outside-$(basename "$3")
	mkdir -p "$out/cases/$1"
	awk '/^GODIAG-CASE: BEGIN / { on = 1 } !on && /^not ok - / { print } /^GODIAG-CASE: END / { on = 0 }' "$3" >"$f"
	record "$1" "(outside-cases)" 0 "$4" 0 0 "$4 kernel problems outside any case" "$2" "$f"
}

# claim Q: the next boot for guest Q: its own queue first, then the last
# unclaimed boot of another queue.
claim() {
	local q=$1 p f
	for f in "$out/q$q"/*; do
		[ -e "$f" ] || continue
		mkdir "$out/claim/q$q-${f##*/}" 2>/dev/null && { echo "$f"; return 0; }
	done
	for p in $(seq "$jobs"); do
		[ "$p" != "$q" ] || continue
		for f in $(printf '%s\n' "$out/q$p"/* | sort -r); do
			[ -e "$f" ] || continue
			mkdir "$out/claim/q$p-${f##*/}" 2>/dev/null && { echo "$f"; return 0; }
		done
	done
	return 1
}

worker() { # Q
	local q=$1 f t0=$SECONDS n=0
	while f=$(claim "$q"); do
		boot "$q" "$f"
		n=$((n + 1))
	done
	echo "$q $n $((SECONDS - t0))" >"$out/worker.$q"
}

# ---- the summary -------------------------------------------------------

cell() { # OK BAD SECS VERDICT
	case $4 in
	pass) printf '%4d ok %5ds' "$1" "$3" ;;
	*"assertions failed") printf '%4d FAIL %3ds' "$2" "$3" ;;
	"not run"*) printf '%13s' "NOT RUN" ;;
	"the guest stopped"*) printf '%13s' "GUEST DIED" ;;
	"no assertion"*) printf '%13s' "NO ASSERTION" ;;
	*) printf '%13s' "FAILED" ;;
	esac
}

summary() {
	local k c line ok bad skip secs v q log ks total=0 row
	[ -s "$out/results" ] || return 0
	ks=$(cut -f1 "$out/results" | awk '!s[$0]++' | paste -sd ' ')
	echo "== VM cases: assertions passed (ok) or failed (FAIL) and wall time, per kernel"
	printf '%-24s' case
	for k in $ks; do printf ' %13s' "$k"; done
	echo
	# shellcheck disable=SC2013 # case names are words
	for c in $(cut -f2 "$out/results" | sort -u); do
		printf '%-24s' "$c"
		for k in $ks; do
			line=$(awk -F'\t' -v k="$k" -v c="$c" '$1 == k && $2 == c' "$out/results" | tail -n 1)
			if [ -z "$line" ]; then
				printf ' %13s' -
				continue
			fi
			IFS=$'\t' read -r _ _ ok bad skip secs v q log <<<"$line"
			printf ' %s' "$(cell "$ok" "$bad" "$secs" "$v")"
		done
		echo
	done
	printf '%-24s' "total"
	for k in $ks; do
		row=$(awk -F'\t' -v k="$k" '$1 == k { s += $6 } END { print s + 0 }' "$out/results")
		total=$((total + row))
		printf ' %12ss' "$row"
	done
	echo
	for q in $(seq "$jobs"); do
		[ -s "$out/worker.$q" ] || continue
		read -r _ n secs <"$out/worker.$q"
		printf 'guest %d: %d boots, %d min %d s\n' "$q" "$n" $((secs / 60)) $((secs % 60))
	done
	echo "case time in all: $((total / 60)) min $((total % 60)) s (VM phase: $((vm_secs / 60)) min $((vm_secs % 60)) s)"
	# this run's times, in the format of tests/vm/case-times
	awk -F'\t' '$7 == "pass" || $7 ~ /assertions failed/ { print $1, $2, $6 }' "$out/results" >"$out/case-times"
}

count_vm() {
	local k c ok bad skip secs v q log line
	while IFS=$'\t' read -r k c ok bad skip secs v q log; do
		passed=$((passed + ok))
		while IFS= read -r line; do
			note_fail "$k $c: ${line#not ok - }"
		done < <(grep '^not ok - ' "$log" 2>/dev/null)
		case $v in
		pass|*"assertions failed") ;;
		*) note_fail "$k $c: $v" ;;
		esac
		[ "$v" = pass ] || details+=("$(explain "$k $c" "$log")")
	done <"$out/results"
}

# explain WHAT LOG: what a failed case's log says, for the end of the
# output (CI keeps only that much): each failed assertion with the
# comment lines under it, and for a guest that stopped the last lines it
# printed.
explain() {
	echo "== $1 ($2)"
	awk '/^not ok - / { n = 8; print; next }
		n > 0 && /^#/ { n--; print; next } { n = 0 }' "$2" | head -n 60
	sed -n '/^run.sh: kernel reported problems:/,/^run.sh: [^ ]/p' "$2" | head -n 32
	if ! grep -q '^GODIAG-CASE: END ' "$2"; then
		# the guest stopped: from the kernel's first complaint on, else
		# the last lines it printed
		if grep -qE "$(cat "$repo/tests/vm/problems.ere")" "$2"; then
			echo "-- from the kernel's first complaint:"
			awk -v pat="$(cat "$repo/tests/vm/problems.ere")" '/^\[ *[0-9]+\.[0-9]+\] / && $0 ~ pat { on = 1 } on' "$2" | head -n 40
		else
			echo "-- last lines:"
			grep -v '^\(ok\|not ok\|skip\) - ' "$2" | tail -n 25
		fi
	fi
}

# ---- the VM phase ------------------------------------------------------

run_vm() {
	local q pids=() t0=$SECONDS f
	kernels=${GODIAG_KERNELS:-$("$matrix" kernels "$tier")}
	[ "$mode" != debug ] || kernels=${GODIAG_KERNELS:-debug}
	fault_kernels=${GODIAG_FAULT_KERNELS-$("$matrix" faults "$tier")}
	rm -rf "$out/q"* "$out/claim" "$out/ready" "$out/ready-go" "$out/results" "$out/cases" "$out/logs" "$out/worker."* "$out/run."*
	mkdir -p "$out/claim" "$out/logs"
	: >"$out/results"
	plan
	echo "== VM cases: $(wc -l <"$out/items") (case, kernel) pairs on $kernels, $jobs guests at once (tier $tier; estimates: tests/vm/case-times)"
	show_plan
	echo "== building (while the first guests boot): $out/build.log"
	build_all &
	local builder=$!
	for q in $(seq "$jobs"); do
		worker "$q" &
		pids+=($!)
	done
	trap 'for f in "$out"/run.*; do [ -e "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done; exit 130' INT TERM
	wait "$builder"
	if [ "$(head -n 1 "$out/ready-go")" != ok ]; then
		note_fail "builds: $(cat "$out/ready-go")"
		tail -n 30 "$out/build.log"
	fi
	if [ "$mode" = all ] || [ "$mode" = full ]; then
		count_unit
	fi
	wait "${pids[@]}"
	trap - INT TERM
	vm_secs=$((SECONDS - t0))
	summary
	count_vm
}

# (a function, and "main; exit" on one line: bash reads a script as it
# runs it, and this one may be edited while it runs)
main() {
	mkdir -p "$out"
	details=()
	case_timeout=${GODIAG_CASE_TIMEOUT:-1800}
	kml_secs=0
	if [ "$mode" = debug ]; then
		case_timeout=${GODIAG_CASE_TIMEOUT:-5400}
		export GODIAG_VM_KMEMLEAK=1
		kml_secs=${GODIAG_VM_KMEMLEAK_TIMEOUT:-900}
	fi
	case $mode in
	unit) count_unit ;;
	*) run_vm ;;
	esac

	for d in "${details[@]}"; do
		printf '%s\n' "$d"
	done
	for f in "${failures[@]}"; do
		echo "FAILED: $f"
	done
	echo "time: $((SECONDS / 60)) min $((SECONDS % 60)) s"
	if [ -n "${GODIAG_BUDGET_MIN:-}" ] && [ "$SECONDS" -gt $((GODIAG_BUDGET_MIN * 60)) ]; then
		echo "check.sh: warning: this took longer than the budget of $GODIAG_BUDGET_MIN min (CHECK_BUDGET_MIN in the Makefile)"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# Sourced (tests/unit/test_harness.sh checks its verdicts): define only.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0
main "$@"; exit
