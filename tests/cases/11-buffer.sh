# shellcheck shell=bash source-path=SCRIPTDIR
# Ring buffer behaviour: overflow in discard mode is counted exactly,
# overwrite mode keeps the newest records, readers come and go without
# losing committed records, read()/poll()/O_NONBLOCK work.
. "$(dirname "$0")/../lib.sh"
module_load
gt=$progs/gt_syscalls
nlraw=$progs/nlraw
write_only=02$(printf '00%.0s' $(seq 63))	# syscall mask: write (1) only

new_session() { # ARGS -> session id
	"$nlraw" session-new "$@" | sed -n 's/^session=//p'
}
nl() { # CMD ATTRS... ; succeeds when the kernel said errno=0
	"$nlraw" send "$@" | grep -q '^errno=0 '
}
stat_of() { # SESSION FIELD -> sum over CPUs
	"$ctl" stats -s "$1" --json >"$work/stats.json"
	jget "$work/stats.json" "sum(c['$2'] for s in d['sessions'] for c in s['cpus'])"
}
# run_gt SESSION ARGS...: trace gt_syscalls ARGS (writes only) into SESSION.
run_gt() {
	local sid=$1
	shift
	start_gt pid "$gt" --wait-signal "$@"
	nl target-add session-id:u32:"$sid" pid:u32:"$pid" &&
		nl syscalls-set session-id:u32:"$sid" syscall-mask:hex:"$write_only" &&
		nl session-start session-id:u32:"$sid" || echo "session setup failed" >&2
	kill -USR1 "$pid"
	wait "$pid"
	loops=$(grep -E '^[0-9]+$' "$gt_out")
}

# --- discard mode overflow through godiagctl capture (mmap reader)
"$ctl" capture --buffer 16K --syscalls --syscall write -o "$work/ovf" -- \
	"$gt" loop 2 >"$work/ovf.out" 2>"$work/ovf.err"
report "$work/ovf"
k=$(head -1 "$work/ovf.out")
rec=$(jget "$work/ovf.json" "d['events']['recorded']")
lost=$(jget "$work/ovf.json" "d['events']['lost']")
check_ge "a 16K buffer overflowed under a write loop" 1 "$lost"
check_eq "recorded + lost == K + 1 writes and the exit record" $((k + 2)) $((rec + lost))
check_eq "written == read + lost" \
	"$(jget "$work/ovf.json" "d['capture']['written']")" \
	"$(jget "$work/ovf.json" "d['capture']['read'] + d['events']['lost']")"
check_match "capture says events were lost" "lost" "$(cat "$work/ovf.err")"
# --strict: the same complete file, but exit 6 for the losses.
"$ctl" capture --strict --buffer 16K --syscalls --syscall write -o "$work/ovf2" -- \
	"$gt" loop 2 >/dev/null 2>"$work/ovf2.err"
check_eq "--strict: a complete capture with losses exits 6" 6 $?
check_status "--strict: the file is complete all the same" 0 "$ctl" report "$work/ovf2"
check_status "--strict: a clean run exits 0" 0 \
	"$ctl" capture --strict --syscalls -o "$work/clean" -- "$gt" getpid 10
check_status "--strict: a command that fails exits 6" 6 \
	"$ctl" capture --strict --syscalls -o "$work/fail" -- sh -c 'exit 3'
check_match "the summary says how the command ended" "the command exited with status 3" \
	"$(cat "$work/out")"
check_status "without --strict the same run exits 0" 0 \
	"$ctl" capture --syscalls -o "$work/fail" -- sh -c 'exit 3'

# --- overwrite mode: nobody reads until the end; the newest survive
sid=$(new_session --buffer 65536 --mode overwrite)
run_gt "$sid" loop 1
check "stop the overwrite session" nl session-stop session-id:u32:"$sid"
written=$(stat_of "$sid" written)
lost=$(stat_of "$sid" lost)
"$progs/gdread" "$sid" >"$work/ow.txt"
read_all=$(sed -n 's/^records=\([0-9]*\).*/\1/p' "$work/ow.txt")
check_eq "overwrite: written counts K + 2 writes and the exit record" \
	$((loops + 3)) "$written"
check_ge "overwrite: old records were overwritten" 1 "$lost"
check_eq "overwrite: read + overwritten == written" "$written" $((read_all + lost))
check_match "overwrite: the newest record (the final 'done' write) survived" \
	"last_ret=5 last_nr=1 " "$(cat "$work/ow.txt")"
check_match "overwrite: no torn records" " bad=0$" "$(cat "$work/ow.txt")"
nl session-del session-id:u32:"$sid"

# --- discard, two readers in turn, the first killed mid-stream
sid=$(new_session --buffer 4194304)
run_gt "$sid" write 20000
"$progs/gdread" --max-records 1000 "$sid" >"$work/r1.txt"
r1=$(sed -n 's/^records=\([0-9]*\).*/\1/p' "$work/r1.txt")
check_ge "first reader consumed records before dying" 1000 "$r1"
check "nonblocking read of a running, drained session says EAGAIN" sh -c \
	"'$progs/gdread' --nonblock '$sid' >'$work/r2a.txt'"
nl session-stop session-id:u32:"$sid"
"$progs/gdread" --poll "$sid" >"$work/r2.txt"
r2a=$(sed -n 's/^records=\([0-9]*\).*/\1/p' "$work/r2a.txt")
r2=$(sed -n 's/^records=\([0-9]*\).*/\1/p' "$work/r2.txt")
written=$(stat_of "$sid" written)
check_eq "discard: nothing lost with a 4M buffer" 0 "$(stat_of "$sid" lost)"
check_eq "readers together got every record written" "$written" $((r1 + r2a + r2))
check_eq "written counts 20000 + 1 writes and the exit record" 20002 "$written"
check_eq "module counts what read() consumed" "$written" "$(stat_of "$sid" read)"
nl session-del session-id:u32:"$sid"

# --- a reader SIGKILLed while blocked, then another reader
sid=$(new_session)
"$progs/gdread" "$sid" >/dev/null &
rpid=$!
sleep 0.5
kill -9 "$rpid"
wait "$rpid" 2>/dev/null
run_gt "$sid" write 10000
nl session-stop session-id:u32:"$sid"
"$progs/gdread" "$sid" >"$work/r3.txt"
check_eq "after a killed idle reader the next one gets everything" \
	"$(stat_of "$sid" written)" "$(sed -n 's/^records=\([0-9]*\).*/\1/p' "$work/r3.txt")"
nl session-del session-id:u32:"$sid"
