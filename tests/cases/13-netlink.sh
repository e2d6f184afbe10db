# shellcheck shell=bash source-path=SCRIPTDIR
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

# Well-formed requests: the kernel checks the format first (a malformed
# one is refused as malformed, from anybody), then godiag who sent it.
for cmd in status session-new session-del session-start session-stop target-add \
	target-del syscalls-set probe-add probe-del; do
	# shellcheck disable=SC2046 # one attribute per word
	out=$(as_nobody "$nlraw" send "$cmd" $(req_attrs "$cmd" "$sid" 1) 2>&1)
	check_match "non-root $cmd refused (EPERM)" \
		"^errno=1 msg=godiag needs CAP_PERFMON or CAP_SYS_ADMIN$" "$out"
done
check_match "non-root, malformed: refused as malformed" "^errno=22 " \
	"$(as_nobody "$nlraw" send status session-id:u32:"$sid" 2>&1)"
for cmd in status session-new target-add; do
	# shellcheck disable=SC2046 # one attribute per word
	out=$(as_nobody unshare -Ur "$nlraw" send "$cmd" $(req_attrs "$cmd" "$sid" 1) 2>&1)
	check_match "root in a user namespace: $cmd refused" "^errno=1 " "$out"
done
for cmd in sessions targets stats hist probes; do
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

# Probes: every attribute checked, every refusal explained.
layout=hex:98000000000000000000000000000000	# g.goid at 152, nothing else
exe=$(readlink -f "$progs/gt_syscalls")
gsid=$("$nlraw" send --show session-new events:u32:3 | sed -n 's/.* session-id=\([0-9]*\).*/\1/p')
check_match "a goroutine session can be created" "^[0-9]+$" "$gsid"
sleep 600 & holder=$!
check "a target for the probes" "$nlraw" send target-add session-id:u32:"$gsid" pid:u32:$holder
probe() { expect "$@" probe-kind:u32:2 probe-arg-reg:u8:0; }
expect 22 '.*pid' probe-add session-id:u32:"$gsid"
expect 22 '.*probe kind' probe-add session-id:u32:"$gsid" pid:u32:$holder
expect 34 '.+' probe-add session-id:u32:"$gsid" pid:u32:$holder probe-kind:u32:99
expect 34 '.+' probe-add session-id:u32:"$gsid" pid:u32:$holder probe-kind:u32:2 \
	probe-arg-reg:u8:16 probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:$layout
expect 34 '.+' probe-add session-id:u32:"$gsid" pid:u32:$holder probe-kind:u32:2 \
	probe-arg-reg:u8:0 probe-jcc:u8:16 probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:$layout
expect 22 '.*probe path' probe-add session-id:u32:"$gsid" pid:u32:$holder probe-kind:u32:2
expect 22 '.*Go layout' probe-add session-id:u32:"$gsid" pid:u32:$holder probe-kind:u32:2 \
	probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0
expect 22 '.*argument register' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	probe-kind:u32:2 probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:$layout
expect 22 '.*g register' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	probe-kind:u32:3 probe-arg-reg:u8:2 probe-path:str:"$exe" probe-offset:u64:0 \
	probe-func-offset:u64:0 go-layout:$layout
expect 34 '.+' probe-add session-id:u32:"$gsid" pid:u32:$holder probe-kind:u32:2 \
	probe-arg-reg:u8:0 probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:len:8
probe 22 '.*goid is missing' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:len:16
probe 22 '.*reserved' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:hex:98000000000000000100000000000000
probe 34 '.*above' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:hex:00200000000000000000000000000000
probe 2 'PID 1 is not a target.*' probe-add session-id:u32:"$gsid" pid:u32:1 \
	probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:$layout
probe 2 'cannot open /nonexistent.*' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	probe-path:str:/nonexistent probe-offset:u64:0 probe-func-offset:u64:0 go-layout:$layout
probe 22 '.*not a regular file' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	probe-path:str:/dev/null probe-offset:u64:0 probe-func-offset:u64:0 go-layout:$layout
probe 22 'offset .* beyond the end.*' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	probe-path:str:"$exe" probe-offset:u64:0x7fffffff probe-func-offset:u64:0 go-layout:$layout
# The probe must sit where an instruction starts, as decoded from its
# function's entry: runtime.execute of a Go program, its stack check's jbe.
g=$(readlink -f "$progs/gosched-go1.23")
[ -x "$g" ] || g=$(readlink -f "$progs/gosched")
"$ctl" inspect --json --func runtime.execute "$g" >"$work/ex.json"
read -r foff off <<<"$(jget "$work/ex.json" "'%d %d' % (d['func']['offset'], d['func']['probe']['offset'])")"
pg() { probe "$@" probe-path:str:"$g" go-layout:$layout; }
pg 22 'missing attribute: function offset' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	probe-offset:u64:"$off"
pg 22 "function offset $((off + 1)): not within 1 MiB before offset $off" probe-add \
	session-id:u32:"$gsid" pid:u32:$holder probe-offset:u64:"$off" probe-func-offset:u64:$((off + 1))
