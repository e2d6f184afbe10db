#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# godiagctl runtime on a live Go program with known figures
# (tests/progs/go/godump -gc K), for every Go version and build kind that
# tests/progs builds. The program runs with GOGC=57, GOMEMLIMIT=123MiB
# and GOMAXPROCS=3, forces K GCs, writes what its own runtime says
# (ReadMemStats, runtime/metrics, NumGoroutine) and from then on
# allocates nothing; its heartbeat says what ReadMemStats says of the heap
# each 20 ms, and a reading between two such lines that agree is at a
# point where the heap held still. godiagctl must read the same: the GC
# count and pauses, heap in use (the heartbeat's), live and goal, the
# settings, the goroutines by state (as the goroutine dump has them), the
# threads; a stripped binary's too (its variables found in its code,
# ctl/gobin/gostatrec.c). The program is never
# stopped (no ptrace or signal from godiagctl; its heartbeat goes on).
# --watch prints a line per interval, and ends with exit 0 when the
# process exits or on SIGINT. Then the errors: no process, not Go, no
# permission. Needs no module. Prints "ok NAME" or "FAIL NAME".
set -u

# shellcheck source=live_progs.sh
. "$(dirname "$0")/live_progs.sh"
K=3

# wait_end FILE SECONDS: until FILE's last line is "end", at most SECONDS
wait_end() {
	local end=$((SECONDS + $2))
	while [ "$(tail -n 1 "$1" 2>/dev/null)" != end ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
}

# beats DIR: the heartbeat count the program last wrote
beats() { sed -n 's/^beats=0*\([0-9][0-9]*\) .*/\1/p' "$1/status" 2>/dev/null; }

# status_line DIR: "N H G M" of the heartbeat's line (its count, then
# HeapInuse, NumGC and the Ms its runtime said then), when it was read
# whole (the count at its end is the one at its start)
status_line() {
	sed -n 's/^beats=0*\([0-9][0-9]*\) heapinuse=0*\([0-9][0-9]*\) numgc=0*\([0-9][0-9]*\) ms=0*\([0-9][0-9]*\) end=0*\1$/\1 \2 \3 \4/p' \
		"$1/status" 2>/dev/null
}

# line_after DIR N: the first whole line counting above N (30 s at most)
line_after() {
	local l end=$((SECONDS + 30))
	while :; do
		l=$(status_line "$1")
		if [ -n "$l" ] && [ "${l%% *}" -gt "$2" ]; then
			echo "$l"
			return 0
		fi
		[ $SECONDS -lt $end ] || return 1
		sleep 0.02
	done
}

# state_counts FILE: "state count" lines of a runtime --json or a dump --json
state_counts() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
if "by_state" in j.get("goroutines", {}):
    c = j["goroutines"]["by_state"]
else:
    c = {}
    for g in j["goroutines"]:
        c[g["state"]] = c.get(g["state"], 0) + 1
print(sorted(c.items()))' "$1"
}

names=()
for v in $versions; do
	for k in "" -pie -stripped; do
		n=godump-go$v$k
		if [ ! -x "$progs/$n" ]; then
			nok "$n is built ($progs/$n; make -C tests/progs go-all)"
			continue
		fi
		mkdir "$tmp/$n"
		GOGC=57 GOMEMLIMIT=123MiB GOMAXPROCS=3 "$progs/$n" -gc $K -figures "$tmp/$n/fig" \
			"$tmp/$n/truth" "$tmp/$n/status" 2>"$tmp/$n/err" &
		pids+=($!)
		echo $! >"$tmp/$n/pid"
		names+=("$n")
	done
done

