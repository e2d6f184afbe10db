# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2016,SC2154 # (eval'd on purpose; start_gt assigns by name)
# Targets against the processes they follow: a tree that forks without
# pause while its target is added and removed a thousand times; every
# thread of a process exiting at once; a target removed by the PID of a
# root that is gone while its children live on.
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw
nl() { "$nlraw" send "$@" | grep -q '^errno=0 '; }
new_session() { "$nlraw" send --show session-new | sed -n 's/.* session-id=\([0-9]*\).*/\1/p'; }
ntargets() { "$nlraw" send --dump targets "$@" | sed -n 's/.* messages=\([0-9]*\).*/\1/p'; }

# A kprobe event on fork_lost_race(), which the module calls when a fork
# found its target being removed: how often the stress below hit that
# window (informational; needs tracefs and kprobe events).
tr=/sys/kernel/tracing
[ -e "$tr/kprobe_events" ] || mount -t tracefs nodev "$tr" 2>/dev/null
counter=
if echo 'p:godiag_fork_race godiag:fork_lost_race' >>"$tr/kprobe_events" 2>/dev/null &&
	echo 1 >"$tr/events/kprobes/godiag_fork_race/enable"; then
	counter=godiag_fork_race
fi

# --- a followed tree forking without pause (children that fork
# grandchildren) while 20 sessions in turn each add its root as a target
# and remove it again 50 times (TARGET_DEL), then once more with the
# session (SESSION_DEL). A child forked as its target goes must not be
# left in the module's tables: its next syscall or its exit would use the
# freed target (KASAN on the debug kernel), the unload would leak it.
taskset -c 0 "$progs/forkstorm" >"$work/storm.out" &
storm=$!
wait_for grep -q '^ready ' "$work/storm.out"
spid=$(sed -n 's/^ready //p' "$work/storm.out")
check "1,020 targets follow the forking tree and are removed" \
	taskset -c 1 "$progs/nlstress" cycle --follow --syscalls "$spid" 20 50
kill -TERM "$storm"
check "the tree forked on through it" wait_bg 60 "$storm"
check_ge "... many times" 10 "$(sed -n 's/^rounds //p' "$work/storm.out")"
check_eq "no session left" 0 "$(nsessions)"
if [ -n "$counter" ]; then
	echo "# forks that found their target being removed: $(awk -v e="$counter" \
		'$1 == e { print $2 }' "$tr/kprobe_profile")"
	echo 0 >"$tr/events/kprobes/$counter/enable"
	echo "-:$counter" >>"$tr/kprobe_events"
fi
check "the module unloads after the storm" module_unload
check "and loads again" module_load

# --- exit_group with every thread busy: the threads of one process reach
# the exit tracepoint together, each may see the group dead; the exit
# record must be written once per process. Three captures following a
# parent whose 20 children (and their helpers, see exitstorm.c) each end
# with 16 threads busy; the syscall filter keeps everything but the exit
# records out.
for round in 1 2 3; do
	"$ctl" capture -f --syscalls --syscall nanosleep -o "$work/ex$round" -- \
		"$progs/exitstorm" 20 16 >"$work/ex$round.out" 2>&1
	capscan "$work/ex$round" >"$work/ex$round.scan"
	# records, processes, most records of one process
	check_eq "round $round: 41 processes, one exit record each" "41 41 1" \
		"$(jget "$work/ex$round.scan" "' '.join(map(str, (len(d['exits']), len(set(e[0] for e in d['exits'])), max([[e[0] for e in d['exits']].count(t) for t in set(e[0] for e in d['exits'])] or [0]))))")"
	check_eq "round $round: nothing lost" 0 \
		"$(jget "$work/ex$round.scan" "sum(c['lost'] for c in d['stats'])")"
done

# --- TARGET_DEL by the PID of a followed root that has exited and been
# reaped while its child is still traced: the target is still there (its
# child lives) and must be removable by the PID it was added with
mkfifo "$work/go"
# shellcheck disable=SC2016 # expanded by the inner bash, on purpose
bash -c 'read -r _ <"$1"; sleep 300 & echo $! >"$2"; exit 0' _ "$work/go" "$work/child" &
root=$!
sid=$(new_session)
nl target-add session-id:u32:"$sid" pid:u32:"$root" target-flags:u32:1
nl session-start session-id:u32:"$sid"
echo go >"$work/go"
wait "$root"
child=$(cat "$work/child")
check "the root's child lives on" kill -0 "$child"
check_eq "the target stays while its child lives" 1 "$(ntargets session-id:u32:"$sid")"
check "TARGET_DEL by the reaped root's PID" \
	nl target-del session-id:u32:"$sid" pid:u32:"$root"
check_eq "the target is gone" 0 "$(ntargets session-id:u32:"$sid")"
kill "$child"
nl session-del session-id:u32:"$sid"
