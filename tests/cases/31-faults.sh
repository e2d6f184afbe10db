# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2016,SC2154 # (eval'd on purpose; start_gt assigns by name)
# godiag-case: fresh-boot (it takes memory and CPU 1 offline and back, and
# loads the fault-injection build: the cases after it would run on a
# machine it changed)
# Faults while tracing: a Go target SIGKILLed while its probes fire, the
# reader SIGKILLed, a traced process that execs (directly, and a Go
# target's followed child), rmmod with sessions, targets and probes alive
# and 8 threads generating events, buffers too large for the machine (and
# allocation failures injected one at a time), a
# CPU going offline and online during a capture. After each: the counts
# are exact (written == read + lost, ground-truth syscall counts), no
# breakpoint is left behind, nothing is left over, and in the end the
# module unloads (the harness fails the run on any kernel report).
# 12-lifecycle covers rmmod refused with a capture running and unloading
# with syscall-only sessions; 11-buffer killed read() readers.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw
gt=$progs/gt_syscalls
cap=$work/cap
nl() { "$nlraw" send "$@" | grep -q '^errno=0 '; }
# new_session ATTRS...: a session id (raw SESSION_NEW, not owned)
new_session() {
	"$nlraw" send --show session-new "$@" | sed -n 's/.* session-id=\([0-9]*\).*/\1/p'
}
stat_of() { # SESSION FIELD -> sum over CPUs
	"$ctl" stats -s "$1" --json >"$work/stats.json"
	jget "$work/stats.json" "sum(c['$2'] for s in d['sessions'] for c in s['cpus'])"
}
# breakpoints PID BINARY: how many probe offsets of BINARY (the last
# go_probes_add's inspect output) differ in PID's memory from the file;
# "gone" when PID is
breakpoints() {
	local offs
	offs=$(probe_offsets "$work/probes-inspect.json")
	# shellcheck disable=SC2086 # one argument per offset
	if ! text_bytes "$1" "$2" $offs >"$work/bp-text" 2>/dev/null; then
		echo gone
		return
	fi
	changed_bytes "$work/bp-text"
}
no_breakpoints() { [ "$(breakpoints "$1" "$2")" = 0 ]; }
# accounting NAME REPORT.json: written == read + lost, nothing lost
accounting() {
	check_eq "$1: written == read + lost" \
		"$(jget "$2" "d['capture']['written']")" \
		"$(jget "$2" "d['capture']['read'] + d['events']['lost']")"
	check_eq "$1: nothing lost" 0 "$(jget "$2" "d['events']['lost']")"
}
# scan_ok NAME FILE: capscan agrees: complete, well formed, and per CPU
# the module's written == read + lost
scan_ok() {
	capscan "$2" >"$2.scan"
	check_eq "$1: file complete, every record well formed" "True 0" \
		"$(jget "$2.scan" "d['complete'], d['bad']" | tr -d '(),')"
	check_eq "$1: per CPU, written == read + lost" "[]" \
		"$(jget "$2.scan" "[s['cpu'] for s in d['stats'] if s['written'] != s['read'] + s['lost']]")"
}
# exact_capture NAME FILE SYSCALL COUNT: the report has exactly COUNT
# calls of SYSCALL, its accounting holds, and capscan agrees (scan_ok)
exact_capture() {
	if report "$2"; then
		check_eq "$1: $3 count is exact" "$4" "$(syscall_count "$2.json" "$3")"
		accounting "$1" "$2.json"
	else
		not_ok "$1: report --json failed"
	fi
	scan_ok "$1" "$2"
}

echo "# ${SECONDS}s"
# ==== a. a Go target SIGKILLed while its goroutine probes fire ========
b=$(pick_prog gosched-go1.22 gosched)
"$ctl" inspect --json "$b" >"$work/probes-inspect.json"
start_gt pid "$b" --wait-signal --loop -n 5
kill -USR1 "$pid"
wait_for grep -q '^cycle ' "$gt_out"
capture_bg "$cap.a" -p "$pid" --goroutines --syscalls --buffer 4M
wait_running 1
c=$(last_cycle "$gt_out")
check "a: gosched cycles on under the capture" wait_for cycles_past "$gt_out" $((c + 1))
check_eq "a: breakpoints at every probe while traced" \
	"$(jget "$work/probes-inspect.json" "len(d['goroutines']['probes'])")" "$(breakpoints "$pid" "$b")"