pg 22 "function offset 0: not within 1 MiB before offset $((0x100001))" probe-add \
	session-id:u32:"$gsid" pid:u32:$holder probe-offset:u64:$((0x100001)) probe-func-offset:u64:0
pg 22 "offset $(printf '%#x' $((foff + 1))) is inside the instruction at $(printf '%#x' "$foff") \\(4 bytes\\)\$" \
	probe-add session-id:u32:"$gsid" pid:u32:$holder probe-offset:u64:$((foff + 1)) \
	probe-func-offset:u64:"$foff"
pg 22 "offset $(printf '%#x' $((off + 1))) is inside the instruction at $(printf '%#x' "$off") \\([26] bytes\\)\$" \
	probe-add session-id:u32:"$gsid" pid:u32:$holder probe-offset:u64:$((off + 1)) \
	probe-func-offset:u64:"$foff"
pg 22 "the instruction at $(printf '%#x' "$foff") is not a jump on condition 6 or 7\$" probe-add \
	session-id:u32:"$gsid" pid:u32:$holder probe-offset:u64:"$foff" probe-func-offset:u64:"$foff" \
	probe-jcc:u8:6
# (the jbe takes 6, recording when it falls through, and 7, when it jumps)
pg 22 "the instruction at $(printf '%#x' "$off") is not a jump on condition 4 or 5\$" probe-add \
	session-id:u32:"$gsid" pid:u32:$holder probe-offset:u64:"$off" probe-func-offset:u64:"$foff" \
	probe-jcc:u8:5
for at in "$foff" "$off"; do
	jcc=probe-jcc:u8:6
	[ "$at" = "$off" ] || jcc=probe-g-reg:u8:14	# (any other valid attribute)
	out=$("$nlraw" send --show probe-add session-id:u32:"$gsid" pid:u32:$holder probe-kind:u32:2 \
		probe-arg-reg:u8:0 probe-path:str:"$g" probe-offset:u64:"$at" probe-func-offset:u64:"$foff" \
		go-layout:$layout "$jcc")
	check_match "a probe at an instruction start ($at) is placed" "^errno=0 " "$(tail -1 <<<"$out")"
	nl_id=$(sed -n 's/.* probe-id=\([0-9]*\).*/\1/p' <<<"$out")
	"$nlraw" send probe-del session-id:u32:"$gsid" probe-id:u32:"$nl_id" >/dev/null
done
check "sid $sid gets pid 1 as a target" "$nlraw" send target-add session-id:u32:"$sid" pid:u32:1
probe 22 '.*without goroutine events' probe-add session-id:u32:"$sid" pid:u32:1 \
	probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:$layout
expect 2 '.*no probe 7' probe-del session-id:u32:"$gsid" probe-id:u32:7
expect 22 '.*probe id' probe-del session-id:u32:"$gsid"
# A valid probe on a file the holder does not run: placed, listed, removed.
out=$("$nlraw" send --show probe-add session-id:u32:"$gsid" pid:u32:$holder probe-kind:u32:2 \
	probe-arg-reg:u8:0 probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:$layout)
pid_=$(printf '%s\n' "$out" | sed -n 's/.* probe-id=\([0-9]*\).*/\1/p')
check_match "a probe is placed and gets an id" "^[0-9]+$" "$pid_"
out=$("$nlraw" send --dump --show probes session-id:u32:"$gsid")
check_match "the probe is listed" "probe-id=$pid_ pid=$holder probe-kind=2 probe-offset=0 " "$out"
check "the probe is removed" "$nlraw" send probe-del session-id:u32:"$gsid" probe-id:u32:"$pid_"
out=$("$nlraw" send --dump --show probes session-id:u32:"$gsid")
check_match "and no longer listed" "^errno=0 messages=0 " "$out"
# Breakpoints: what a hit reads, checked word by word.
# word REG NDEREF FLAGS SP_OFF [ELEM]: one struct godiag_break_word in hex (SP_OFF < 256)
word() { printf '%02x%02x%02x%02x%02x000000%032x' "$1" "$2" "$3" "${5:-0}" "$4" 0; }
brk() { expect "$@" probe-kind:u32:6 probe-g-reg:u8:14 probe-path:str:"$exe" probe-offset:u64:0 \
	probe-func-offset:u64:0 go-layout:$layout; }