for n in "${names[@]}"; do
	d=$tmp/$n
	pid=$(cat "$d/pid")
	stripped=0
	case $n in *-stripped) stripped=1 ;; esac
	if ! wait_end "$d/fig" 120; then
		nok "$n: the program writes its figures ($(head -c 300 "$d/err"))"
		continue
	fi
	# the heartbeat's count (it writes it each 20 beats, in place)
	b0=
	end=$((SECONDS + 30))
	while [ -z "$b0" ] && [ $SECONDS -lt $end ]; do
		b0=$(beats "$d")
		[ -n "$b0" ] || sleep 0.05
	done
	# a reading whose goroutine states a dump right after agrees with (the
	# heartbeat wakes each millisecond: a reading may catch it running),
	# between two heartbeat lines, one written before it and one after,
	# that say the same heap in use, GC count and Ms: the runtime may
	# allocate after the program's figures (a new thread's m and g), and
	# with no GC the heap in use only grows, so the same at both ends is
	# what it was throughout the reading (not so: read again)
	st=1
	rm -f "$d/held"
	for _ in 1 2 3 4 5; do
		st=1
		s0=$(line_after "$d" 0) || break
		strace -f -qq -o "$d/strace" -e trace=ptrace,kill,tkill,tgkill,rt_sigqueueinfo,rt_tgsigqueueinfo,pidfd_send_signal,process_vm_writev \
			"$ctl" runtime -p "$pid" --json >"$d/rt.json" 2>"$d/rt.err" || break
		find "/proc/$pid/task" -mindepth 1 -maxdepth 1 | wc -l >"$d/tasks"
		"$ctl" goroutines -p "$pid" --all --system --json >"$d/dump.json" 2>>"$d/rt.err" ||
			break
		now=$(line_after "$d" 0) || break
		s1=$(line_after "$d" "${now%% *}") || break
		st=0
		if [ "$(state_counts "$d/rt.json")" = "$(state_counts "$d/dump.json")" ] &&
			[ "${s0#* }" = "${s1#* }" ]; then
			echo "${s0#* }" >"$d/held"
			break
		fi
	done
	if [ "$st" != 0 ]; then
		nok "$n: godiagctl runtime runs"
		sed 's/^/#   /' "$d/rt.err" "$d/status" | head -5
		continue
	fi
	ok "$n: godiagctl runtime runs"
	if [ -s "$d/held" ]; then
		ok "$n: a reading with the heap held still around it (of 5)"
	else
		nok "$n: a reading with the heap held still around it (of 5; last: $s0, then $s1)"
	fi
	if [ -s "$d/strace" ]; then
		nok "$n: godiagctl runtime neither traces nor signals the process"
		sed 's/^/#   /' "$d/strace" | head -5
	else
		ok "$n: godiagctl runtime neither traces nor signals the process"
	fi
	python3 "$here/check_runtime.py" "$n" "$d" $K $stripped
	# the text has the settings (a stripped binary's too, from its code)
	"$ctl" runtime -p "$pid" >"$d/rt.txt" 2>>"$d/rt.err"
	if grep -q '^GOGC        57$' "$d/rt.txt" && grep -q '^GOMAXPROCS  3$' "$d/rt.txt" &&
		! grep -q '^unknown' "$d/rt.txt"; then
		ok "$n: the text shows the settings"
	else
		nok "$n: the text shows the settings"
		sed 's/^/#   /' "$d/rt.txt" | head -12
	fi
	# the heartbeat went on after the readings, and nobody traced it
	end=$((SECONDS + 30))
	b1=$(beats "$d")
	while [ "${b1:-0}" -le "${b0:-0}" ] && [ $SECONDS -lt $end ]; do
		sleep 0.05
		b1=$(beats "$d")
	done
	if [ -n "$b0" ] && [ "${b1:-0}" -gt "$b0" ] && kill -0 "$pid" 2>/dev/null &&
		grep -q '^TracerPid:[[:space:]]*0$' "/proc/$pid/status" &&
		! grep -q '^State:.*[Tt]' "/proc/$pid/status"; then
		ok "$n: the program ran on and was not traced"
	else
		nok "$n: the program ran on and was not traced (beats $b0, then $b1)"
	fi
done

# ---- --watch -----------------------------------------------------------

