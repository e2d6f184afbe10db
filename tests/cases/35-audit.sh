# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2154 # start_gt assigns by name
# Guardrails for production (kmod/audit.c, kmod/limits.c): the audit line
# of every session, target and probe operation with its exact fields (in
# the kernel log, or as audit records when the guest booted with
# audit=1); a session past its maximum lifetime stopped by the module
# with no probe left in the target's memory, and the capture that owned
# it ending cleanly with a note; the host's caps on lifetimes, sessions
# and probes per user refusing with their messages; rmmod logging what
# it destroys; report telling when the binary at a target's path changed.
# Run it with GODIAG_VM_APPEND=audit=1 for the audit records path.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw
gt=$progs/gt_syscalls
gosched=$progs/gosched-go1.23-pie
[ -x "$gosched" ] || gosched=$progs/gosched
params=/sys/module/godiag/parameters
auid=$(cat /proc/self/loginuid)
ses=$(cat /proc/self/sessionid)
nl() { "$nlraw" send "$@" | grep -q '^errno=0 '; }

audit_on=0
if grep -qw 'audit=1' /proc/cmdline; then
	audit_on=1
	# Without auditd, kauditd prints the records, under printk_ratelimit().
	sysctl -qw kernel.printk_ratelimit_burst=100000
fi

# mark: a line in the kernel log; the audit lines after it are what
# audit_since prints (the text from "op=" on, whichever the sink).
marks=0
mark() {
	marks=$((marks + 1))
	echo "godiag-test: mark $marks" >/dev/kmsg
}
audit_since() {
	dmesg | sed -n "/godiag-test: mark $marks\$/,\$p" | if [ "$audit_on" = 1 ]; then
		sed -n "s/.*audit: type=$audit_type audit([0-9.:]*): \(op=.*\)/\1/p"
	else
		sed -n 's/.*godiag: audit: \(op=.*\)/\1/p'
	fi
}
audit_type=$(sed -n 's/^#define GODIAG_AUDIT_TYPE\t\([0-9]*\).*/\1/p' "$repo/include/godiag_abi.h")
check_match "the audit record type is in 2001-2099" '^20[0-9][1-9]$' "$audit_type"

# build_id FILE: what the module must find: the GNU build id note, else
# Go's, in the file's PT_NOTE segments (an independent reading).
build_id() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
phoff, = struct.unpack_from("<Q", d, 0x20)
phnum, = struct.unpack_from("<H", d, 0x38)
gnu = go = None
for i in range(phnum):
    t, _f, off, _v, _p, filesz, _m, align = struct.unpack_from("<IIQQQQQQ", d, phoff + 56 * i)
    if t != 4:
        continue
    a = 8 if align == 8 else 4
    end = off + min(filesz, 4096)
    while off + 12 <= end:
        namesz, descsz, typ = struct.unpack_from("<III", d, off)
        name = d[off + 12:off + 12 + namesz]
        desc = off + 12 + (namesz + a - 1) // a * a
        if typ == 3 and name == b"GNU\0" and gnu is None:
            gnu = d[desc:desc + descsz].hex()
        if typ == 4 and name == b"Go\0\0" and go is None:
            go = d[desc:desc + descsz].decode()
        off = desc + (descsz + a - 1) // a * a
print("gnu:" + gnu if gnu else "go:" + go if go else "?")
PY
}

# who COMM: the caller fields of a line made by a root process named COMM
who() { echo "uid=0 euid=0 auid=$auid ses=$ses pid=[0-9]+ comm=\"$1\""; }
T=' time=20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6}Z$'
# settle N ERE: with audit on, kauditd prints the records after the
# operation returned: wait (at most 15 s) until N lines match ERE.
have_lines() { [ "$(audit_since | grep -cE -- "$2")" -ge "$1" ]; }
settle() {
	[ "$audit_on" = 1 ] || return 0
	wait_for_s=15 wait_for have_lines "$1" "$2" || true
}
# expect DESC ERE: exactly one line since the mark matches ERE
expect() {
	local n
	settle 1 "$2"
	n=$(audit_since | grep -cE -- "$2")
	if [ "$n" = 1 ]; then
		ok "$1"
	else
		not_ok "$1: $n lines match /$2/"
		audit_since | sed 's/^/#   /' | head -30
	fi
}

