#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016 # check's commands are eval'd: single quotes on purpose
#
# Check the test helper programs that need no module, on the host:
#   O=DIR bash tests/progs/selftest.sh      (make -C tests/progs selftest)
# The syscall counts of each measured window are checked with strace -f:
# the window is every syscall entered after the rt_sigtimedwait that
# returned SIGUSR1. Ends with "N passed, N failed"; exit 1 on a failure.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
O=${O:-$here/../../build/progs}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
nok() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # description, then a command that must succeed
	local what=$1
	shift
	if "$@"; then ok "$what"; else nok "$what"; fi
}

command -v strace >/dev/null || { echo "selftest: strace is needed" >&2; exit 1; }

# run_window PROG ARGS...: run under strace with --wait-signal already in
# ARGS, send SIGUSR1 after "ready", leave $tmp/out (stdout), $tmp/rc and
# $tmp/win ("count name" per syscall entered in the window, sorted by name).
run_window() {
	rm -f "$tmp/out" "$tmp/trace"
	strace -f -qq -o "$tmp/trace" "$@" >"$tmp/out" &
	local sp=$! pid
	for _ in $(seq 200); do
		grep -q '^ready ' "$tmp/out" 2>/dev/null && break
		sleep 0.05
	done
	pid=$(awk '/^ready /{print $2; exit}' "$tmp/out")
	[ -n "$pid" ] && kill -USR1 "$pid"
	wait "$sp"
	echo $? >"$tmp/rc"
	# (a call the kernel restarts, "= ? ERESTARTNOINTR" when a signal came
	# in, say a child's SIGCHLD during fork, shows twice: counted once)
	awk 'found && / = \? ERESTART/ { r = $2 == "<..." ? $3 : $2; sub(/\(.*/, "", r); n[r]-- }
	     found && $2 !~ /^(<\.\.\.|---|\+\+\+)/ { sub(/\(.*/, "", $2); n[$2]++ }
	     !found && ((/rt_sigtimedwait/ && /= 10 \(SIGUSR1\)/) || /--- SIGUSR1 /) { found = 1 }
	     END { for (s in n) print n[s], s }' "$tmp/trace" | sort -k2 >"$tmp/win"
}

# check_usage NAME PROG ARGS...: each ARGS (one string, split at spaces)
# makes PROG exit 2, its usage status
check_usage() {
	local name=$1 prog=$2 args argv
	shift 2
	for args in "$@"; do
		read -ra argv <<<"$args"
		"$prog" "${argv[@]}" >/dev/null 2>&1
		check "$name $args: usage, status 2" [ $? = 2 ]
	done
}

win() { # syscall -> its count in the window (0 if none)
	awk -v s="$1" '$2 == s { print $1; f = 1 } END { if (!f) print 0 }' "$tmp/win"
}

win_only() { # "name=count ..." must be exactly the window
	local want got
	want=$(for kv in "$@"; do echo "${kv#*=} ${kv%%=*}"; done | sort -k2)
	got=$(cat "$tmp/win")
	if [ "$want" != "$got" ]; then
		echo "  want: $(tr '\n' ' ' <<<"$want")"
		echo "  got:  $(tr '\n' ' ' <<<"$got")"
		return 1
	fi
}

rc_is() { [ "$(cat "$tmp/rc")" = "$1" ]; }

G=$O/gt_syscalls

# ---- gt_syscalls ----------------------------------------------------
run_window "$G" --wait-signal write 1000
check "gt_syscalls write 1000: window = 1000 writes + done + exit_group" \
	win_only write=1001 exit_group=1
pid=$(awk '/^ready /{print $2}' "$tmp/out")
check "gt_syscalls write: output \"ready $pid\", \"done\", status 0" \
	eval 'rc_is 0 && [ "$(tr "\n" " " <"$tmp/out")" = "ready $pid done " ]'

run_window "$G" --wait-signal getpid 777
check "gt_syscalls getpid 777: exact window" win_only getpid=777 write=1 exit_group=1

run_window "$G" --wait-signal fail 55
check "gt_syscalls fail 55: exact window" win_only write=56 exit_group=1
check "gt_syscalls fail 55: 55 EBADF" \
	[ "$(awk '/write\(-1,/ && /EBADF/' "$tmp/trace" | wc -l)" = 55 ]

run_window "$G" --wait-signal nanosleep 4 30
check "gt_syscalls nanosleep 4 30: exact window" win_only nanosleep=4 write=1 exit_group=1
strace -qq -T -e trace=nanosleep -o "$tmp/ns" "$G" nanosleep 3 50
check "gt_syscalls nanosleep 3 50: each sleep >= 50 ms" \
	awk '/nanosleep/ { c++; d = $NF; gsub(/[<>]/, "", d); if (d < 0.050) bad++ }
	     END { exit !(c == 3 && !bad) }' "$tmp/ns"

run_window "$G" --wait-signal loop 0.3
k=$(sed -n 2p "$tmp/out")
check "gt_syscalls loop: count printed ($k)" [ -n "$k" ] && [ "$k" -gt 0 ]
check "gt_syscalls loop: window = setitimer + K writes + rt_sigreturn + 2 writes" \
	win_only setitimer=1 write=$((k + 2)) rt_sigreturn=1 exit_group=1

run_window "$G" --wait-signal spin-threads 3 0.3
k=$(sed -n 2p "$tmp/out")
check "gt_syscalls spin-threads: writes = total ($k) + 2" [ "$(win write)" = $((k + 2)) ]

out=$("$G" loop 0.2)
check "gt_syscalls loop without handshake prints only the count" \
	eval '[ "$(echo "$out" | wc -l)" = 1 ] && [ "$out" -gt 0 ]'
check "gt_syscalls write 10 prints nothing" [ -z "$("$G" write 10)" ]
strace -qq -c -e trace=write -o "$tmp/c" "$G" write 5000
check "gt_syscalls write 5000 without handshake: 5000 writes" \
	grep -Eq ' 5000 +write$' "$tmp/c"

# --wait-fd and --start-delay
rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
strace -f -qq -c -e trace=getpid -o "$tmp/c" "$G" --wait-fd 3 getpid 300 3<"$tmp/fifo" >"$tmp/out" &
sp=$!
exec 4>"$tmp/fifo"; echo x >&4; exec 4>&-
wait $sp
# 301: getpid() for the ready line comes first
check "gt_syscalls --wait-fd: ready/done and 300 getpid" \
	eval 'grep -q "^done" $tmp/out && grep -Eq " 301 +getpid" $tmp/c'
out=$("$G" --start-delay 50 getpid 3)
check "gt_syscalls --start-delay: ready/done" eval '[ "$(echo $out | cut -d" " -f1,3)" = "ready done" ]'

check_usage gt_syscalls "$G" "" "bogus" "write" "write x" "write -1" "nanosleep 1" "loop 0" \
	"spin-threads 0 1" "--wait-fd" "--start-delay x write 1" "--nope write 1"
check "gt_syscalls --help: status 0" eval '"$G" --help >/dev/null'

# ---- gt_forker ------------------------------------------------------
F=$O/gt_forker
run_window "$F" --wait-signal 5
check "gt_forker 5: children line" eval 'rc_is 0 && sed -n 2p $tmp/out | grep -qx "children 5"'
check "gt_forker 5: 50 getpid, 6 exit_group, 5 clone, 2 writes" \
	eval '[ $(win getpid) = 50 ] && [ $(win exit_group) = 6 ] && [ $(win clone) = 5 ] && [ $(win write) = 2 ]'
check "gt_forker 5: child statuses 0..4" \
	eval '[ "$(grep -o "exit_group([0-9]*" $tmp/trace | cut -d"(" -f2 | sort -n | tr "\n" " ")" = "0 0 1 2 3 4 " ]'
out=$("$F" 300)
check "gt_forker 300 (statuses wrap at 256)" [ "$out" = "children 300" ]
"$F" --exec /bin/sh -c 'exit 7'
check "gt_forker --exec: child status" [ $? = 7 ]
"$F" --exec /nonexistent/prog
check "gt_forker --exec of a missing program: 127" [ $? = 127 ]
run_window "$F" --wait-signal --exec "$G" getpid 20
check "gt_forker --wait-signal --exec: 20 getpid in the window" \
	eval 'rc_is 0 && [ $(win getpid) = 20 ] && [ $(win execve) = 1 ]'
check "gt_forker --help: status 0" eval '"$F" --help >/dev/null'
check_usage gt_forker "$F" "" "x" "1 2" "--exec"

# ---- gt_threads -----------------------------------------------------
T=$O/gt_threads
run_window "$T" --wait-signal 4 1000
check "gt_threads 4 1000: 4000 getpid, 4 clone3, 1 write" \
	eval 'rc_is 0 && [ $(win getpid) = 4000 ] && [ $(win clone3) = 4 ] && [ $(win write) = 1 ]'
run_window "$T" --wait-signal --prestart 3 500
check "gt_threads --prestart 3 500: 1500 getpid, no clone in the window" \
	eval 'rc_is 0 && [ $(win getpid) = 1500 ] && [ $(win clone3) = 0 ] && [ $(win clone) = 0 ]'
check "gt_threads 8 100000" "$T" 8 100000
check "gt_threads --help: status 0" eval '"$T" --help >/dev/null'
check_usage gt_threads "$T" "" "1" "0 1" "x 1"

# ---- nlraw ----------------------------------------------------------
N=$O/nlraw
check "nlraw --help" eval '"$N" --help >/dev/null'
"$N" send status x >/dev/null 2>&1
check "nlraw bad attribute: status 1" [ $? = 1 ]
"$N" >/dev/null 2>&1
check "nlraw no subcommand: status 1" [ $? = 1 ]
if "$N" send status >/dev/null 2>&1 || [ $? != 2 ]; then
	echo "skip nlraw without the module (the godiag family exists)"
else
	"$N" send status 2>"$tmp/err"
	check "nlraw without the module: status 2 and the message" \
		eval '[ $? = 2 ] || true; grep -q "does not exist" $tmp/err'
	"$N" session-new >/dev/null 2>&1
	check "nlraw session-new without the module: status 2" [ $? = 2 ]
	"$N" fuzz --count 5 --seed 1 >/dev/null 2>&1
	check "nlraw fuzz without the module: status 2" [ $? = 2 ]
fi
# The format, against nlctrl (read-only commands only).
check "nlraw --family nlctrl send 3 2:str:nlctrl" \
	[ "$("$N" --family nlctrl send 3 2:str:nlctrl)" = "errno=0 msg=" ]
check "nlraw ... family-name of a missing family: errno=2" \
	[ "$("$N" --family nlctrl send 3 2:str:nosuchfamily)" = "errno=2 msg=" ]
check "nlraw --dump counts messages" \
	eval '"$N" --family nlctrl send --dump 3 | grep -Eq "^errno=0 messages=[1-9][0-9]* msg=$"'
check "nlraw unknown command: errno=95" \
	[ "$("$N" --family nlctrl send 99)" = "errno=95 msg=" ]
check "nlraw --truncate 25: extack message" \
	[ "$("$N" --family nlctrl send --truncate 25 3 2:str:nlctrl)" = \
	  "errno=22 msg=bytes leftover after parsing attributes" ]
out=$("$N" --timeout 200 --family nlctrl send --truncate 10 3 2:str:nlctrl)
# shellcheck disable=SC2034 # read by the eval below
rc=$?
check "nlraw --truncate 10: no reply, status 3" eval '[ $rc = 3 ] && [ "$out" = "errno=noreply msg=" ]'
check "nlraw --bad-len: errno=22" \
	eval '"$N" --family nlctrl send --bad-len 3 2:str:nlctrl | grep -q "^errno=22 "'
check "nlraw 64 KiB attribute (ack bigger than the buffer)" \
	eval '"$N" --family nlctrl send 3 1:len:65531 | grep -q "^errno="'
check "nlraw fuzz against nlctrl, 3 threads" \
	eval '"$N" --family nlctrl fuzz --count 3000 --seed 5 --threads 3 | grep -q "^sent=3000 answered=[0-9]*$"'

# ---- Go -------------------------------------------------------------
for b in "$O"/gowrite "$O"/gowrite-go1.*; do
	[ -x "$b" ] || continue
	run_window "$b" --wait-signal --n 1000
	check "$(basename "$b") --n 1000: 1001 writes in the window" \
		eval 'rc_is 0 && [ $(win write) = 1001 ] && [ $(grep -Ec "^$(awk "/ready/{print \$2}" $tmp/out) +write\(3," $tmp/trace) = 1000 ]'
done
"$O"/gowrite >/dev/null 2>&1
check "gowrite without --n: usage, status 2" [ $? = 2 ]
for b in "$O"/gobusy "$O"/gobusy-go1.*; do
	[ -x "$b" ] || continue
	out=$("$b" --port 0 --clients 2 --goroutines 2 --seconds 1 | tail -1)
	check "$(basename "$b"): $out" \
		eval 'echo "$out" | grep -Eq "^counters requests=[1-9][0-9]* pingpongs=[1-9][0-9]*$"'
done
# --spawn-rate: the counters line gains spawned= and getppids= (make soak
# checks a capture against them), equal since every worker has exited.
b=$O/gobusy
if [ -x "$b" ]; then
	out=$("$b" --port 0 --goroutines 1 --spawn-rate 200 --seconds 1 | tail -1)
	check "gobusy --spawn-rate 200: $out" \
		eval 'echo "$out" | grep -Eq "^counters requests=0 pingpongs=[1-9][0-9]* spawned=([1-9][0-9]*) getppids=\1$"'
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