kill -9 "$pid"
wait "$pid" 2>/dev/null
check "a: the capture ends by itself when the target is SIGKILLed" wait_bg 300 "$cap_pid"
check "a: the process is gone" test ! -e "/proc/$pid"
check_eq "a: no session left" 0 "$(nsessions)"
if report "$cap.a"; then
	check_ge "a: goroutines were created in the capture" 1 \
		"$(jget "$cap.a.json" "d['goroutines']['created']")"
	check_match "a: the capture notes the SIGKILL" "target $pid .*killed by SIGKILL" \
		"$(jget "$cap.a.json" "d['notes']")"
	accounting a "$cap.a.json"
else
	not_ok "a: report --json failed"
fi
scan_ok a "$cap.a"
check_eq "a: the target's exit record says SIGKILL" "[[$pid, 9]]" "$(jget "$cap.a.scan" "d['exits']")"

echo "# ${SECONDS}s"
# ==== b. the reader SIGKILLed mid-stream ==============================
b=$(pick_prog gosched-go1.23-pie gosched)
"$ctl" inspect --json "$b" >"$work/probes-inspect.json"
start_gt pid "$b" --wait-signal --hold --loop -n 5
kill -USR1 "$pid"
wait_for grep -q '^cycle ' "$gt_out"
out=$gt_out
capture_bg "$cap.b" -p "$pid" --goroutines --syscalls
wait_running 1
wait_for_s=20 wait_for eval '[ "$(breakpoints "$pid" "$b")" -gt 0 ]'
c=$(last_cycle "$out")
wait_for cycles_past "$out" "$c"
kill -9 "$cap_pid"
wait "$cap_pid" 2>/dev/null
check "b: the killed reader's session goes" wait_for eval '[ "$(nsessions)" = 0 ]'
check "b: no breakpoint left in the target's text" wait_for no_breakpoints "$pid" "$b"
c=$(last_cycle "$out")
check "b: the target cycles on" wait_for cycles_past "$out" "$c"
kill -TERM "$pid"
check "b: and exits 0 at SIGTERM" wait "$pid"

echo "# ${SECONDS}s"
# ==== c. exec and fork ================================================
# c1. a traced process execs: the new image is traced from its first
# syscall, exactly.
mkfifo "$work/go1"
bash -c 'echo "ready $$"; read -r _ <"$1"; exec "$2" getpid 777' _ "$work/go1" "$gt" \
	>"$work/c1.out" 2>&1 &
bpid=$!
wait_for grep -q '^ready ' "$work/c1.out"
capture_bg "$cap.c1" -p "$bpid" --syscalls --syscall getpid,execve
wait_running 1
echo go >"$work/go1"
check "c1: the capture of a process that execs ends when it exits" wait_bg 300 "$cap_pid"
wait "$bpid"
check_eq "c1: the exec'd program exits 0" 0 "$?"
if report "$cap.c1"; then
	check_eq "c1: one execve" 1 "$(syscall_count "$cap.c1.json" execve)"
	check_eq "c1: getpid count of the new image is exact" 777 "$(syscall_count "$cap.c1.json" getpid)"
	check_eq "c1: one process" "[$bpid]" "$(jget "$cap.c1.json" "[p['pid'] for p in d['processes']]")"
	accounting c1 "$cap.c1.json"
else
	not_ok "c1: report --json failed"
fi

# c2. probes placed while the target runs another program (a shell), on
# the Go binary it then execs: they belong to the old address space and
# never fire in the new image; the new image traces normally afterwards.
b=$(pick_prog gosched-go1.21-pie gosched)
mkfifo "$work/go2"
bash -c 'echo "ready $$"; read -r _ <"$1"; exec "$2" --loop -n 3' _ "$work/go2" "$b" \
	>"$work/c2.out" 2>&1 &
