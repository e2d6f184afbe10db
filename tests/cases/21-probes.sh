# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2016,SC2154 # (eval'd on purpose; start_gt assigns by name)
# Where the module's breakpoints are, and when: a child forked (without
# exec) by a probed process drops the breakpoint it inherited at its
# first hit, the parent keeps its own; a stopped session has no
# breakpoint in its targets, a started one has them again and records;
# a start whose probes cannot be placed again fails and says why.
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw
nl() { "$nlraw" send "$@" | grep -q '^errno=0 '; }
new_session() { "$nlraw" send --show session-new "$@" | sed -n 's/.* session-id=\([0-9]*\).*/\1/p'; }
stat_of() { # SESSION FIELD -> sum over CPUs
	"$ctl" stats -s "$1" --json >"$work/stats.json"
	jget "$work/stats.json" "sum(c['$2'] for s in d['sessions'] for c in s['cpus'])"
}
# a GO_START probe reading a g from RAX, goid at offset 8: the module
# reads whatever is there (a C program: the reads fault, the hits count);
# placed at a function's entry, so the entry is its own function offset
layout=0800$(printf '00%.0s' $(seq 14))
probe_at() { # SESSION PID FILE OFFSET
	nl probe-add session-id:u32:"$1" pid:u32:"$2" probe-kind:u32:2 \
		probe-path:str:"$3" probe-offset:u64:"$4" probe-func-offset:u64:"$4" \
		probe-arg-reg:u8:0 go-layout:hex:"$layout"
}
byte_at() { # PID FILE OFFSET -> the byte in PID's memory there
	text_bytes "$1" "$2" "$3" | awk '{ print $4 }'
}
pf=$progs/probefork

# --- a uprobe inherited through fork: the child's first hit removes it
# from the child (the handler says UPROBE_HANDLER_REMOVE for any mm but
# the target's), never from the target itself
start_gt ppid "$pf"
off=$(sed -n 's/^offset //p' "$gt_out")
orig=$(text_bytes "$ppid" "$pf" "$off" | awk '{ print $3 }')
sid=$(new_session events:u32:2)
nl target-add session-id:u32:"$sid" pid:u32:"$ppid"
check "fork: probe placed on probed_fn" probe_at "$sid" "$ppid" "$pf" "$off"
nl session-start session-id:u32:"$sid"
check_eq "fork: the target has the breakpoint" cc "$(byte_at "$ppid" "$pf" "$off")"
kill -USR1 "$ppid"
check "fork: the child made its calls" wait_for grep -q '^child ' "$gt_out"
cpid=$(sed -n 's/^child //p' "$gt_out")
check_eq "fork: the child's text is the file's again after its first hit" \
	"$orig" "$(byte_at "$cpid" "$pf" "$off")"
check_eq "fork: the target keeps its breakpoint" cc "$(byte_at "$ppid" "$pf" "$off")"
check_eq "fork: 10 hits, the target's (the child's are not recorded)" 10 "$(probe_hits "$sid")"
kill -USR1 "$ppid"
check "fork: the target calls again" wait_for grep -q '^again' "$gt_out"
check_eq "fork: the target's calls still hit" 20 "$(probe_hits "$sid")"
kill -USR1 "$ppid"
check "fork: the target ends normally" wait "$ppid"
nl session-del session-id:u32:"$sid"

# --- a stopped session has no breakpoint in its target; START places
# them again and they record
b=$(pick_prog gosched-go1.23 gosched)
start_gt gpid "$b" --wait-signal --hold --loop -n 5
gout=$gt_out
kill -USR1 "$gpid"
wait_for grep -q '^cycle ' "$gout"
sid=$(new_session events:u32:2 buffer-size:u32:1048576)
nl target-add session-id:u32:"$sid" pid:u32:"$gpid"
n=$(go_probes_add "$sid" "$gpid" "$b")
check_ge "stop: probes placed" 5 "$n"
offs=$(probe_offsets "$work/probes-inspect.json")
breakpoints() { # PID: int3 bytes at the probe offsets
	# shellcheck disable=SC2086 # one argument per offset
	text_bytes "$1" "$b" $offs >"$work/bp" && int3_bytes "$work/bp"
}
nl session-start session-id:u32:"$sid"
check "stop: the probes fire" wait_for eval '[ "$(probe_hits "$sid")" -gt 0 ]'
check_eq "stop: running, every probe is a breakpoint" "$n" "$(breakpoints "$gpid")"
check "stop: SESSION_STOP" nl session-stop session-id:u32:"$sid"
check_eq "stop: stopped, no breakpoint is left" 0 "$(breakpoints "$gpid")"
h=$(probe_hits "$sid")
c=$(last_cycle "$gout")
wait_for cycles_past "$gout" $((c + 1))
check_eq "stop: two cycles of the target later, no hit" "$h" "$(probe_hits "$sid")"
# shellcheck disable=SC2034 # used in an eval below
w=$(stat_of "$sid" written)
check "stop: SESSION_START again" nl session-start session-id:u32:"$sid"
check_eq "stop: started, every probe is a breakpoint again" "$n" "$(breakpoints "$gpid")"
check "stop: the probes fire again" wait_for eval '[ "$(probe_hits "$sid")" -gt "$h" ]'
check "stop: ... and record" wait_for eval '[ "$(stat_of "$sid" written)" -gt "$w" ]'
nl session-stop session-id:u32:"$sid"
check_eq "stop: stopped again, no breakpoint" 0 "$(breakpoints "$gpid")"
check "stop: a stopped session with its probes is destroyed" \
	nl session-del session-id:u32:"$sid"
check_eq "stop: ... leaving no breakpoint" 0 "$(breakpoints "$gpid")"
kill -TERM "$gpid"
check "stop: the Go target exits 0 at SIGTERM" wait "$gpid"

# --- START must place the probes again; when one cannot be placed (its
# file shrank meanwhile) the start fails with a reason and the session
# stays stopped, without breakpoints; once the file is back it starts
cp "$pf" "$work/pf-copy"
start_gt ppid "$pf"
sid=$(new_session events:u32:2)
nl target-add session-id:u32:"$sid" pid:u32:"$ppid"
check "restart: a probe on a copy of the binary" probe_at "$sid" "$ppid" "$work/pf-copy" "$off"
nl session-start session-id:u32:"$sid"
nl session-stop session-id:u32:"$sid"
: >"$work/pf-copy"
"$nlraw" send session-start session-id:u32:"$sid" >"$work/restart.out"
check_match "restart: START fails when a probe cannot be placed" \
	"^errno=22 msg=cannot place" "$(cat "$work/restart.out")"
check_match "restart: the session stays stopped" " state=2( |$)" \
	"$("$nlraw" send --dump --show sessions session-id:u32:"$sid")"
cp "$pf" "$work/pf-copy"
check "restart: START works once the file is back" nl session-start session-id:u32:"$sid"
nl session-del session-id:u32:"$sid"
kill "$ppid"
wait "$ppid" 2>/dev/null