# ---- every operation through raw requests, on a Go target with probes
start_gt gpid "$gosched" --wait-signal --hold --loop -n 3
gexe=$(readlink -f "$gosched")
gcomm=$(cat "/proc/$gpid/comm")
gid=$(build_id "$gexe")
check_match "the Go test program has a build id" '^(gnu|go):' "$gid"
mark
sid=$("$nlraw" send --show session-new events:u32:3 | sed -n 's/.* session-id=\([0-9]*\).*/\1/p')
check_match "a session" '^[0-9]+$' "$sid"
nl target-add session-id:u32:"$sid" pid:u32:"$gpid"
t0=$SECONDS
nprobes=$(go_probes_add "$sid" "$gpid" "$gosched")
probe_secs=$((SECONDS - t0))
check_ge "probes on the Go target" 5 "$nprobes"
nl session-start session-id:u32:"$sid"
nl session-stop session-id:u32:"$sid"
nl probe-del session-id:u32:"$sid" probe-id:u32:1
nl target-del session-id:u32:"$sid" pid:u32:"$gpid"
nl session-del session-id:u32:"$sid"
S="sid=$sid events=0x3 $(who nlraw)"
expect "session-create: who, events, mode, buffer, owner, lifetime" \
	"^op=session-create cause=request $S mode=0 buffer=1048576 owned=0 max_lifetime_ms=0$T"
expect "target-add: the target's pid, command, executable and build id" \
	"^op=target-add cause=request $S target_pid=$gpid target_comm=\"$(re_escape "$gcomm")\" flags=0x0 target_exe=\"$(re_escape "$gexe")\" build_id=$(re_escape "$gid")$T"
settle $((6 + 2 * nprobes)) '^op='
check_eq "probe-add: one line per probe, with kind, file and offsets" "$nprobes" \
	"$(audit_since | grep -cE "^op=probe-add cause=request $S probe_id=[0-9]+ target_pid=$gpid kind=go-(create|start|park|ready|exit) path=\"$(re_escape "$gexe")\" offset=0x[0-9a-f]+ func_offset=0x[0-9a-f]+ jcc=-?[0-9]+$T")"
expect "probe-add of probe 1" "^op=probe-add .* probe_id=1 target_pid=$gpid "
expect "session-start" "^op=session-start cause=request $S$T"
expect "session-stop" "^op=session-stop cause=request $S$T"
expect "probe-remove of probe 1 by request" \
	"^op=probe-remove cause=request $S probe_id=1 target_pid=$gpid kind=go-[a-z]+ offset=0x[0-9a-f]+$T"
expect "target-remove by request" \
	"^op=target-remove cause=request $S target_pid=$gpid target_comm=\"$(re_escape "$gcomm")\"$T"
check_eq "the target's other probes go with it, each logged" "$((nprobes - 1))" \
	"$(audit_since | grep -cE "^op=probe-remove cause=request $S probe_id=([2-9]|[1-9][0-9]+) target_pid=$gpid ")"
expect "session-destroy" "^op=session-destroy cause=request $S$T"
check_eq "nothing else was logged" "$((6 + 2 * nprobes))" "$(audit_since | wc -l)"

# ---- a capture: the module's own causes, the owner and the lifetime
log=/var/log/godiag/audit.log
before=$( (cat "$log" 2>/dev/null || true) | wc -l)
start_gt pid "$gt" --wait-signal write 10
gtexe=$(readlink -f "$gt")
mark
capture_bg "$work/exit.gdc" -p "$pid" --syscalls
wait_running 1
kill -USR1 "$pid"
wait "$pid"
wait_bg 60 "$cap_pid"
check_eq "the capture ended with its target" 0 "$?"
S="sid=[0-9]+ events=0x1 $(who godiagctl)"
expect "godiagctl's session: owned, 1 h lifetime by default" \
	"^op=session-create cause=request $S mode=0 buffer=1048576 owned=1 max_lifetime_ms=3600000$T"
expect "target-add of a C program: its GNU build id" \
	"^op=target-add cause=request $S target_pid=$pid target_comm=\"gt_syscalls\" flags=0x0 target_exe=\"$(re_escape "$gtexe")\" build_id=$(re_escape "$(build_id "$gtexe")")$T"
expect "target-remove when the target exits, with its exit code" \
	"^op=target-remove cause=target-exit sid=[0-9]+ events=0x1 uid=[0-9]+ .* target_pid=$pid target_comm=\"gt_syscalls\" exit_code=0$T"
# godiagctl's own log: a start and a stop line per capture (auditlog.c)
start_gt pid "$gt" --wait-signal write 10
GODIAG_AUDIT_LOG=$work/audit.log "$ctl" capture -p "$pid" --syscalls --max-duration 90s \
	-o "$work/log.gdc" 2>"$work/log.err" &
