# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2154 # (start_gt assigns by name)
# Netlink fuzz: `nlraw fuzz` sends GODIAG_FUZZ_COUNT malformed and random
# requests (default 100000; see tests/progs/nlraw.c for what it
# generates) from 4 threads at once (GODIAG_FUZZ_THREADS),
# with a real target to add and a real file to probe, then the module
# must still work exactly: status, a syscall capture with exact counts, a
# goroutine capture, unload and reload. Any kernel report fails the run
# (tests/vm/run.sh). GODIAG_FUZZ_SEED repeats a run; the seed is printed.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw
gt=$progs/gt_syscalls
count=${GODIAG_FUZZ_COUNT:-100000}
threads=${GODIAG_FUZZ_THREADS:-4}
seed=${GODIAG_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# nlraw fuzz: $count requests, $threads threads, seed $seed"

# The fuzz adds this process as a target and probes its own copy of a
# binary at random offsets: it waits for a SIGUSR1 that never comes and
# is SIGKILLed at the end, so the breakpoints never run.
cp "$gt" "$work/fuzz-target"
start_gt tpid "$work/fuzz-target" --wait-signal getpid 1
# In rounds of at most 10000 (seed, seed + 1, ...), each ending with
# nlraw's sweep of every session, so a slow kernel shows its progress.
t0=$SECONDS
sent=0 answered=0 probes=0 st=0 round=0
while [ "$sent" -lt "$count" ] && [ "$st" = 0 ]; do
	n=$((count - sent > 10000 ? 10000 : count - sent))
	"$nlraw" fuzz --count "$n" --seed $((seed + round)) --threads "$threads" \
		--target "$tpid" --probe-file "$work/fuzz-target" >"$work/fuzz.out" 2>"$work/fuzz.err"
	st=$?
	echo "# round $round, $((SECONDS - t0)) s: $(cat "$work/fuzz.out") $(cat "$work/fuzz.err")"
	s=$(sed -n 's/^sent=\([0-9]*\) .*/\1/p' "$work/fuzz.out")
	a=$(sed -n 's/.* answered=\([0-9]*\)$/\1/p' "$work/fuzz.out")
	p=$(sed -n 's/.* \([0-9]*\) probes placed$/\1/p' "$work/fuzz.err")
	[ "$s" = "$n" ] || [ "$st" != 0 ] || st=1
	sent=$((sent + ${s:-0})) answered=$((answered + ${a:-0})) probes=$((probes + ${p:-0}))
	round=$((round + 1))
done
check_eq "nlraw fuzz ran to the end" 0 "$st"
check_eq "all $count requests were sent" "$count" "$sent"
check_ge "the kernel answered most of them" $((count / 2)) "$answered"
check_ge "the fuzz placed uprobes in the target" 1 "$probes"
check "the probed target is still there" kill -0 "$tpid"
kill -9 "$tpid"
wait "$tpid" 2>/dev/null

echo "# ${SECONDS}s"
# ---- the module afterwards
check_eq "the fuzz left no session" 0 "$(nsessions)"
check "godiagctl status" "$ctl" status
start_gt pid "$gt" --wait-signal write 5000
capture_bg "$work/cap" -p "$pid" --syscalls --syscall write
wait_running 1
kill -USR1 "$pid"
check "a capture after the fuzz ends with its target" wait_bg 300 "$cap_pid"
report "$work/cap"
check_eq "write count exact" 5001 "$(syscall_count "$work/cap.json" write)"
check_eq "written == read + lost" \
	"$(jget "$work/cap.json" "d['capture']['written']")" \
	"$(jget "$work/cap.json" "d['capture']['read'] + d['events']['lost']")"
check_eq "nothing lost" 0 "$(jget "$work/cap.json" "d['events']['lost']")"
echo "# ${SECONDS}s"
b=$progs/gosched-go1.23
[ -x "$b" ] || b=$progs/gosched
check "a goroutine capture after the fuzz" "$ctl" capture --goroutines -o "$work/go" -- "$b" -n 5
report "$work/go"
check_eq "its goroutines: 5 select workers" 5 \
	"$(jget "$work/go.json" "sum(x['created'] for x in d['goroutines']['by_start'] if x['function'] == 'main.selectWorker')")"
echo "# ${SECONDS}s"
check "the module unloads" module_unload
check "and loads again" module_load
check "and works" "$ctl" status