bpid=$!
wait_for grep -q '^ready ' "$work/c2.out"
esid=$(new_session events:u32:2)
nl target-add session-id:u32:"$esid" pid:u32:"$bpid"
n=$(go_probes_add "$esid" "$bpid" "$b")
check_ge "c2: probes on the Go binary placed for the shell" 5 "$n"
nl session-start session-id:u32:"$esid"
echo go >"$work/go2"
check "c2: the exec'd Go program cycles" wait_for grep -q '^cycle ' "$work/c2.out"
check_eq "c2: its text has no breakpoint" 0 "$(breakpoints "$bpid" "$b")"
check_eq "c2: the old image's probes never fired" 0 "$(probe_hits "$esid")"
check_eq "c2: nothing was recorded" 0 "$(stat_of "$esid" written)"
nl session-del session-id:u32:"$esid"
capture_bg "$cap.c2" -p "$bpid" --goroutines --duration 4s
check "c2: then a goroutine capture of the new image" wait_bg 300 "$cap_pid"
if report "$cap.c2"; then
	check_ge "c2: ... sees goroutines created" 1 "$(jget "$cap.c2.json" "d['goroutines']['created']")"
	accounting c2 "$cap.c2.json"
else
	not_ok "c2: report --json failed"
fi
check "c2: no breakpoint left after it" wait_for no_breakpoints "$bpid" "$b"
kill -TERM "$bpid"
check "c2: the Go program exits 0 at SIGTERM" wait "$bpid"

# c3. a Go target under goroutine probes forks and execs (os/exec), its
# child followed with -f: the child's syscalls are exact, the parent's
# goroutines too.
N=5
b=$(pick_prog gosched-go1.22 gosched)
printf '#!/bin/sh\nexec %s fail 100\n' "$gt" >"$work/child.sh"
chmod +x "$work/child.sh"
start_gt pid "$b" --wait-signal --json -n $N --exec "$work/child.sh"
capture_bg "$cap.c3" -f -p "$pid" --goroutines --syscalls --syscall write
wait_running 1
kill -USR1 "$pid"
check "c3: the capture ends when the Go program exits" wait_bg 300 "$cap_pid"
wait "$pid"
check_eq "c3: gosched exits 0" 0 "$?"
check_eq "c3: its child exited 0" 0 "$(grep '^{' "$gt_out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["exec_status"])')"
if report "$cap.c3"; then
	check_eq "c3: the child's 100 failing writes, no other" 100 \
		"$(jget "$cap.c3.json" "[s['errors'] for s in d['syscalls'] if s['name'] == 'write'][0]")"
	check_eq "c3: one followed child with exactly those writes" 1 \
		"$(jget "$cap.c3.json" "len([p for p in d['processes'] if p['pid'] != $pid and p['syscalls'] == 100])")"
	check_eq "c3: goroutines created" $((5 * N + 1)) "$(jget "$cap.c3.json" "d['goroutines']['created']")"
	check_eq "c3: goroutines exited" $((5 * N + 1)) "$(jget "$cap.c3.json" "d['goroutines']['exited']")"
	accounting c3 "$cap.c3.json"
else
	not_ok "c3: report --json failed"
fi

echo "# ${SECONDS}s"
# ==== d. rmmod with sessions, targets and probes, 8 threads busy =====
b=$(pick_prog gosched-go1.23 gosched)
start_gt gpid "$b" --wait-signal --hold --loop -n 5
kill -USR1 "$gpid"
wait_for grep -q '^cycle ' "$gt_out"
gout=$gt_out
# 8 threads of write loops, released just before the rmmod and stopped
# by SIGUSR2 after it (600 s at most: a fixed time ran out before the
# rmmod on the debug kernel)
start_gt spin "$gt" --wait-signal spin-threads 8 600
spin_out=$gt_out
sid=$(new_session events:u32:3 buffer-size:u32:65536)
nl target-add session-id:u32:"$sid" pid:u32:"$gpid"
nl target-add session-id:u32:"$sid" pid:u32:"$spin"
n=$(go_probes_add "$sid" "$gpid" "$b")
check_ge "d: probes placed" 5 "$n"
nl session-start session-id:u32:"$sid"
check "d: the probes fire" wait_for eval '[ "$(probe_hits "$sid")" -gt 0 ]'
# a read() reader holds the module
"$progs/gdread" "$sid" >/dev/null 2>&1 &
rd=$!
check "d: a read() reader bound to the session" \
	wait_for eval '"$nlraw" send --dump --show sessions | grep -q " readers=1 "'
