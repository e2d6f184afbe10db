#!/bin/bash
# In the test VM: run several test cases one after another in one boot
# (tests/check.sh boots a guest per group of cases; see tests/vm/README.md,
# "Several cases per boot").
#
#   tests/vm/runner.sh CASE...        (CASE: a path of tests/cases/*.sh)
#
# Before the first case it waits for the host's builds when
# GODIAG_READY names a file (check.sh boots the guests while it builds): the
# file says "ok", or "failed: WHY", and the runner then runs nothing.
# The Go programs build last: before a case that needs them (every case
# whose header does not say "# godiag-case: no-go-programs") it waits for
# GODIAG_READY_GO the same way, when that is set.
#
# Each case runs in its own session, with GODIAG_RUNNER=1 (lib.sh then
# leaves the module loaded at the end for the runner to check), bounded by
# GODIAG_CASE_TIMEOUT seconds (default 1800). After it the runner
#   - kills whatever the case left running (said in a comment line);
#   - with the module still loaded: fails the case when a session it owned
#     outlived its owner or a session still counts a reader (nothing of the
#     case runs any more), then unloads the module and fails the case when
#     that fails; the unowned sessions and probes a case leaves are for
#     the unload to clean up, which is part of what it tests;
#   - fails the case for every kernel problem (tests/vm/problems.ere, minus
#     GODIAG_VM_IGNORE) logged between its start and the end of the unload;
#   - with GODIAG_VM_KMEMLEAK=1, scans for leaks and fails the case for any
#     suspected leak allocated by godiag (tests/vm/kmemleak.awk), then clears
#     the report for the next case.
# Console protocol (tests/check.sh reads it):
#   GODIAG-CASE: BEGIN N NAME
#   ... the case's "ok - " / "not ok - " / "skip - " lines, then the runner's ...
#   GODIAG-CASE: END N NAME status=S secs=T
#   GODIAG-RUNNER: DONE | NOT-READY WHY | UNFIT WHY
# UNFIT (exit 3): the module could not be unloaded; the guest cannot run the
# remaining cases, which check.sh reruns in a new guest.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
ctl=$repo/ctl/godiagctl
problems=$(cat "$here/problems.ere")
case_timeout=${GODIAG_CASE_TIMEOUT:-1800}
kml=/sys/kernel/debug/kmemleak
state=/run/godiag-vm/runner
mkdir -p "$state"

say() { echo "# runner: $*"; }
kmsg() { echo "godiag-runner: $*" >/dev/kmsg 2>/dev/null; }

# The builds are done when the host wrote the ready file. Read through the
# guest's raw view of the host's root (GODIAG_VM_HOSTROOT, no overlay in
# between: a file that appears on the host after the overlay looked it up
# would stay invisible there).
#   wait_ready FILE   (FILE: GODIAG_READY or GODIAG_READY_GO; none: ready)
wait_ready() {
	local f end=$((SECONDS + ${GODIAG_READY_TIMEOUT:-3600})) r
	[ -n "${1:-}" ] || return 0
	f=${GODIAG_VM_HOSTROOT:-}$1
	until [ -s "$f" ]; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "GODIAG-RUNNER: NOT-READY the host's builds did not finish in ${GODIAG_READY_TIMEOUT:-3600} s"
			exit 4
		fi
		sleep 1
	done
	r=$(head -n 1 "$f")
	if [ "$r" != ok ]; then
		echo "GODIAG-RUNNER: NOT-READY ${r:-the builds on the host failed}"
		exit 4
	fi
}

# The kernel's log lines of case N: after its begin marker (or from the
# start, when that was overwritten) up to its end marker; matching the
# problems, not ignored.
case_problems() { # n name
	dmesg 2>/dev/null | awk -v b="godiag-runner: begin $1 $2" -v e="godiag-runner: end $1 $2" \
		-v pat="$problems" -v ign="${GODIAG_VM_IGNORE:-}" '
		!match($0, /^\[ *[0-9]+\.[0-9]+\] /) { next }
		{ msg = substr($0, RLENGTH + 1) }
		msg == b { n = 0; delete seen; delete line; next }
		msg == e { exit }
		msg ~ pat && !(ign != "" && msg ~ ign) && !seen[msg]++ { line[++n] = msg }
		END { for (i = 1; i <= n; i++) print line[i] }'
}

