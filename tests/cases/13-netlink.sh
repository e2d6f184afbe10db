# The netlink interface refuses the unprivileged and rejects malformed
# requests with a reason, and still works afterwards.
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw

# expect ERRNO MSG-ERE ARGS...: nlraw send ARGS, check errno and message.
expect() {
	local want=$1 re=$2 out
	shift 2
	out=$("$nlraw" send "$@" 2>&1)
	if printf '%s\n' "$out" | grep -Eq "^errno=$want msg=$re"; then
		ok "rejected: $* ($out)"
	else
		not_ok "$*: wanted errno=$want msg~/$re/, got: $out"
	fi
}

sid=$("$nlraw" session-new | sed -n 's/^session=//p')
check_match "a session can be created" "^[0-9]+$" "$sid"

for cmd in status session-new session-del session-start session-stop target-add \
	target-del syscalls-set; do
	out=$(as_nobody "$nlraw" send "$cmd" session-id:u32:"$sid" 2>&1)
	check_match "non-root $cmd refused" "^errno=1 " "$out"
done
for cmd in status session-new target-add; do
	out=$(as_nobody unshare -Ur "$nlraw" send "$cmd" session-id:u32:"$sid" 2>&1)
	check_match "root in a user namespace: $cmd refused" "^errno=1 " "$out"
done
for cmd in sessions targets stats hist; do
	out=$(as_nobody "$nlraw" send --dump "$cmd" 2>&1)
	check_match "non-root dump $cmd refused" "^errno=1 " "$out"
done

expect 22 '.*power of two' session-new buffer-size:u32:100000
expect 34 '.+' session-new buffer-size:u32:1024
expect 34 '.+' session-new buffer-size:u32:1073741824
expect 34 '.+' session-new mode:u8:7
expect 22 '.+' session-new events:u32:0x80000000
expect 22 '.+' session-new buffer-size:u8:1
expect 34 '.+' session-new owned:u32:1
expect 22 '.+' status 200:u32:1
expect 22 '.+' status pid:u32:1
expect 22 '.*session id' session-start
expect 34 '.+' session-start session-id:u32:0
expect 2 'no session 999' session-start session-id:u32:999
expect 22 '.*pid' target-add session-id:u32:"$sid"
expect 22 '.+' target-add session-id:u32:"$sid" pid:u8:3
expect 34 '.+' target-add session-id:u32:"$sid" pid:u32:0
expect 3 'no process with PID 4000000' target-add session-id:u32:"$sid" pid:u32:4000000
expect 22 '.*thread.*' target-add session-id:u32:"$sid" pid:u32:2
expect 22 '.+' target-add session-id:u32:"$sid" pid:u32:1 target-flags:u32:0x100
expect 34 '.*size out of range' syscalls-set session-id:u32:"$sid" syscall-mask:len:10
expect 22 '.+' syscalls-set session-id:u32:"$sid" syscall-min-ns:u32:5
expect 95 '.*' 99
expect 114 'session .* is not running' session-stop session-id:u32:"$sid"
out=$("$nlraw" send --truncate 22 session-start session-id:u32:"$sid" 2>&1)
check_match "a truncated message is rejected" "^errno=[1-9]" "$out"
out=$("$nlraw" send --bad-len session-start session-id:u32:"$sid" 2>&1)
check_match "an attribute longer than the message is rejected" "^errno=[1-9]" "$out"

# Many sessions: the limit is enforced with a message.
for _ in $(seq 20); do "$nlraw" session-new >/dev/null 2>&1; done
expect 28 '.*sessions exist' session-new
check_eq "session count stops at the limit" 16 \
	"$("$ctl" sessions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')"

# godiagctl prints the kernel's reason.
check_status "godiagctl capture with a bad buffer exits non-zero" 1 \
	"$ctl" capture -p 1 --syscalls --buffer 1G -o "$work/x"
check "still working after all that" "$ctl" status