check_status "d: rmmod with a read() reader is refused" 1 rmmod godiag
kill -9 "$rd"
wait "$rd" 2>/dev/null
w0=$(stat_of "$sid" written)
kill -USR1 "$spin"
written_past() { [ "$(stat_of "$1" written)" -gt "$2" ]; }
check "d: the 8 threads' syscalls are recorded" wait_for written_past "$sid" $((w0 + 1000))
check "d: the 8 threads are still running" kill -0 "$spin"
check "d: rmmod with sessions, targets, probes and busy threads" rmmod godiag
check "d: the Go target's text has no breakpoint left" no_breakpoints "$gpid" "$b"
c=$(last_cycle "$gout")
check "d: the Go target cycles on" wait_for cycles_past "$gout" "$c"
kill -USR2 "$spin"
check "d: the 8-thread program finishes normally" wait_bg 300 "$spin"
check_match "d: ... and prints its count" "^[0-9]+$" "$(grep -E '^[0-9]+$' "$spin_out")"
kill -TERM "$gpid"
check "d: the Go target exits 0 at SIGTERM" wait "$gpid"
check "d: the module loads again" module_load
check_eq "d: with no session" 0 "$(nsessions)"

echo "# ${SECONDS}s"
# ==== e. buffers too large, allocation failures =======================
ncpu=$("$nlraw" send --show status | sed -n 's/.* nr-cpus=\([0-9]*\).*/\1/p')
big=$((256 << 20))
want_kb=$((big * ncpu / 1024))	# what 256 MiB per CPU takes
mem_kb() { awk "/^$1:/ { print \$2 }" /proc/meminfo; }
offlined=()
# shrink_ram KB: take memory blocks offline, highest first, until
# MemTotal is below KB
shrink_ram() {
	local m
	for m in $(printf "%s\n" /sys/devices/system/memory/memory[0-9]* | sort -V -r); do
		[ "$(mem_kb MemTotal)" -lt "$1" ] && return 0
		[ "$(cat "$m/state")" = online ] || continue
		echo offline >"$m/state" 2>/dev/null && offlined+=("$m")
	done
	[ "$(mem_kb MemTotal)" -lt "$1" ]
}
restore_ram() {
	local m
	for m in "${offlined[@]}"; do echo online >"$m/state"; done
	offlined=()
}
total0=$(mem_kb MemTotal)
# e1. more than a quarter of RAM: refused with ENOMEM and a reason. The
# VM has more RAM than that: take memory offline until it has not.
if shrink_ram $((want_kb * 4 - 65536)); then
	out=$("$nlraw" session-new --buffer $big 2>&1)
	check_match "e1: 256 MiB x $ncpu CPUs with $(mem_kb MemTotal) kB of RAM: ENOMEM with a reason" \
		"^errno=12 msg=.*quarter of RAM" "$out"
	check_status "e1: godiagctl capture --buffer 256M exits 3" 3 \
		"$ctl" capture --buffer 256M --syscalls -o "$work/big" -- true
	check_match "e1: ... and says why" "quarter of RAM" "$(cat "$work/out")"
	check_eq "e1: no session left" 0 "$(nsessions)"
else
	skip "e1: could not take enough memory offline to make 256 MiB x $ncpu too much"