cpid=$!
wait_running 1
kill -USR1 "$pid"
wait "$pid"
wait_bg 60 "$cpid"
check_eq "GODIAG_AUDIT_LOG: the capture ended with its target" 0 "$?"
check_eq "... two JSON lines in its log" "capture-start capture-stop" \
	"$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] for l in open(sys.argv[1])))' "$work/audit.log")"
check_eq "... the start line: who, session, target, options, output" \
	"0 0 [$pid] ['gt_syscalls'] syscall 90000 $work/log.gdc True" \
	"$(python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
print(d["uid"], d["euid"], [t["pid"] for t in d["targets"]], [t["comm"] for t in d["targets"]],
      d["options"]["events"], d["options"]["max_duration_ms"], d["output"], d["session"] > 0)' "$work/audit.log")"
check_match "... the stop line: why and what" '^targets-exited [1-9][0-9]* 0 20[0-9-]+T[0-9:.]+Z$' \
	"$(python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).readlines()[1])
print(d["reason"], d["records"], d["lost"], d["time"])' "$work/audit.log")"
check_eq "... nothing on stderr about the log" 0 "$(grep -c 'cannot append' "$work/log.err")"
check_eq "the default log, $log, got the two lines of the capture before" 2 \
	"$(($(wc -l <"$log") - before))"
# ---- breakpoints: the spec as the user wrote it, in the module's
# probe-add lines (entry and RETs) and in godiagctl's own log
mark
GODIAG_AUDIT_LOG=$work/bp-audit.log "$ctl" capture -o "$work/bp.gdc" \
	--break 'main.main' --latency -- "$gosched" -n 1 >/dev/null 2>"$work/bp.err" && st=0 || st=$?
check_eq "a breakpoint capture of a command" 0 "$st"
S="sid=[0-9]+ events=0x4 $(who godiagctl)"
P="probe_id=[0-9]+ target_pid=[0-9]+"
A="path=\"$(re_escape "$(readlink -f "$gosched")")\" offset=0x[0-9a-f]+ func_offset=0x[0-9a-f]+ jcc=-?[0-9]+"
expect "probe-add of a breakpoint: its spec" \
	"^op=probe-add cause=request $S $P kind=break $A spec=\"main\.main\"$T"
settle 2 "kind=break-ret .* spec=\"main\.main\""
check_ge "probe-add of its RETs (--latency): the spec too" 1 \
	"$(audit_since | grep -cE "^op=probe-add cause=request $S $P kind=break-ret $A spec=\"main\.main\"$T")"
check_eq "godiagctl's log: the breakpoints of the capture" "['main.main'] ['main.main']" \
	"$(python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["options"]["breaks"]) for l in open(sys.argv[1])))' "$work/bp-audit.log")"
sleep 600 &
spid=$!
GODIAG_AUDIT_LOG=/proc/godiag-none/audit.log "$ctl" capture -p "$spid" --syscalls --duration 1s \
	-o "$work/nolog.gdc" 2>"$work/nolog.err"
check_eq "an unwritable log: the capture still exits 0" 0 "$?"
check_eq "... and says so once on stderr" 1 \
	"$(grep -c 'cannot append to /proc/godiag-none/audit.log: .*; the capture goes on' "$work/nolog.err")"
kill "$spid"
wait "$spid" 2>/dev/null

# a killed capture: the module destroys its session when the socket closes
start_gt pid "$gt" --wait-signal write 10
mark
capture_bg "$work/killed.gdc" -p "$pid" --syscalls
wait_running 1
kill -9 "$cap_pid"
wait "$cap_pid" 2>/dev/null
wait_for [ "$(nsessions)" = 0 ]
expect "session-stop when the owner's socket closed" \
	"^op=session-stop cause=owner-closed sid=[0-9]+ events=0x1 uid=0 .*$T"
expect "session-destroy when the owner's socket closed" \
	"^op=session-destroy cause=owner-closed sid=[0-9]+ events=0x1 uid=0 .*$T"
kill "$pid"
wait "$pid" 2>/dev/null

# ---- a session past its lifetime: stopped by the module, probes gone
# (the probe specs first: reading the binary takes seconds under TCG).
# The lifetime must outlast adding the probes, which took probe_secs
# above with the binary's inspection included: 2x that plus 10 s, so a
# slow kernel (the debug one) gets a longer one instead of a race.
"$ctl" inspect --json "$gexe" >"$work/specs.json"
mapfile -t specs < <(go_probe_specs "$work/specs.json")
life_ms=$(((2 * probe_secs + 10) * 1000))
mark
sid=$("$nlraw" send --show session-new events:u32:3 max-lifetime-ms:u32:"$life_ms" |
	sed -n 's/.* session-id=\([0-9]*\).*/\1/p')