# The whole kernel report of case N from its first problem on, as comments.
case_report() { # n name first-problem
	dmesg 2>/dev/null | awk -v b="godiag-runner: begin $1 $2" -v e="godiag-runner: end $1 $2" -v first="$3" '
		index($0, b) { on = 0; got = 0; next }
		index($0, e) { exit }
		!got && index($0, first) { got = 1 }
		got && n++ < 60 { print "#   " $0 }'
}

# The pids of session SID, minus the caller.
session_pids() {
	ps -e -o pid=,sid= | awk -v s="$1" -v me="$$" '$2 == s && $1 != s && $1 != me { print $1 }'
}

kill_leftovers() { # sid
	local pids names
	pids=$( { [ -d "/proc/$1" ] && echo "$1"; session_pids "$1"; } | sort -u)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086 # one pid per word
	names=$(ps -o comm= -p "$(echo $pids | tr ' ' ',')" 2>/dev/null | sort | uniq -c | awk '{ printf "%s%s x%d", (NR > 1 ? ", " : ""), $2, $1 }')
	say "killing what the case left running: $names"
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	for _ in $(seq 100); do
		pids=$(session_pids "$1")
		[ -z "$pids" ] && [ ! -d "/proc/$1" ] && return 0
		sleep 0.1
	done
	say "still there after SIGKILL: $(echo "$pids" | tr '\n' ' ')"
}

# owned_or_read: "owned=N readers=M" over the module's sessions; empty when
# it cannot tell.
session_state() {
	"$ctl" sessions --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)["sessions"]
print("sessions=%d owned=%d readers=%d" % (len(s), sum(1 for x in s if x["owned"]),
      sum(x["readers"] for x in s)))' 2>/dev/null
}

# unload: rmmod, retried for a while (a killed reader's fd may still be
# going away), itself bounded: an rmmod stuck in the kernel makes the guest
# unfit. Prints rmmod's last complaint on failure.
unload() {
	local out='' p end
	for _ in $(seq 20); do
		rmmod godiag >"$state/rmmod.out" 2>&1 &
		p=$!
		end=$((SECONDS + 120))
		while kill -0 "$p" 2>/dev/null; do
			if [ "$SECONDS" -ge "$end" ]; then
				echo "rmmod godiag did not return in 120 s"
				return 2
			fi
			sleep 0.2
		done
		wait "$p" && return 0
		out=$(head -c 300 "$state/rmmod.out")
		[ -d /sys/module/godiag ] || return 0
		sleep 0.5
	done
	echo "$out"
	return 1
}

# hygiene N NAME: after the case; returns 1 when the guest is unfit.
hygiene() {
	local st why end=$((SECONDS + 10))
	[ -d /sys/module/godiag ] || return 0
	# (an owner's socket, a reader's fd are released a moment after the kill)
	while st=$(session_state); [[ $st != *" owned=0 readers=0" ]] && [ "$SECONDS" -lt "$end" ]; do
		sleep 0.2
	done
	case $st in
	'') echo "not ok - runner: godiagctl sessions failed after the case" ;;
	*" owned=0 readers=0") [[ $st == sessions=0* ]] || say "left for the unload: ${st%% *} (none owned, no reader)" ;;
	*) echo "not ok - runner: after the case, with none of its processes left: $st (an owned session outlived its owner, or a reader count outlived the reader)" ;;
	esac
	why=$(unload)
	case $? in
	0) ;;
	1) echo "not ok - runner: the module does not unload after the case: $why"; return 1 ;;
	*) echo "not ok - runner: $why"; return 1 ;;
	esac
	[ ! -e /dev/godiag ] || echo "not ok - runner: /dev/godiag is still there after the unload"
	return 0
}

