#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# SPDX-License-Identifier: GPL-2.0
# godiagctl goroutines on a live Go program with known goroutines
# (tests/progs/go/godump), for every Go version and build kind that
# tests/progs builds: the counts per state, reason and group are exact,
# the stacks are those the program's own runtime.Stack shows, --min-wait
# finds exactly the leaked goroutine, go tool pprof reads the profile, and
# the program is never stopped (godiagctl makes no ptrace or kill call,
# and the program's heartbeat goes on and never sees a tracer). Then the
# errors: no process, not Go, no permission (as nobody, against a
# process of root). Needs no module. Prints "ok NAME" or "FAIL NAME".
set -u

# shellcheck source=live_progs.sh
. "$(dirname "$0")/live_progs.sh"
gotool=/usr/local/go/bin/go
now_ns() { date +%s%N; }

# wait_file FILE SECONDS: until FILE exists (polling), at most SECONDS
wait_file() {
	local end=$((SECONDS + $2))
	while [ ! -s "$1" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
}

# beats DIR: the heartbeat count the program last wrote
beats() { sed -n 's/^beats=\([0-9]*\) .*/\1/p' "$1/status" 2>/dev/null; }

# Every program at once: each waits a second for its leak to age, and
# they wait together.
names=()
for v in $versions; do
	for k in "" -pie -stripped; do
		n=godump-go$v$k
		if [ ! -x "$progs/$n" ]; then
			nok "$n is built ($progs/$n; make -C tests/progs go-all)"
			continue
		fi
		mkdir "$tmp/$n"
		"$progs/$n" "$tmp/$n/truth" "$tmp/$n/status" 2>"$tmp/$n/err" &
		pids+=($!)
		echo $! >"$tmp/$n/pid"
		now_ns >"$tmp/$n/started"
		names+=("$n")
	done
done

# The pprof tool itself, once (go tool builds it on first use).
pprof=$("$gotool" tool -n pprof 2>/dev/null)
if [ -z "$pprof" ] || [ ! -x "$pprof" ]; then
	"$gotool" tool pprof -h >/dev/null 2>&1
	pprof=$("$gotool" tool -n pprof 2>/dev/null)
fi

for n in "${names[@]}"; do
	d=$tmp/$n
	pid=$(cat "$d/pid")
	if ! wait_file "$d/truth" 120; then
		nok "$n: the program writes its truth ($(head -c 300 "$d/err"))"
		continue
	fi
	wait_file "$d/status" 30
	b0=$(beats "$d")
	# the dumps; one under strace: no ptrace, no signal to anyone
	strace -f -qq -o "$d/strace" -e trace=ptrace,kill,tkill,tgkill,rt_sigqueueinfo,rt_tgsigqueueinfo,pidfd_send_signal,process_vm_writev \
		"$ctl" goroutines -p "$pid" --all --json >"$d/all.json" 2>"$d/all.err"
	st=$?
	"$ctl" goroutines -p "$pid" --json >"$d/groups.json" 2>>"$d/all.err" || st=1
	"$ctl" goroutines -p "$pid" >"$d/groups.txt" 2>>"$d/all.err" || st=1
	"$ctl" goroutines -p "$pid" --all --json --min-wait 1s >"$d/minwait.json" 2>>"$d/all.err" || st=1
	"$ctl" goroutines -p "$pid" --format pprof -o "$d/prof.pb.gz" 2>>"$d/all.err" || st=1
	elapsed=$(( $(now_ns) - $(cat "$d/started") ))
	if [ "$st" != 0 ]; then
		nok "$n: godiagctl goroutines runs"
		sed 's/^/#   /' "$d/all.err" | head -5
		continue
	fi
	ok "$n: godiagctl goroutines runs"
	if [ -s "$d/strace" ]; then
		nok "$n: godiagctl neither traces nor signals the process"
		sed 's/^/#   /' "$d/strace" | head -5
	else
		ok "$n: godiagctl neither traces nor signals the process"
	fi
	"$pprof" -traces "$d/prof.pb.gz" >"$d/traces.txt" 2>"$d/pprof.err" ||
		echo "pprof failed: $(head -c 300 "$d/pprof.err")" >"$d/traces.txt"
	python3 "$here/check_goroutines.py" "$n" "$d" "$elapsed"
	# the text output has the same groups
	if grep -q "^$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["groups"][0]["count"])' "$d/groups.json") \[" "$d/groups.txt" &&
		[ "$(grep -c '^[0-9]* \[' "$d/groups.txt")" = "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["groups"]))' "$d/groups.json")" ]; then
		ok "$n: the text shows the groups the JSON has"
	else
		nok "$n: the text shows the groups the JSON has"
	fi
	# the heartbeat went on after the dumps, and never saw a tracer
	end=$((SECONDS + 30))
	while [ "$(beats "$d")" = "$b0" ] && [ $SECONDS -lt $end ]; do sleep 0.05; done
	if [ -n "$b0" ] && [ "$(beats "$d")" != "$b0" ] && grep -q ' traced=0$' "$d/status" &&
		kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*[Tt]' "/proc/$pid/status"; then
		ok "$n: the program ran on and saw no tracer"
	else
		nok "$n: the program ran on and saw no tracer ($(cat "$d/status" 2>/dev/null))"
	fi
done

# ---- errors ----------------------------------------------------------

# expect NAME STATUS PATTERN CMD...: exit STATUS, one line on stderr
# matching PATTERN (and for a usage error the pointer to the help)
expect() {
	local name=$1 want=$2 pat=$3 st lines=1
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	grep -q "^see 'godiagctl help" "$tmp/err" && lines=2
	if [ "$st" = "$want" ] && [ "$(wc -l <"$tmp/err")" = $lines ] &&
		head -n 1 "$tmp/err" | grep -Eq "$pat"; then
		ok "$name"
	else
		nok "$name"
		echo "#   exit $st (want $want): $(cat "$tmp/err")"
	fi
}

sleep 600 &
spid=$!
pids+=("$spid")
expect "goroutines of a process that is not Go exits 1" 1 \
	"^godiagctl: goroutines: process $spid is not a Go program$" "$ctl" goroutines -p "$spid"
kill "$spid"
wait "$spid" 2>/dev/null
expect "goroutines of a dead PID exits 1" 1 \
	"^godiagctl: goroutines: no process $spid$" "$ctl" goroutines -p "$spid"
expect "goroutines without -p is a usage error" 1 "missing -p PID" "$ctl" goroutines
expect "an unknown --state is a usage error" 1 "unknown state 'sleeping'" \
	"$ctl" goroutines -p 1 --state sleeping
expect "--format pprof without -o is a usage error" 1 "needs -o FILE" \
	"$ctl" goroutines -p 1 --format pprof

if [ ${#names[@]} -gt 0 ]; then
	n=${names[0]}
	pid=$(cat "$tmp/$n/pid")
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		expect "goroutines as nobody of a process of root is refused (exit 4)" 4 \
			"cannot read the memory of process $pid: Permission denied.*ptrace access" \
			setpriv --reuid=65534 --regid=65534 --clear-groups -- "$ctl" goroutines -p "$pid"
	else
		echo "# not root: the permission check is left out"
	fi
	# a dump that fails leaves -o FILE as it was
	echo precious >"$tmp/keep"
	"$ctl" goroutines -p "$spid" --format pprof -o "$tmp/keep" 2>/dev/null
	left=$(find "$tmp" -maxdepth 1 -name '.keep.godiag-*' | wc -l)
	if [ "$(cat "$tmp/keep")" = precious ] && [ "$left" = 0 ]; then
		ok "a dump that fails leaves -o FILE as it was"
	else
		nok "a dump that fails leaves -o FILE as it was"
	fi
fi