# wait_lines FILE N SECONDS: until FILE has N lines
wait_lines() {
	local end=$((SECONDS + $3))
	while [ "$( (wc -l <"$1") 2>/dev/null || echo 0)" -lt "$2" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
}

# wait_gone PID SECONDS: until PID (a child) has ended; its status in $wstatus
wait_gone() {
	local end=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
	wait "$1"
	wstatus=$?
}

if [ ${#names[@]} -gt 0 ]; then
	n=${names[0]}
	pid=$(cat "$tmp/$n/pid")
	# text, until SIGINT
	"$ctl" runtime -p "$pid" --watch 50ms >"$tmp/watch.txt" 2>"$tmp/watch.err" &
	wpid=$!
	wstatus=x
	if wait_lines "$tmp/watch.txt" 4 30; then
		kill -INT "$wpid"
		wait_gone "$wpid" 30
	fi
	kill "$wpid" 2>/dev/null
	# the same figures as the reading of the program before (it is quiescent)
	want=$(python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))
print("gc %d pause .* gomaxprocs 3 threads %d$" % (j["gc"]["cycles"], j["threads"]))' "$tmp/$n/rt.json")
	if [ "$wstatus" = 0 ] && [ -n "$want" ] &&
		head -n 1 "$tmp/watch.txt" | grep -q "^runtime of process $pid " &&
		[ "$(grep -c " goroutines [0-9]* (.*) $want" "$tmp/watch.txt")" -ge 3 ]; then
		ok "runtime --watch prints a line per interval and ends with exit 0 on SIGINT"
	else
		nok "runtime --watch prints a line per interval and ends with exit 0 on SIGINT (exit $wstatus)"
		sed 's/^/#   /' "$tmp/watch.txt" "$tmp/watch.err" | head -8
	fi
	# JSON Lines, until the process exits
	"$ctl" runtime -p "$pid" --watch 50ms --json >"$tmp/watch.json" 2>"$tmp/watch.err" &
	wpid=$!
	wstatus=x
	if wait_lines "$tmp/watch.json" 3 30; then
		kill "$pid"
		wait_gone "$wpid" 30
	fi
	kill "$wpid" 2>/dev/null
	if [ "$wstatus" = 0 ] && python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) >= 4, lines
assert lines[-1] == {"pid": int(sys.argv[2]), "exited": True}, lines[-1]
cycles = {l["gc"]["cycles"] for l in lines[:-1]}
assert len(cycles) == 1 and None not in cycles, cycles
assert all(l["gomaxprocs"] == 3 for l in lines[:-1])' "$tmp/watch.json" "$pid" 2>"$tmp/watch.py"; then
		ok "runtime --watch --json prints JSON Lines and says when the process exits (exit 0)"
	else
		nok "runtime --watch --json prints JSON Lines and says when the process exits (exit $wstatus)"
		cat "$tmp/watch.py" "$tmp/watch.err" 2>/dev/null | sed 's/^/#   /' | tail -4
	fi
fi

# ---- errors ----------------------------------------------------------

# expect NAME STATUS PATTERN CMD...: exit STATUS, one line on stderr
# matching PATTERN (and for a usage error the pointer to the help)
expect() {
	local name=$1 want=$2 pat=$3 st lines=1
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	grep -q "^see 'godiagctl help" "$tmp/err" && lines=2
	if [ "$st" = "$want" ] && [ "$(wc -l <"$tmp/err")" = $lines ] && [ ! -s "$tmp/out" ] &&
		head -n 1 "$tmp/err" | grep -Eq -e "$pat"; then
		ok "$name"
	else
		nok "$name"
		echo "#   exit $st (want $want): $(cat "$tmp/err")"
	fi
}

sleep 600 &
spid=$!
pids+=("$spid")
expect "runtime of a process that is not Go exits 1" 1 \
	"^godiagctl: runtime: process $spid is not a Go program$" "$ctl" runtime -p "$spid"
kill "$spid"
wait "$spid" 2>/dev/null
expect "runtime of a dead PID exits 1" 1 "^godiagctl: runtime: no process $spid$" \
	"$ctl" runtime -p "$spid"
expect "runtime --watch of a dead PID exits 1" 1 "^godiagctl: runtime: no process $spid$" \
	"$ctl" runtime -p "$spid" --watch 1s
expect "runtime without -p is a usage error" 1 "missing -p PID" "$ctl" runtime
expect "a bad --watch is a usage error" 1 "--watch 'soon'" "$ctl" runtime -p 1 --watch soon
expect "a --watch below 1ms is a usage error" 1 "at least 1ms" "$ctl" runtime -p 1 --watch 10us

if [ ${#names[@]} -gt 1 ]; then
	pid=$(cat "$tmp/${names[1]}/pid")
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		expect "runtime as nobody of a process of root is refused (exit 4)" 4 \
			"cannot read the memory of process $pid: Permission denied.*ptrace access" \
			setpriv --reuid=65534 --regid=65534 --clear-groups -- "$ctl" runtime -p "$pid"
	else
		echo "# not root: the permission check is left out"
	fi
fi