nl target-add session-id:u32:"$sid" pid:u32:"$gpid"
nl session-start session-id:u32:"$sid"
nprobes=0
for spec in "${specs[@]}"; do
	# shellcheck disable=SC2086 # one attribute per word
	nl probe-add session-id:u32:"$sid" pid:u32:"$gpid" probe-path:str:"$gexe" $spec &&
		nprobes=$((nprobes + 1))
done
check_ge "probes on the target of a session with a $((life_ms / 1000)) s lifetime" 5 "$nprobes"
mapfile -t offs < <("$nlraw" send --dump --show probes session-id:u32:"$sid" |
	sed -n 's/.* probe-offset=\([0-9]*\).*/\1/p')
check_eq "probes listed with their offsets" "$nprobes" "${#offs[@]}"
text_bytes "$gpid" "$gexe" "${offs[@]}" >"$work/armed"
check_eq "the probes are armed in the target (int3)" "$nprobes" "$(int3_bytes "$work/armed")"
expired() { "$nlraw" send --dump --show sessions session-id:u32:"$sid" | grep -q ' expired=1'; }
wait_for_s=$((life_ms / 1000 + 120)) wait_for expired
check "the module marked the session expired within its lifetime + 120 s" expired
check_match "... and stopped it" ' state=2 ' \
	"$("$nlraw" send --dump --show sessions session-id:u32:"$sid")"
check_eq "no probe is left in the session" 0 \
	"$("$nlraw" send --dump --show probes session-id:u32:"$sid" | grep -c '^reply ')"
text_bytes "$gpid" "$gexe" "${offs[@]}" >"$work/disarmed"
check_eq "no breakpoint is left in the target's memory" 0 "$(int3_bytes "$work/disarmed")"
check_eq "the target's code is as in its file" 0 "$(changed_bytes "$work/disarmed")"
S="sid=$sid events=0x3 uid=[0-9]+ euid=[0-9]+ auid=[0-9]+ ses=[0-9]+ pid=[0-9]+ comm=\"[^\"]*\""
expect "session-stop with cause max-lifetime" "^op=session-stop cause=max-lifetime $S$T"
settle "$nprobes" '^op=probe-remove cause=max-lifetime'
check_eq "probe-remove with cause max-lifetime for each probe" "$nprobes" \
	"$(audit_since | grep -cE "^op=probe-remove cause=max-lifetime $S probe_id=[0-9]+ target_pid=$gpid ")"
out=$("$nlraw" send session-start session-id:u32:"$sid")
check_match "an expired session cannot start again (ETIME)" \
	"^errno=62 msg=session $sid passed its maximum lifetime of $life_ms ms$" "$out"
# shellcheck disable=SC2046 # one attribute per word
out=$("$nlraw" send probe-add $(req_attrs probe-add "$sid" "$gpid"))
check_match "... nor get probes" "^errno=62 msg=session $sid passed its maximum lifetime" "$out"
nl session-del session-id:u32:"$sid"

# a capture whose lifetime passes ends cleanly, and says why
sleep 600 &
spid=$!
"$ctl" capture -p "$spid" --syscalls --max-duration 2s -o "$work/life.gdc" 2>"$work/life.err" &
wait_bg 60 $!
check_eq "capture --max-duration 2s: ended by the module, exit 0" 0 "$?"
check_match "... saying so on stderr" "the module stopped the session at its maximum lifetime \(--max-duration 2s\)" \
	"$(cat "$work/life.err")"
"$ctl" report --json "$work/life.gdc" >"$work/life.json"
check_match "... and in the file's notes" "the module stopped session [0-9]+ at its maximum lifetime" \
	"$(jget "$work/life.json" "' | '.join(d['notes'])")"
kill "$spid"
wait "$spid" 2>/dev/null

# ---- the host's caps
echo 2 >"$params/max_sessions_per_user"
a=$("$nlraw" send --show session-new | sed -n 's/.* session-id=\([0-9]*\).*/\1/p')
b=$("$nlraw" send --show session-new | sed -n 's/.* session-id=\([0-9]*\).*/\1/p')
check_match "max_sessions_per_user=2: two sessions" '^[0-9]+ [0-9]+$' "$a $b"
check_match "... the third is refused (ENOSPC) with the cap named" \
	"^errno=28 msg=UID 0 has 2 sessions, the host's cap \(godiag.max_sessions_per_user\)$" \
	"$("$nlraw" send session-new)"