fi
restore_ram
check_eq "e1: all memory back online" "$total0" "$(mem_kb MemTotal)"
# e2. the same size with all the RAM: allocated, used, and given back
if [ $((want_kb * 4)) -le "$total0" ]; then
	# (MemAvailable moves by itself too, by tens of MiB: page cache)
	avail0=$(mem_kb MemAvailable)
	sid=$(new_session buffer-size:u32:$big)
	check_match "e2: a session of 256 MiB x $ncpu CPUs" '^[0-9]+$' "$sid"
	avail1=$(mem_kb MemAvailable)
	check_ge "e2: it took the memory" $((want_kb * 9 / 10)) $((avail0 - avail1))
	nl session-del session-id:u32:"$sid"
	# (the buffers go a grace period later, from the workqueue)
	given_back() { [ $(($(mem_kb MemAvailable) - avail1)) -ge $((want_kb * 9 / 10)) ]; }
	check "e2: deleting it gives the memory back" wait_for given_back
	avail2=$(mem_kb MemAvailable)
	check "e2: a capture with 256 MiB buffers" \
		"$ctl" capture --buffer 256M --syscalls --syscall getpid -o "$cap.e2" -- "$gt" getpid 1000
	report "$cap.e2"
	check_eq "e2: getpid count exact" 1000 "$(syscall_count "$cap.e2.json" getpid)"
	accounting e2 "$cap.e2.json"
	# (again a grace period after the capture ends: slower on PREEMPT_RT)
	back_again() { [ "$(mem_kb MemAvailable)" -ge $((avail2 - want_kb / 4)) ]; }
	check "e2: and the memory is back after it (MemAvailable >= $((avail2 - want_kb / 4)) kB)" \
		wait_for back_again
else
	skip "e2: 256 MiB x $ncpu CPUs is more than a quarter of this VM's RAM"
fi
# e3. allocation failures injected one at a time (nlraw --fail-nth), in
# session-new, target-add, probe-add, session start, a dump and status:
# with the module built for it (tests/build-module.sh KERNEL faults), at
# godiag's own allocations; with a kernel that has failslab, at every
# allocation of the request. With godiag's injector each request must
# fail exactly as many allocations as it makes (kmod/faults.h: the ones
# wrapped in godiag_alloc), so a site that is not reached, or a new one,
# shows; with the kernel's, at least one.
dbg=/sys/kernel/debug
# e4 (with the fault-injection build): the notification that a target
# exited cannot be allocated (the first allocation of any thread after
# arming: nothing else allocates meanwhile). The capture must learn it
# all the same: ENOBUFS on its notification socket, then it lists the
# targets again. Its note then has no exit status, which only that path
# gives.
e4_lost_notification() {
	start_gt pid "$gt" --wait-signal getpid 100
	capture_bg "$cap.e4" -p "$pid" --syscalls --syscall getpid
	wait_running 1
	echo 1 >$dbg/godiag/fail_nth_any
	kill -USR1 "$pid"
	check "e4: a capture whose target's exit notice was lost ends" wait_bg 120 "$cap_pid"
	check_eq "e4: the notice's allocation was the one failed" 0 "$(cat $dbg/godiag/fail_nth_any)"
	echo 0 >$dbg/godiag/fail_nth_any
	exact_capture e4 "$cap.e4" getpid 100
	check_eq "e4: it found the target gone by listing the targets" True \
		"$(jget "$cap.e4.json" "'target $pid (gt_syscalls) exited' in d['notes']")"
}
[ -d $dbg/godiag ] || [ -d $dbg/failslab ] || mount -t debugfs none $dbg 2>/dev/null
injector=
if [ -d $dbg/failslab ] && [ -e /proc/thread-self/fail-nth ]; then
	injector=kernel
	for fa in failslab fail_page_alloc; do
		[ -d $dbg/$fa ] || continue
		echo N >$dbg/$fa/ignore-gfp-wait
		echo 0 >$dbg/$fa/verbose
		[ -e $dbg/$fa/min-order ] && echo 0 >$dbg/$fa/min-order
		[ -e $dbg/$fa/ignore-gfp-highmem ] && echo N >$dbg/$fa/ignore-gfp-highmem
	done
elif [ -e "$ko_faults" ]; then
	check "e3: the module unloads for its fault-injection build" module_unload
	check "e3: which loads" insmod "$ko_faults"
	check "e3: and has $dbg/godiag/fail_nth" test -e $dbg/godiag/fail_nth
	[ -e $dbg/godiag/fail_nth ] && injector=godiag
