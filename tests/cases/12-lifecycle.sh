# shellcheck shell=bash source-path=SCRIPTDIR
# godiag-case: no-go-programs (runs while check.sh builds them)
# Targets and readers coming and going: 64 targets at once, a killed
# capture leaves nothing behind, the module unloads mid-capture.
. "$(dirname "$0")/../lib.sh"
module_load
gt=$progs/gt_syscalls
nlraw=$progs/nlraw
sessions() { "$ctl" sessions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))'; }

# --- 64 concurrent targets
pids=()
targets=()
for _ in $(seq 64); do
	start_gt p "$gt" --wait-signal getpid 100
	pids+=("$p")
	targets+=(-p "$p")
done
capture_bg "$work/many" "${targets[@]}" --syscalls --syscall getpid
check "64 targets attached" wait_running 64
kill -USR1 "${pids[@]}"
check "capture of 64 targets ends when all exited" wait "$cap_pid"
report "$work/many"
check_eq "64 x 100 getpid" 6400 "$(syscall_count "$work/many.json" getpid)"
check_eq "64 processes" 64 "$(jget "$work/many.json" "len(d['processes'])")"

# --- a target exiting mid-capture is removed and reported with its status
sh -c 'sleep 1; exit 7' &
spid=$!
capture_bg "$work/exit" -p "$spid" --syscalls
wait "$spid"
check "capture ends when its only target exits" wait "$cap_pid"
check_match "the exit status is in the capture" "exit.*7" "$("$ctl" report "$work/exit" 2>&1)"
check_eq "no session left after the capture" 0 "$(sessions)"

# --- godiagctl killed with SIGKILL: its owned session goes with its socket
start_gt pid "$gt" --wait-signal getpid 10
capture_bg "$work/killed" -p "$pid" --syscalls
wait_running 1
kill -9 "$cap_pid"
wait "$cap_pid" 2>/dev/null
for _ in $(seq 50); do [ "$(sessions)" = 0 ] && break; sleep 0.1; done
check_eq "a SIGKILLed capture leaves no session" 0 "$(sessions)"
kill -USR1 "$pid"
check "its former target runs on and exits 0" wait "$pid"

# --- rmmod while a reader holds /dev/godiag is refused cleanly
# (the target runs long enough to outlive a slow, emulated VM: 60 s
# ran out on the debug kernel before the capture was up; killed below)
"$gt" loop 600 >/dev/null &
lpid=$!
capture_bg "$work/busy" -p "$lpid" --syscalls
wait_running 1
check_status "rmmod with an open reader is refused" 1 rmmod godiag
check "module still loaded" module_loaded
kill -INT "$cap_pid"
check "Ctrl-C ends the capture cleanly" wait "$cap_pid"
# report exits 5 on a file without its end section.
check_status "the interrupted capture is a complete file" 0 "$ctl" report "$work/busy"
report "$work/busy"
check_eq "report --json: the file is complete" True "$(jget "$work/busy.json" "d['file']['complete']")"
check_match "report --json: ended by SIGINT" "interrupted by SIGINT" \
	"$(jget "$work/busy.json" "d['notes']")"

# --- -o FILE is written beside FILE and renamed when complete: a failed
# capture never truncates or removes an earlier FILE
keep=$work/keep.gdc
tmps() { find "$work" -maxdepth 1 -name '.keep.gdc.godiag-*' | wc -l; }
printf 'an earlier capture\n' >"$keep"
check_status "a command that does not exist: exit 1" 1 \
	"$ctl" capture --syscalls -o "$keep" -- "$work/no-such-command"
check_eq "an earlier FILE survives a command that cannot run" "an earlier capture" "$(cat "$keep")"
check_status "a dead PID: exit 1" 1 "$ctl" capture -p 4000000 --syscalls -o "$keep"
check_eq "an earlier FILE survives a refused capture" "an earlier capture" "$(cat "$keep")"
check_eq "failed captures leave no temporary" 0 "$(tmps)"
check "a finished capture replaces FILE" \
	"$ctl" capture --syscalls --syscall getpid -o "$keep" -- "$gt" getpid 7
report "$keep"
check_eq "the new FILE holds the new capture" 7 "$(syscall_count "$keep.json" getpid)"
check_eq "no temporary is left" 0 "$(tmps)"
# SIGKILL: FILE keeps the last finished capture; the temporary, flushed
# every second, stays and reads as a file cut short (exit 5).
# (a nanosleep of 10 ms at a time: a few records a second, not a flood)
"$gt" nanosleep 60000 10 >/dev/null &
kpid=$!
capture_bg "$keep" -p "$kpid" --syscalls
wait_running 1
tmp_has_records() {
	local t
	t=$(find "$work" -maxdepth 1 -name '.keep.gdc.godiag-*' -size +1k | head -1)
	[ -n "$t" ] || return 1
	# (exit 5: the file of a running capture has no end section yet)
	"$ctl" report --json "$t" >"$work/tmp.json" 2>/dev/null
	[ "$(jget "$work/tmp.json" "d['events']['recorded']")" -gt 0 ]
}
check "the temporary of a running capture holds records" wait_for tmp_has_records
kill -9 "$cap_pid"
wait "$cap_pid" 2>/dev/null
kill "$kpid"
wait "$kpid" 2>/dev/null
check_eq "a SIGKILLed capture leaves FILE as it was" 7 "$(syscall_count "$keep.json" getpid)"
report "$keep"
check_eq "and FILE still reads as before" 7 "$(syscall_count "$keep.json" getpid)"
check_eq "it leaves its temporary" 1 "$(tmps)"
t=$(find "$work" -maxdepth 1 -name '.keep.gdc.godiag-*' | head -1)
check_status "report reads the temporary as a cut file: exit 5" 5 "$ctl" report "$t"
check_match "and says where it was cut" "file (cut at|ends at) byte [0-9]+" "$(cat "$work/out")"

# --- rmmod with running sessions, targets and load, but no reader
sid=$("$nlraw" session-new | sed -n 's/^session=//p')
# The load runs until SIGUSR2 after the unload (a fixed time could end
# before the rmmod on a slow kernel, which would then test less).
"$gt" spin-threads 4 600 >"$work/spin.out" &
spin=$!
sleep 0.3
"$nlraw" send target-add session-id:u32:"$sid" pid:u32:"$spin" >/dev/null
"$nlraw" send target-add session-id:u32:"$sid" pid:u32:"$lpid" >/dev/null
"$nlraw" send session-start session-id:u32:"$sid" >/dev/null
sleep 1
check "the load is running at the unload" kill -0 "$spin"
check "rmmod mid-capture under load" rmmod godiag
kill -USR2 "$spin"
check "the traced program survives the unload" wait "$spin"
check "the second traced program is still running" kill -0 "$lpid"
kill "$lpid"
wait "$lpid" 2>/dev/null
check "module loads again" module_load
check_eq "no session survives a reload" 0 "$(sessions)"