sleep 600 &
spid=$!
check_status "... and godiagctl capture exits 3" 3 "$ctl" capture -p "$spid" --syscalls -o "$work/cap.gdc"
check_match "... with the module's message" "UID 0 has 2 sessions, the host's cap" "$(cat "$work/out")"
nl session-del session-id:u32:"$a"
nl session-del session-id:u32:"$b"
echo 0 >"$params/max_sessions_per_user"

echo 3 >"$params/max_probes_per_user"
a=$("$nlraw" send --show session-new events:u32:3 | sed -n 's/.* session-id=\([0-9]*\).*/\1/p')
nl target-add session-id:u32:"$a" pid:u32:"$gpid"
check_eq "max_probes_per_user=3: three probes accepted" 3 "$(go_probes_add "$a" "$gpid" "$gosched")"
# shellcheck disable=SC2046 # one attribute per word
out=$("$nlraw" send probe-add $(req_attrs probe-add "$a" "$gpid"))
check_match "... the next refused (ENOSPC) with the cap named" \
	"^errno=28 msg=UID 0 has 3 probes, the host's cap \(godiag.max_probes_per_user\)$" "$out"
echo 0 >"$params/max_probes_per_user"
nl session-del session-id:u32:"$a"

echo 1500 >"$params/max_lifetime_ms"
check_match "max_lifetime_ms=1500: a session asked without a lifetime gets 1500 ms" \
	' max-lifetime-ms=1500( |$)' "$("$nlraw" send --show session-new)"
check_match "... one asked for 5000 ms gets 1500 ms" \
	' max-lifetime-ms=1500( |$)' "$("$nlraw" send --show session-new max-lifetime-ms:u32:5000)"
check_match "... one asked for 1000 ms keeps it" \
	' max-lifetime-ms=1000( |$)' "$("$nlraw" send --show session-new max-lifetime-ms:u32:1000)"
all_expired() {
	[ "$("$nlraw" send --dump --show sessions | grep -c ' expired=1')" = 3 ]
}
wait_for_s=60 wait_for all_expired
check "... and all three expire" all_expired
"$ctl" capture -p "$spid" --syscalls --duration 1s -o "$work/capped.gdc" 2>"$work/capped.err"
check_match "godiagctl capture says the host cut its default 1 h" \
	"the host caps sessions at 1500ms \(godiag.max_lifetime_ms\): --max-duration 1h becomes 1500ms" \
	"$(cat "$work/capped.err")"
echo 0 >"$params/max_lifetime_ms"
# ---- unload: the module destroys what is left, each logged
mark
left=$(nsessions)
module_unload
settle "$left" '^op=session-destroy cause=unload'
check_eq "rmmod: a session-destroy line with cause unload per session left" "$left" \
	"$(audit_since | grep -cE "^op=session-destroy cause=unload sid=[0-9]+ events=0x[0-9a-f]+ uid=0 euid=0 .*$T")"
check_ge "... (there were some)" 1 "$left"
module_load

# ---- which binary was traced: its build id and Go version in the
# capture, and report says when the file at that path is another build
mkdir -p "$work/bin"
cp "$gosched" "$work/bin/svc"
start_gt rpid "$work/bin/svc" --wait-signal --hold --loop -n 1
"$ctl" capture -p "$rpid" --syscalls --duration 1s -o "$work/svc.gdc" 2>/dev/null
"$ctl" report --json "$work/svc.gdc" >"$work/svc.json" 2>"$work/svc.err"
check_eq "the capture names the binary: build id and Go version" \
	"$gid $(/usr/local/go/bin/go version "$gosched" | sed 's/.*: //')" \
	"$(jget "$work/svc.json" "d['targets'][0]['build_id'] + ' ' + d['targets'][0]['go_version']")"
check_eq "... report of the same binary: no warning" 0 "$(grep -c 'is not the binary traced' "$work/svc.err")"
cp "$gt" "$work/bin/svc.new"
mv -f "$work/bin/svc.new" "$work/bin/svc"
check_status "report after a redeploy at the same path exits 0" 0 "$ctl" report --json "$work/svc.gdc"
check_match "... and says the binary changed, on stderr" \
	"target $rpid: $(re_escape "$work/bin/svc") is not the binary traced: build id $(re_escape "$gid") then, $(re_escape "$(build_id "$gt")") now" \
	"$(cat "$work/out")"
