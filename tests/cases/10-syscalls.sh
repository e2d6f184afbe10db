# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2154 # start_gt assigns by name
# Syscall capture against programs whose syscalls are known exactly.
. "$(dirname "$0")/../lib.sh"
module_load
gt=$progs/gt_syscalls
cap=$work/cap

# 1000 writes, filtered to write(2): the window also holds the "done" write.
start_gt pid "$gt" --wait-signal write 1000
capture_bg "$cap.1" -p "$pid" --syscalls --syscall write
wait_running 1
kill -USR1 "$pid"
check "capture ends by itself when the target exits" wait "$cap_pid"
report "$cap.1"
check_eq "write count is exact" 1001 "$(syscall_count "$cap.1.json" write)"
check_eq "the filter kept other syscalls out" "['write']" \
	"$(jget "$cap.1.json" "[s['name'] for s in d['syscalls']]")"
check_eq "nothing lost" 0 "$(jget "$cap.1.json" "d['events']['lost']")"
check_eq "written == read + lost" \
	"$(jget "$cap.1.json" "d['capture']['written']")" \
	"$(jget "$cap.1.json" "d['capture']['read'] + d['events']['lost']")"

# getpid, unfiltered, with an untraced twin doing the same at the same time.
start_gt pid "$gt" --wait-signal getpid 5000
start_gt other "$gt" --wait-signal getpid 3000
capture_bg "$cap.2" -p "$pid" --syscalls
wait_running 1
kill -USR1 "$other" "$pid"
wait "$cap_pid"
report "$cap.2"
check_eq "getpid count is exact" 5000 "$(syscall_count "$cap.2.json" getpid)"
check_eq "only the target's process is in the capture" "[$pid]" \
	"$(jget "$cap.2.json" "[p['pid'] for p in d['processes']]")"

# nanosleep: with --syscall-min 20ms only sleeps of at least 20 ms are
# kept, so a count of 5 proves every sleep lasted its requested time.
start_gt pid "$gt" --wait-signal nanosleep 5 20
capture_bg "$cap.3" -p "$pid" --syscalls --syscall nanosleep --syscall-min 20ms
wait_running 1
kill -USR1 "$pid"
wait "$cap_pid"
report "$cap.3"
check_eq "5 nanosleeps of >= 20 ms" 5 "$(syscall_count "$cap.3.json" nanosleep)"
check_ge "p50 is at least 20 ms" 20000000 \
	"$(jget "$cap.3.json" "[s['p50_ns'] for s in d['syscalls'] if s['name'] == 'nanosleep'][0]")"

# Failing syscalls are counted as errors.
start_gt pid "$gt" --wait-signal fail 100
capture_bg "$cap.4" -p "$pid" --syscalls --syscall write
wait_running 1
kill -USR1 "$pid"
wait "$cap_pid"
report "$cap.4"
check_eq "100 failed writes are errors" 100 \
	"$(jget "$cap.4.json" "[s['errors'] for s in d['syscalls'] if s['name'] == 'write'][0]")"

# A command started by godiagctl, traced from its first syscall.
check "capture -- CMD" "$ctl" capture --syscalls -o "$cap.5" -- "$gt" getpid 777
report "$cap.5"
check_eq "getpid count of a started command" 777 "$(syscall_count "$cap.5.json" getpid)"

# Threads: every thread's syscalls, none twice.
start_gt pid "$progs/gt_threads" --wait-signal --prestart 4 1000
capture_bg "$cap.6" -p "$pid" --syscalls --syscall getpid
wait_running 1
kill -USR1 "$pid"
wait "$cap_pid"
report "$cap.6"
check_eq "4 threads x 1000 getpid" 4000 "$(syscall_count "$cap.6.json" getpid)"

# Children: followed with -f, not followed without.
check "capture -f -- forker" "$ctl" capture -f --syscalls --syscall getpid -o "$cap.7" -- \
	"$progs/gt_forker" 5
report "$cap.7"
check_eq "5 children x 10 getpid followed" 50 "$(syscall_count "$cap.7.json" getpid)"
check_eq "5 children, each with its own pid, in the capture" 5 \
	"$(jget "$cap.7.json" "len([p for p in d['processes'] if p['syscalls'] == 10])")"
check "capture -- forker without -f" "$ctl" capture --syscalls --syscall getpid -o "$cap.8" -- \
	"$progs/gt_forker" 5
report "$cap.8"
check_eq "children not followed without -f" 0 "$(syscall_count "$cap.8.json" getpid)"

# Text report has the table.
out=$("$ctl" report "$cap.1")
check_match "text report has a header row" "COUNT +TOTAL +P50 +P90 +P99 +MAX +ERRORS" "$out"
check_match "text report has the write row" "^ *write +1001 " "$out"
check_eq "text and JSON of the report agree" none "$(report_differences "$cap.1" "$cap.1.json")"
check_eq "text and JSON agree, unfiltered" none "$(report_differences "$cap.2" "$cap.2.json")"

# A dead PID is a bad argument: one line and exit 1, as for inspect.
check_status "capture of a dead PID exits 1" 1 "$ctl" capture -p 4000000 --syscalls -o "$cap.9"
check_match "dead PID explained" "^godiagctl: capture: no process 4000000$" "$(cat "$work/out")"
check_status "inspect of a dead PID exits 1 too" 1 "$ctl" inspect -p 4000000
check_eq "sessions left behind" 0 "$("$ctl" sessions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')"

# A Go program: its syscalls come from whatever thread the runtime uses,
# all of them land in the capture.
start_gt pid "$progs/gowrite" --wait-signal --n 2000
capture_bg "$cap.10" -p "$pid" --syscalls --syscall write
wait_running 1
kill -USR1 "$pid"
check "capture of a Go program ends when it exits" wait "$cap_pid"
report "$cap.10"
check_eq "Go program: 2000 writes + the done line" 2001 "$(syscall_count "$cap.10.json" write)"
