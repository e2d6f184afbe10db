# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2154 # start_gt assigns by name
# godiag-case: no-go-programs (runs while check.sh builds them)
# Ring buffer behaviour: overflow in discard mode is counted exactly,
# overwrite mode keeps the newest records, readers come and go without
# losing committed records, read()/poll()/O_NONBLOCK work; the LOST
# markers in the stream add up to the losses (those at the very end and
# the overwritten records too), a read() racing an overwriting writer
# loses nothing unaccounted, read() takes the CPUs in turn, mmap is
# shared only and never executable.
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
capscan "$work/ovf" >"$work/ovf.scan"
check_eq "the stream's LOST markers count every lost record" \
	"$(jget "$work/ovf.scan" "sum(c['lost'] for c in d['stats'])")" \
	"$(jget "$work/ovf.scan" "sum(c['lost_marked'] for c in d['stats'])")"
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
check_match "overwrite: no torn records" " bad=0 " "$(cat "$work/ow.txt")"
check_eq "overwrite: the stream's LOST markers count every overwritten record" "$lost" \
	"$(sed -n 's/.* lost=\([0-9]*\) .*/\1/p' "$work/ow.txt")"
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

# field FILE NAME: the value of NAME=VALUE in gdread's output line
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p; s/^$2=\([^ ]*\).*/\1/p" "$1" | head -1; }

# --- discard mode, losses only at the end: nobody reads until the session
# stops, so no record fits after the first loss; the LOST marker (count
# and time span) must still be in the stream, written when it stops
sid=$(new_session --buffer 16384)
run_gt "$sid" write 2000
nl session-stop session-id:u32:"$sid"
"$progs/gdread" "$sid" >"$work/end.txt"
lost=$(stat_of "$sid" lost)
check_ge "end: a 16K buffer lost records" 1000 "$lost"
check_ge "end: a LOST marker is in the stream" 1 "$(field "$work/end.txt" lost_markers)"
check_eq "end: the LOST markers count every lost record" "$lost" "$(field "$work/end.txt" lost)"
check_eq "end: read + lost == written" "$(stat_of "$sid" written)" \
	$(($(field "$work/end.txt" records) + lost))
nl session-del session-id:u32:"$sid"

# --- overwrite mode with a reader draining while the writer overwrites:
# read() claims each record against the writer; every record is read
# once or counted lost, and the stream's LOST markers say how many
sid=$(new_session --buffer 16384 --mode overwrite)
taskset -c 1 "$progs/gdread" "$sid" >"$work/owr.txt" &
rpid=$!
start_gt pid taskset -c 0 "$gt" --wait-signal loop 2
nl target-add session-id:u32:"$sid" pid:u32:"$pid" &&
	nl syscalls-set session-id:u32:"$sid" syscall-mask:hex:"$write_only" &&
	nl session-start session-id:u32:"$sid" || echo "session setup failed" >&2
kill -USR1 "$pid"
wait "$pid"
nl session-stop session-id:u32:"$sid"
check "overwrite, concurrent: the reader ends at the end of the session" wait_bg 120 "$rpid"
written=$(stat_of "$sid" written)
lost=$(stat_of "$sid" lost)
check_ge "overwrite, concurrent: records were overwritten" 1 "$lost"
check_eq "overwrite, concurrent: read + lost == written" "$written" \
	$(($(field "$work/owr.txt" records) + lost))
check_eq "overwrite, concurrent: the module counts what read() consumed" \
	"$(field "$work/owr.txt" records)" "$(stat_of "$sid" read)"
check_eq "overwrite, concurrent: the LOST markers count every lost record" "$lost" \
	"$(field "$work/owr.txt" lost)"
check_eq "overwrite, concurrent: no torn records" 0 "$(field "$work/owr.txt" bad)"
nl session-del session-id:u32:"$sid"

# --- read() takes CPUs in turn: CPU 0 holds 20000 records, CPU 1 2000;
# reads of one page each must not serve CPU 0 alone until it is empty
sid=$(new_session --buffer 4194304)
start_gt p0 taskset -c 0 "$gt" --wait-signal write 20000
start_gt p1 taskset -c 1 "$gt" --wait-signal write 2000
nl target-add session-id:u32:"$sid" pid:u32:"$p0" &&
	nl target-add session-id:u32:"$sid" pid:u32:"$p1" &&
	nl syscalls-set session-id:u32:"$sid" syscall-mask:hex:"$write_only" &&
	nl session-start session-id:u32:"$sid" || echo "session setup failed" >&2
kill -USR1 "$p0" "$p1"
wait "$p0" "$p1"
nl session-stop session-id:u32:"$sid"
"$progs/gdread" --read-size 4096 "$sid" >"$work/turns.txt"
cpus=$(field "$work/turns.txt" cpus)
check_match "turns: the first 16 reads served CPU 0" "(^|,)0(,|$)" "$cpus"
check_match "turns: ... and CPU 1, while CPU 0 still had records" "(^|,)1(,|$)" "$cpus"
check_eq "turns: every record read" "$(stat_of "$sid" written)" "$(field "$work/turns.txt" records)"
nl session-del session-id:u32:"$sid"

# --- mmap of a CPU's buffer: shared only, never executable, and a mapping
# that lost its first page still shows each page at its place
sid=$(new_session --buffer 65536)
run_gt "$sid" write 500
nl session-stop session-id:u32:"$sid"
"$progs/devprobe" --bufsize 65536 --mmap-checks "$sid" >"$work/mmap.txt"
m=$(sed -n 's/^private=/private=/p' "$work/mmap.txt")
check_match "mmap: MAP_PRIVATE is refused (EINVAL)" "private=22 " "$m"
check_match "mmap: PROT_EXEC is refused (EPERM)" " exec=1 " "$m"
check_match "mmap: mprotect(PROT_EXEC) is refused (EACCES)" " mprotect_exec=13 " "$m"
check_match "mmap: after munmap of the first page every other page is unchanged" \
	" split=same$" "$m"
nl session-del session-id:u32:"$sid"