rm -f "$work/bin/svc"
"$ctl" report --json "$work/svc.gdc" >"$work/svc2.json" 2>/dev/null
check_match "... and in the notes, also when the file is gone" \
	"is not the binary traced: build id $(re_escape "$gid") then, none \(missing or unreadable\) now" \
	"$(jget "$work/svc2.json" "' | '.join(d['notes'])")"
# ---- targets named by cgroup and by container (cgroup v2): exactly the
# processes of the cgroup and of the cgroups below it, none of others
cgroot=/sys/fs/cgroup
if [ "$(stat -f -c %T "$cgroot" 2>/dev/null)" = cgroup2fs ]; then
	cid=c0ffee$(printf '%058d' 35)
	ctr=$cgroot/godiag-ctr/docker-$cid.scope
	mkdir -p "$cgroot/godiag-cg/sub" "$ctr"
	# in_cgroup VAR DIR: a process moved into cgroup DIR, its PID in VAR
	in_cgroup() {
		sleep 600 &
		echo "$!" >"$2/cgroup.procs"
		printf -v "$1" %s "$!"
	}
	in_cgroup c1 "$cgroot/godiag-cg"
	in_cgroup c2 "$cgroot/godiag-cg"
	in_cgroup c3 "$cgroot/godiag-cg/sub"
	in_cgroup c4 "$ctr"
	sleep 600 &
	c5=$!
	targets_of() {
		"$ctl" report --json "$1" >"$work/cg.json" &&
			jget "$work/cg.json" "' '.join(str(p) for p in sorted(t['pid'] for t in d['targets']))"
	}
	check_status "capture --cgroup /godiag-cg" 0 \
		"$ctl" capture --cgroup /godiag-cg --syscalls --duration 1s -o "$work/cg.gdc"
	check_eq "... traces the cgroup's processes and its child cgroup's, no other" \
		"$(printf '%s\n' "$c1" "$c2" "$c3" | sort -n | tr '\n' ' ' | sed 's/ $//')" \
		"$(targets_of "$work/cg.gdc")"
	check_status "capture --cgroup of a child cgroup, named under /sys/fs/cgroup" 0 \
		"$ctl" capture --cgroup "$cgroot/godiag-cg/sub" --syscalls --duration 1s -o "$work/cg.gdc"
	check_eq "... traces its process only" "$c3" "$(targets_of "$work/cg.gdc")"
	check_status "capture --container by a prefix of its ID" 0 \
		"$ctl" capture --container c0ffee --syscalls --duration 1s -o "$work/ctr.gdc"
	check_eq "... traces the container's process only" "$c4" "$(targets_of "$work/ctr.gdc")"
	check_status "capture --container of no container exits 1" 1 \
		"$ctl" capture --container deadbeef --syscalls --duration 1s -o "$work/none.gdc"
	check_match "... with one line saying so" \
		"^godiagctl: capture: no container 'deadbeef': no cgroup under /sys/fs/cgroup is named after it$" \
		"$(cat "$work/out")"
	check_status "capture --cgroup of no cgroup exits 1" 1 \
		"$ctl" capture --cgroup /godiag-none --syscalls --duration 1s -o "$work/none.gdc"
	check_match "... with one line saying so" \
		"^godiagctl: capture: no cgroup '/godiag-none' \(no /sys/fs/cgroup/godiag-none/cgroup.procs\)$" \
		"$(cat "$work/out")"
	check "... and leaves no file" [ ! -e "$work/none.gdc" ]
	kill "$c1" "$c2" "$c3" "$c4" "$c5"
	wait "$c1" "$c2" "$c3" "$c4" "$c5" 2>/dev/null
	cg_empty() { [ ! -s "$cgroot/godiag-cg/sub/cgroup.procs" ] && [ ! -s "$ctr/cgroup.procs" ] &&
		[ ! -s "$cgroot/godiag-cg/cgroup.procs" ]; }
	wait_for cg_empty
	rmdir "$cgroot/godiag-cg/sub" "$cgroot/godiag-cg" "$ctr" "$cgroot/godiag-ctr"
else
	echo "# no cgroup v2 at $cgroot: --cgroup and --container not tested"
fi
kill -KILL "$rpid"
wait "$rpid" 2>/dev/null
kill "$spid"
wait "$spid" 2>/dev/null
kill -KILL "$gpid"
wait "$gpid" 2>/dev/null