fi
if [ -n "$injector" ]; then
	echo "# e3: injector: $injector"
	b=$(pick_prog gosched-go1.23 gosched)
	start_gt hpid "$b" --wait-signal --hold -n 1
	"$ctl" inspect --json "$b" >"$work/probes-inspect.json"
	fsid=$(new_session events:u32:3)
	nl target-add session-id:u32:"$fsid" pid:u32:"$hpid"
	spec=$(go_probe_specs "$work/probes-inspect.json" | head -1)
	bpath=$(readlink -f "$b")
	keep=$("$nlraw" send --dump --show sessions | sed -n 's/.* session-id=\([0-9]*\).*/\1/p' | sort)
	# drop the sessions and probes an injection left behind
	tidy() {
		local s
		for s in $("$nlraw" send --dump --show sessions | sed -n 's/.* session-id=\([0-9]*\).*/\1/p'); do
			grep -qx "$s" <<<"$keep" || nl session-del session-id:u32:"$s"
		done
		for s in $("$nlraw" send --dump --show probes session-id:u32:"$fsid" |
			sed -n 's/.* probe-id=\([0-9]*\).*/\1/p'); do
			nl probe-del session-id:u32:"$fsid" probe-id:u32:"$s"
		done
		nl target-del session-id:u32:"$fsid" pid:u32:$$ || true
		nl session-stop session-id:u32:"$fsid" || true
		nl target-add session-id:u32:"$fsid" pid:u32:"$hpid" || true
	}
	# inject NAME ALLOCS NLRAW-ARGS...: fail allocation 1, 2, ... of the
	# request until it makes no more; every outcome must be a clean one
	inject() {
		local name=$1 allocs=$2 n out injected=0 bad=0
		shift 2
		for n in $(seq 1 400); do
			out=$("$nlraw" --fail-nth "$n" "$@" 2>&1)
			grep -q '^fault=none' <<<"$out" && break
			injected=$((injected + 1))
			if ! grep -Eq '^(errno=(0|12|105|noreply) |session=[0-9]+$|.*: (send|receive): (Cannot allocate memory|No buffer space available))' <<<"$out"; then
				bad=$((bad + 1))
				echo "#   allocation $n: $(tr '\n' ' ' <<<"$out")"
			fi
			tidy
		done
		if [ "$injector" = godiag ]; then
			check_eq "e3: $name: godiag's allocations failed in turn" "$allocs" "$injected"
		else
			check_ge "e3: $name: allocation failures injected" 1 "$injected"
		fi
		check_eq "e3: $name: each one refused cleanly (ENOMEM/ENOBUFS) or absorbed" 0 "$bad"
	}
	# session: itself, its per-CPU table, 2 per CPU, the reply
	inject session-new $((3 + 2 * ncpu)) session-new --buffer 65536
	# target: itself, its thread table, its syscall histograms, its PID
	# (no reply)
	inject "target-add" 4 send target-add session-id:u32:"$fsid" pid:u32:$$
	# probe: itself, its per-CPU counters, the reply
	# shellcheck disable=SC2086 # one attribute per word
	inject probe-add 3 send probe-add session-id:u32:"$fsid" pid:u32:"$hpid" \
		probe-path:str:"$bpath" $spec
	# (the kernel's own allocations only: netlink's, the tracepoints')
	inject "session start" 0 send session-start session-id:u32:"$fsid"
	inject "stats dump" 0 send --dump stats
	# the reply
	inject "status" 1 send status
	for fa in failslab fail_page_alloc; do
		[ -d $dbg/$fa ] && echo Y >$dbg/$fa/ignore-gfp-wait
	done
	kill -9 "$hpid"
	wait "$hpid" 2>/dev/null
	nl session-del session-id:u32:"$fsid"
	check_eq "e3: no session left" 0 "$(nsessions)"
	if [ "$injector" = godiag ]; then
		e4_lost_notification
		check "e3: the fault-injection build unloads" module_unload
		check "e3: the module loads again" module_load
	fi