probe 22 '.*breakpoint attributes need probe kind GODIAG_PROBE_BREAK' probe-add \
	session-id:u32:"$gsid" pid:u32:$holder probe-path:str:"$exe" probe-offset:u64:0 \
	probe-func-offset:u64:0 go-layout:$layout break-stack:u8:4
expect 22 '.*breakpoint attributes need probe kind' probe-add session-id:u32:"$gsid" \
	pid:u32:$holder probe-kind:u32:7 probe-g-reg:u8:14 probe-path:str:"$exe" probe-offset:u64:0 \
	probe-func-offset:u64:0 go-layout:$layout break-every:u32:2
expect 22 '.*a breakpoint spec needs probe kind GODIAG_PROBE_BREAK or BREAK_RET' probe-add \
	session-id:u32:"$gsid" pid:u32:$holder probe-kind:u32:2 probe-arg-reg:u8:0 \
	probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:$layout \
	break-spec:str:main.handle
brk 22 '.+' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	break-spec:str:"$(printf '%0256d' 0)"
expect 22 '.*g register' probe-add session-id:u32:"$gsid" pid:u32:$holder probe-kind:u32:6 \
	probe-path:str:"$exe" probe-offset:u64:0 probe-func-offset:u64:0 go-layout:$layout
brk 22 '.*not a whole number of words' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	break-words:len:10
brk 22 'breakpoint word 1: no register 20' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	break-words:hex:"$(word 0 0 0 0)$(word 20 0 0 0)"
brk 22 'breakpoint word 0: at most 4 hops.*' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	break-words:hex:"$(word 0 5 0 0)"
brk 22 'breakpoint word 0: bad stack offset.*' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	break-words:hex:"$(word 0 0 0 8)"
brk 22 'breakpoint word 0: a string or slice needs its length word next' probe-add \
	session-id:u32:"$gsid" pid:u32:$holder break-words:hex:"$(word 0 0 1 0)"
# GODIAG_BW_SLICE (4): an element of 1, 2, 4, 8 bytes or a string (16), and
# only on a slice word, never with GODIAG_BW_STRING
brk 22 'breakpoint word 0: a string or slice needs its length word next' probe-add \
	session-id:u32:"$gsid" pid:u32:$holder break-words:hex:"$(word 0 0 4 0 8)"
for w in "$(word 0 0 4 0)" "$(word 0 0 4 0 3)" "$(word 0 0 0 0 8)" "$(word 0 0 5 0 8)"; do
	brk 22 "breakpoint word 0: a slice's element of 1, 2, 4, 8 bytes or a string.*" probe-add \
		session-id:u32:"$gsid" pid:u32:$holder break-words:hex:"$w$(word 3 0 0 0)"
done
for e in 1 2 4 8 16; do
	brk 22 '.*created without breakpoint events' probe-add session-id:u32:"$gsid" \
		pid:u32:$holder break-words:hex:"$(word 0 0 4 0 "$e")$(word 3 0 0 0)"
done
brk 34 '.+' probe-add session-id:u32:"$gsid" pid:u32:$holder break-slice-elems:u32:17
# a record's largest size: 48 bytes of godiag_rec_break, 8 per word, and a
# slice of strings' 16 elements of 8 + 256 bytes after its 8: two such
# slices take 8544 bytes, one 4296 (refused too); 64-byte strings 1224
brk 22 'breakpoint: a record could take 8544 bytes, more than 4096: .*' probe-add \
	session-id:u32:"$gsid" pid:u32:$holder break-strlen:u32:256 break-slice-elems:u32:16 \
	break-words:hex:"$(word 0 0 4 0 16)$(word 3 0 0 0)$(word 1 0 4 0 16)$(word 7 0 0 0)"
brk 22 'breakpoint: a record could take 4296 bytes, more than 4096: .*' probe-add \
	session-id:u32:"$gsid" pid:u32:$holder break-strlen:u32:256 break-slice-elems:u32:16 \
	break-words:hex:"$(word 0 0 4 0 16)$(word 3 0 0 0)"
brk 22 '.*created without breakpoint events' probe-add session-id:u32:"$gsid" \
	pid:u32:$holder break-strlen:u32:64 break-slice-elems:u32:16 \
	break-words:hex:"$(word 0 0 4 0 16)$(word 3 0 0 0)"
