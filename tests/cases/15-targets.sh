# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2016,SC2154 # (eval'd on purpose; start_gt assigns by name)
# godiag-case: no-go-programs (runs while check.sh builds them)
# Targets against the processes they follow: a tree that forks without
# pause while its target is added and removed a thousand times, then
# with the fault-injection build's pause in the fork handler, so that
# removals land between a fork's lookup and its link; every
# thread of a process exiting at once; a target removed by the PID of a
# root that is gone while its children live on.
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw
nl() { "$nlraw" send "$@" | grep -q '^errno=0 '; }
new_session() { "$nlraw" send --show session-new | sed -n 's/.* session-id=\([0-9]*\).*/\1/p'; }
ntargets() { "$nlraw" send --dump targets "$@" | sed -n 's/.* messages=\([0-9]*\).*/\1/p'; }

# A kprobe event on fork_lost_race(), which the module calls when a fork
# found its target being removed: how often a storm hit that window.
tr=/sys/kernel/tracing
dbg=/sys/kernel/debug
[ -e "$tr/kprobe_events" ] || mount -t tracefs nodev "$tr" 2>/dev/null
race_on() {
	echo 'p:godiag_fork_race godiag:fork_lost_race' >>"$tr/kprobe_events" 2>/dev/null &&
		echo 1 >"$tr/events/kprobes/godiag_fork_race/enable"
}
race_count() { awk '$1 == "godiag_fork_race" { print $2 }' "$tr/kprobe_profile"; }
race_off() {
	echo 0 >"$tr/events/kprobes/godiag_fork_race/enable"
	echo "-:godiag_fork_race" >>"$tr/kprobe_events"
}

# storm LABEL SESSIONS TARGETS [WANT]: a followed tree forking without
# pause (children that fork grandchildren) while up to SESSIONS sessions
# in turn each add its root as a target and remove it again TARGETS times
# (TARGET_DEL), then once more with the session (SESSION_DEL); with WANT,
# the sessions stop once WANT forks found their target being removed. A
# child forked as its target goes must not be left in the module's
# tables: its next syscall or its exit would use the freed target (KASAN
# on the debug kernel), the unload would leak it. Sets `races`: the forks
# that found their target being removed ("" without kprobe events).
storm() {
	local label=$1 want=${4:-} spid storm_pid n=0 bad=0
	races=
	race_on && races=0
	taskset -c 0 "$progs/forkstorm" >"$work/storm.out" &
	storm_pid=$!
	wait_for grep -q '^ready ' "$work/storm.out"
	spid=$(sed -n 's/^ready //p' "$work/storm.out")
	while [ "$n" -lt "$2" ]; do
		n=$((n + 1))
		taskset -c 1 "$progs/nlstress" cycle --follow --syscalls "$spid" 1 "$3" \
			>>"$work/stress.out" || bad=$((bad + 1))
		[ -n "$want" ] && [ -n "$races" ] && [ "$(race_count)" -ge "$want" ] && break
	done
	check_eq "$label: $n sessions of $(($3 + 1)) targets follow the forking tree and are removed" \
		0 "$bad"
	kill -TERM "$storm_pid"
	check "$label: the tree forked on through it" wait_bg 60 "$storm_pid"
	check_ge "$label: ... many times" 10 "$(sed -n 's/^rounds //p' "$work/storm.out")"
	check_eq "$label: no session left" 0 "$(nsessions)"
	if [ -n "$races" ]; then
		races=$(race_count)
		race_off
		echo "# $label: forks that found their target being removed: $races"
	fi
	check "$label: the module unloads after the storm" module_unload
}

storm "storm" 20 50
check "and loads again" module_load

# --- the same with the fault-injection build (tests/build-module.sh
# KERNEL faults), whose fork handler waits 1 ms between finding the
# parent's node and linking the child's (fork_delay_us): removals land
# in that window, and each time the child must be left out (before the
# fix its node stayed hashed, pointing at the freed target). Sessions of
# 20 removals until 5 such forks, at most 30 sessions.
if [ -e "$ko_faults" ]; then
	module_unload
	check "delayed: the fault-injection build loads" insmod "$ko_faults"
	[ -d $dbg/godiag ] || mount -t debugfs none $dbg 2>/dev/null
	echo 1000 >$dbg/godiag/fork_delay_us
	storm "delayed" 30 20 5
	if [ -n "$races" ]; then
		check_ge "delayed: removals landed between a fork's lookup and its link" 1 "$races"
	else
		skip "delayed: no kprobe events here: the window's hits are not counted"
	fi
	check "and the plain module loads again" module_load
else
	skip "delayed: no fault-injection build for $(uname -r) ($ko_faults)"
fi

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