else
	skip "e3: no allocation failure injector: the kernel has no failslab (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS) and $ko_faults is not built (tests/build-module.sh $(uname -r) faults)"
fi

echo "# ${SECONDS}s"
# ==== f. a CPU offline and online during a capture ====================
# Two targets on CPU 1: 2 threads of write loops keep the handlers busy
# there (only nanosleep is recorded: the records stay few), and a program
# doing exactly 15000 nanosleeps of 2 ms (30 s at least: on the debug
# kernel the two hotplugs take more than the 10 s of 5000). Expected:
# 15000 + the one nanosleep of spin-threads' main thread.
hp=/sys/devices/system/cpu/cpu1/online
if [ "$(nproc)" -ge 2 ] && [ -w $hp ]; then
	# f1. CPU 1 goes away and comes back twice
	start_gt spin taskset -c 1 "$gt" --wait-signal spin-threads 2 12
	start_gt pid taskset -c 1 "$gt" --wait-signal nanosleep 15000 2
	capture_bg "$cap.f1" -p "$spin" -p "$pid" --syscalls --syscall nanosleep
	wait_running 2
	kill -USR1 "$spin" "$pid"
	downs=0
	for _ in 1 2; do
		sleep 2
		echo 0 >$hp && [ "$(cat $hp)" = 0 ] && downs=$((downs + 1))
		sleep 1.5
		echo 1 >$hp
		taskset -a -p -c 1 "$pid" >/dev/null 2>&1
		taskset -a -p -c 1 "$spin" >/dev/null 2>&1
	done
	check_eq "f1: CPU 1 went offline twice mid-capture" 2 "$downs"
	check_eq "f1: CPU 1 is back" 1 "$(cat $hp)"
	check "f1: the nanosleep target was still running by then" kill -0 "$pid"
	check "f1: the capture ends when the targets exit" wait_bg 300 "$cap_pid"
	wait "$pid"
	check_eq "f1: the nanosleep target exits 0" 0 "$?"
	wait "$spin"
	check_eq "f1: the write loops exit 0" 0 "$?"
	exact_capture f1 "$cap.f1" nanosleep 15001
	check_ge "f1: records from CPU 1" 1 "$(jget "$cap.f1.scan" "d['by_cpu'].get('1', 0)")"
	check_ge "f1: records from CPU 0 (where the targets went meanwhile)" 1 \
		"$(jget "$cap.f1.scan" "d['by_cpu'].get('0', 0)")"

	# f2. CPU 1 offline when the capture starts, online in the middle:
	# its buffer is read as well. The targets start work only once they
	# are on CPU 1: however long bringing it up takes (the debug kernel
	# took longer than a 4 s target ran), they make their records there.
	echo 0 >$hp
	start_gt spin "$gt" --wait-signal spin-threads 2 6
	start_gt pid "$gt" --wait-signal nanosleep 2000 2
	capture_bg "$cap.f2" -p "$spin" -p "$pid" --syscalls --syscall nanosleep
	wait_running 2
	echo 1 >$hp
	check_eq "f2: CPU 1 came online mid-capture" 1 "$(cat $hp)"
	moved=0
	taskset -a -p -c 1 "$pid" >/dev/null && taskset -a -p -c 1 "$spin" >/dev/null && moved=1
	check_eq "f2: the targets moved to CPU 1" 1 "$moved"
	kill -USR1 "$spin" "$pid"
	check "f2: the capture ends when the targets exit" wait_bg 300 "$cap_pid"
	wait "$pid" "$spin"
	exact_capture f2 "$cap.f2" nanosleep 2001
	check_ge "f2: records from CPU 1, offline when the capture started" 1 \
		"$(jget "$cap.f2.scan" "d['by_cpu'].get('1', 0)")"
	echo 1 >$hp
else
	skip "f: CPU hotplug needs 2 CPUs and a writable $hp (nproc $(nproc))"
fi

echo "# ${SECONDS}s"
check_eq "no session left at the end" 0 "$(nsessions)"
check "the module unloads" module_unload