brk 34 '.+' probe-add session-id:u32:"$gsid" pid:u32:$holder break-strlen:u32:257
brk 34 '.+' probe-add session-id:u32:"$gsid" pid:u32:$holder break-stack:u8:33
brk 34 '.+' probe-add session-id:u32:"$gsid" pid:u32:$holder break-every:u32:0
brk 34 '.+' probe-add session-id:u32:"$gsid" pid:u32:$holder break-cond:len:8
# cond WORD OP SIZE FLAGS: a struct godiag_break_cond in hex (len, value, str zero)
cond() { printf '%02x%02x%02x%02x%08x%016x%0128x' "$@" 0 0 0; }
brk 22 'breakpoint condition: word 3 of 1.*' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	break-words:hex:"$(word 0 0 0 0)" break-cond:hex:"$(cond 3 0 8 0)"
brk 22 'breakpoint condition: an integer of 1, 2, 4 or 8 bytes.*' probe-add \
	session-id:u32:"$gsid" pid:u32:$holder break-words:hex:"$(word 0 0 0 0)" \
	break-cond:hex:"$(cond 0 0 3 0)"
brk 22 'breakpoint word 0: at most 4 hops, known flags.*' probe-add session-id:u32:"$gsid" \
	pid:u32:$holder break-words:hex:"$(word 0 1 8 0)"
# fcond WORD OP SIZE VALUE: a float condition (GODIAG_CF_FLOAT), VALUE the
# little-endian hex of its bits
fcond() { printf '%02x%02x%02x04%08x%s%0128x' "$1" "$2" "$3" 0 "$4" 0; }
brk 22 '.*created without breakpoint events' probe-add session-id:u32:"$gsid" \
	pid:u32:$holder break-words:hex:"$(word 64 0 0 0)" \
	break-cond:hex:"$(fcond 0 5 8 0000000000000440)"
for c in "$(fcond 0 0 8 000000000000f87f)" "$(fcond 0 0 4 0000c07f00000000)" \
	"$(fcond 0 0 2 0000000000000000)"; do
	brk 22 'breakpoint condition: a float of 4 or 8 bytes, not NaN' probe-add \
		session-id:u32:"$gsid" pid:u32:$holder break-words:hex:"$(word 64 0 0 0)" \
		break-cond:hex:"$c"
done
brk 22 'breakpoint condition: an integer of 1, 2, 4 or 8 bytes, no prefix' probe-add \
	session-id:u32:"$gsid" pid:u32:$holder break-words:hex:"$(word 64 0 0 0)" \
	break-cond:hex:"$(fcond 0 6 8 0000000000000440)"
brk 22 '.*created without breakpoint events' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	break-words:hex:"$(word 0 0 0 0)"
# XMM0-15 (float arguments) are registers 0x40-0x4f, without hops or flags
brk 22 '.*created without breakpoint events' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	break-words:hex:"$(word 64 0 0 0)$(word 79 0 0 0)"
brk 22 'breakpoint word 1: no register 80' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	break-words:hex:"$(word 64 0 0 0)$(word 80 0 0 0)"
brk 22 'breakpoint word 0: an XMM register has no hops or flags' probe-add \
	session-id:u32:"$gsid" pid:u32:$holder break-words:hex:"$(word 65 1 0 0)"
brk 22 'breakpoint word 0: an XMM register has no hops or flags' probe-add \
	session-id:u32:"$gsid" pid:u32:$holder break-words:hex:"$(word 65 0 2 0)"
# GODIAG_BW_NIL (a nil interface's itab) is a known flag: the word passes
brk 22 '.*created without breakpoint events' probe-add session-id:u32:"$gsid" pid:u32:$holder \
	break-words:hex:"$(word 0 1 2 0)"
kill $holder; wait $holder 2>/dev/null
check "the goroutine session goes" "$nlraw" send session-del session-id:u32:"$gsid"

# Many sessions: the limit is enforced with a message.
for _ in $(seq 20); do "$nlraw" session-new >/dev/null 2>&1; done
expect 28 '.*sessions exist' session-new
check_eq "session count stops at the limit" 16 \
	"$("$ctl" sessions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')"

# godiagctl prints the kernel's reason.
check_status "godiagctl capture with a bad buffer exits non-zero" 1 \
	"$ctl" capture -p 1 --syscalls --buffer 1G -o "$work/x"
check "still working after all that" "$ctl" status
