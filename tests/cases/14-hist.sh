# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2154 # start_gt assigns by name
# godiag-case: no-go-programs (runs while check.sh builds them)
# In-kernel per-target, per-syscall histograms, readable while tracing
# without reading a single event.
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw
nl() { "$nlraw" send "$@" | grep -q '^errno=0 '; }

sid=$("$nlraw" session-new | sed -n 's/^session=//p')
# --hold keeps the targets alive after their work: a target's histograms
# go away with it.
start_gt pid "$progs/gt_syscalls" --wait-signal --hold nanosleep 4 10
out1=$gt_out
start_gt pid2 "$progs/gt_syscalls" --wait-signal --hold getpid 1234
out2=$gt_out
check "target 1 added" nl target-add session-id:u32:"$sid" pid:u32:"$pid"
check "target 2 added" nl target-add session-id:u32:"$sid" pid:u32:"$pid2"
# Only records of 1 s or more go to the buffer; histograms see everything.
check "min duration set" nl syscalls-set session-id:u32:"$sid" syscall-min-ns:u64:1000000000
check "session started" nl session-start session-id:u32:"$sid"
kill -USR1 "$pid" "$pid2"
for _ in $(seq 200); do
	grep -q 'done' "$out1" && grep -q 'done' "$out2" && break
	sleep 0.05
done

"$ctl" hist -s "$sid" --json >"$work/h.json"
h() { jget "$work/h.json" "$1"; }
row() { # PID NAME FIELD
	h "[r['$3'] for r in d['histograms'] if r['pid'] == $1 and r['name'] == '$2'][0]"
}
check_eq "getpid count per target" 1234 "$(row "$pid2" getpid count)"
check_eq "nanosleep count per target" 4 "$(row "$pid" nanosleep count)"
check_ge "nanosleep max >= 10 ms" 10000000 "$(row "$pid" nanosleep max_ns)"
check_ge "nanosleep total >= 40 ms" 40000000 "$(row "$pid" nanosleep total_ns)"
check_eq "no getpid under the sleeping target" "[]" \
	"$(h "[r for r in d['histograms'] if r['pid'] == $pid and r['name'] == 'getpid']")"
check_eq "bucket counts add up to the count" 1234 \
	"$(h "[sum(r['buckets']) for r in d['histograms'] if r['pid'] == $pid2 and r['name'] == 'getpid'][0]")"
check_eq "no record reached the buffer (all under 1 s)" 0 \
	"$("$ctl" stats -s "$sid" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(c["written"] for s in d["sessions"] for c in s["cpus"]))')"
out=$("$ctl" hist -s "$sid")
check_match "text histogram lists getpid" "getpid +1234 " "$out"
kill -USR2 "$pid" "$pid2"
wait "$pid" "$pid2"
"$ctl" hist -s "$sid" --json >"$work/h.json"
check_eq "a target's histograms go when it exits" 0 "$(h "len(d['histograms'])")"