# kmemleak_case: two scans 5 s apart (an object is reported only when older
# than 5 s and unchanged between two scans), the godiag leaks failing the case.
kmemleak_case() {
	local secs=${GODIAG_VM_KMEMLEAK_TIMEOUT:-900} t0=$SECONDS counts total ours
	[ "${GODIAG_VM_KMEMLEAK:-0}" = 1 ] || return 0
	if [ ! -w $kml ]; then
		echo "not ok - runner: GODIAG_VM_KMEMLEAK=1 but there is no $kml to scan with"
		return 0
	fi
	: >"$state/kmemleak-per-case"	# init skips its own final scans
	if ! timeout "$secs" sh -c "echo scan >$kml && sleep 5 && echo scan >$kml" 2>/dev/null; then
		echo "not ok - runner: the kmemleak scans did not finish in $secs s (GODIAG_VM_KMEMLEAK_TIMEOUT) or failed"
		return 0
	fi
	counts=$(awk -v ours="$state/kml-ours" -v others="$state/kml-others" -f "$here/kmemleak.awk" $kml)
	read -r total ours <<<"$counts"
	if [ "$ours" -gt 0 ]; then
		echo "not ok - runner: kmemleak: $ours of $total suspected leaks were allocated by godiag"
		head -n 60 "$state/kml-ours" | sed 's/^/#   /'
	else
		say "kmemleak: scanned in $((SECONDS - t0)) s, $total suspected leaks, none allocated by godiag"
		[ "$total" = 0 ] || head -n 12 "$state/kml-others" | sed 's/^/#   /'
	fi
	rm -f "$state/kml-ours" "$state/kml-others"
	echo clear >$kml 2>/dev/null
}

# run_case N PATH: returns 1 when the guest is unfit for more cases.
run_case() {
	local n=$1 c=$2 name pid wd st t0=$SECONDS unfit=0 p first
	name=$(basename "$c" .sh)
	kmsg "begin $n $name"
	echo "GODIAG-CASE: BEGIN $n $name"
	rm -f "$state/timeout"
	# Its own session: whatever it leaves running can be found after it.
	GODIAG_RUNNER=1 setsid bash "$c" </dev/null &
	pid=$!
	(
		sleep "$case_timeout"
		: >"$state/timeout"
		kill -TERM -- "-$pid" 2>/dev/null
		sleep 10
		kill -KILL -- "-$pid" 2>/dev/null
	) &
	wd=$!
	wait "$pid"
	st=$?
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	[ ! -e "$state/timeout" ] || echo "not ok - runner: the case ran longer than $case_timeout s (GODIAG_CASE_TIMEOUT) and was killed"
	kill_leftovers "$pid"
	hygiene || unfit=1
	kmsg "end $n $name"
	first=
	while IFS= read -r p; do
		[ -n "$first" ] || first=$p
		echo "not ok - kernel: $p"
	done < <(case_problems "$n" "$name")
	[ -z "$first" ] || case_report "$n" "$name" "$first"
	[ $unfit = 1 ] || kmemleak_case
	echo "GODIAG-CASE: END $n $name status=$st secs=$((SECONDS - t0))"
	return $unfit
}

# Kernel problems outside every case's window (the runner's own setup, the
# time between cases): nobody else would see them.
outside_problems() {
	dmesg 2>/dev/null | awk -v pat="$problems" -v ign="${GODIAG_VM_IGNORE:-}" '
		!match($0, /^\[ *[0-9]+\.[0-9]+\] /) { next }
		{ msg = substr($0, RLENGTH + 1) }
		msg ~ /^Run \/init as init process/ { started = 1 }
		msg ~ /^godiag-runner: begin / { inside = 1; next }
		msg ~ /^godiag-runner: end / { inside = 0; next }
		started && !inside && msg ~ pat && !(ign != "" && msg ~ ign) && !seen[msg]++ { print msg }'
}

# needs_go CASE: true unless its header says it runs no Go program
needs_go() {
	! head -n 30 "$1" | grep -q '^# godiag-case:.*no-go-programs'
}

main() {
	[ $# -gt 0 ] || { echo "usage: tests/vm/runner.sh CASE..." >&2; exit 2; }
	wait_ready "${GODIAG_READY:-}"
	n=0
	for c in "$@"; do
		n=$((n + 1))
		needs_go "$c" && wait_ready "${GODIAG_READY_GO:-}"
		if ! run_case "$n" "$c"; then
			while IFS= read -r p; do echo "not ok - kernel, outside the cases: $p"; done < <(outside_problems)
			echo "GODIAG-RUNNER: UNFIT the module did not unload after $(basename "$c" .sh)"
			exit 3
		fi
	done
	while IFS= read -r p; do echo "not ok - kernel, outside the cases: $p"; done < <(outside_problems)
	echo "GODIAG-RUNNER: DONE $n"
}

# (one line: the checkout may change while this runs)
main "$@"; exit
