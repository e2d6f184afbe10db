# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2016,SC2154 # (eval'd on purpose; start_gt assigns by name)
# godiag-case: no-go-programs (runs while check.sh builds them)
# Sessions owned by a netlink socket, the dump generation, and unloading
# while targets exit: an owned session destroyed with its socket changes
# the generation; closing a generic netlink socket costs the module
# nothing while no session is owned; the module unloads cleanly while
# the exits of its targets are still being handled.
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw
nl() { "$nlraw" send "$@" | grep -q '^errno=0 '; }
new_session() { "$nlraw" send --show session-new | sed -n 's/.* session-id=\([0-9]*\).*/\1/p'; }
# generation SESSION: the generation a SESSION_GET dump reports
generation() {
	"$nlraw" send --dump --show sessions session-id:u32:"$1" |
		sed -n 's/.* generation=\([0-9]*\).*/\1/p' | head -1
}

# --- the generation: a session created and destroyed with its socket
# moves it twice (a reader listing sessions in parts must see the change)
keep=$(new_session)
g1=$(generation "$keep")
check "an owned session is created, its socket closed" "$nlraw" session-new --owned
check "the owned session goes with its socket" wait_for eval '[ "$(nsessions)" = 1 ]'
check_eq "creating and releasing it moved the generation twice" \
	$((g1 + 2)) "$(generation "$keep")"

# --- NETLINK_URELEASE: every generic netlink socket closed on the machine
# reaches the module's notifier; with no owned session it must not take
# the module's lock (counted with a kprobe event on the function that does)
tr=/sys/kernel/tracing
[ -e "$tr/kprobe_events" ] || mount -t tracefs nodev "$tr" 2>/dev/null
if echo 'p:godiag_release godiag:godiag_sessions_release_owner' >>"$tr/kprobe_events" 2>/dev/null &&
	echo 1 >"$tr/events/kprobes/godiag_release/enable"; then
	calls() { awk '$1 == "godiag_release" { print $2 }' "$tr/kprobe_profile"; }
	for _ in $(seq 20); do "$nlraw" send status >/dev/null; done
	check_eq "20 sockets closed, no owned session: the lock is not taken" 0 "$(calls)"
	"$nlraw" session-new --owned --hold >"$work/hold.out" &
	holder=$!
	wait_for grep -q '^session=' "$work/hold.out"
	for _ in $(seq 5); do "$nlraw" send status >/dev/null; done
	check_ge "with an owned session the sockets closed are looked at" 5 "$(calls)"
	kill "$holder"
	wait "$holder"
	check "the owned session goes with its holder's socket" \
		wait_for eval '[ "$(nsessions)" = 1 ]'
	echo 0 >"$tr/events/kprobes/godiag_release/enable"
	echo "-:godiag_release" >>"$tr/kprobe_events"
else
	skip "no kprobe events here: the notifier's lock is not counted"
fi
nl session-del session-id:u32:"$keep"

# --- unload while targets exit: 10 rounds of 8 targets released together
# with the rmmod, so the work that reports their exits runs while the
# module goes away; no notification may go out on a family that is gone,
# and nothing may be left behind
for round in $(seq 10); do
	mkfifo "$work/go$round"
	pids=()
	for _ in $(seq 8); do
		# shellcheck disable=SC2016 # expanded by the inner bash
		bash -c 'read -r _ <"$1"' _ "$work/go$round" &
		pids+=("$!")
	done
	sid=$(new_session)
	for p in "${pids[@]}"; do
		nl target-add session-id:u32:"$sid" pid:u32:"$p"
	done
	nl session-start session-id:u32:"$sid"
	echo go >"$work/go$round" &
	rmmod godiag || not_ok "round $round: rmmod failed"
	wait "${pids[@]}"
	wait
	module_load || not_ok "round $round: the module does not load again"
done
check_eq "10 unloads while targets exited: no session left" 0 "$(nsessions)"
