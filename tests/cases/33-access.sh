# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2154 # start_gt assigns by name
# Who may trace whom: the rules perf applies (include/godiag_abi.h, kmod/perm.c).
# - root holding only CAP_NET_ADMIN (what containers get) is refused
#   with EPERM by every command, dump and the notify group, over raw
#   netlink and through godiagctl (exit 4, one line);
# - CAP_PERFMON alone, as root and as another user: its own sessions
#   only (others' answer "no session N", as missing ones do; dumps leave
#   them out; /dev/godiag binds and maps its own only), targets and
#   probes only with an fd of /proc/PID/mem the kernel let it open, and
#   a quota of sessions;
# - with Yama's ptrace_scope 1 only descendants, as for perf;
# - a traced process that execs a set-user-ID program is not recorded
#   any more (perf's rule), for sessions created without CAP_SYS_ADMIN.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw
gt=$progs/gt_syscalls
dev=/dev/godiag
gosched=$progs/gosched-go1.23
[ -x "$gosched" ] || gosched=$progs/gosched
exe=$(readlink -f "$gosched")
netadmin() { as_root_caps net_admin "$@"; }
perfmon() { as_root_caps perfmon "$@"; }
uperf() { as_nobody_caps perfmon "$@"; }
nl() { "$nlraw" send "$@" | grep -q '^errno=0 '; }
sid_of() { sed -n 's/.* session-id=\([0-9]*\).*/\1/p'; }
# one_line DESC STATUS CMD...: CMD exits STATUS and says why in one line
# that starts "godiagctl: permission denied: " (STATUS 4) on stderr.
one_line() {
	local desc=$1 want=$2 got
	shift 2
	"$@" >"$work/ol.out" 2>"$work/ol.err" && got=0 || got=$?
	check_eq "$desc: exit $want" "$want" "$got"
	check_eq "$desc: one line on stderr" 1 "$(wc -l <"$work/ol.err")"
	check_match "$desc: saying permission denied" "^godiagctl: permission denied: ." \
		"$(cat "$work/ol.err")"
}
# Files a user other than root writes and runs.
pub=$work/pub
mkdir -m 1777 "$pub"
chmod 711 "$work"

# ---- root's session: a target with probes, running
rsid=$("$nlraw" send --show session-new events:u32:3 | sid_of)
start_gt rpid "$gosched" --wait-signal --hold --loop -n 3
rgt_out=$gt_out
nl target-add session-id:u32:"$rsid" pid:u32:"$rpid"
nprobes=$(go_probes_add "$rsid" "$rpid" "$gosched")
check_ge "root's session has a Go target with probes" 5 "$nprobes"
nl session-start session-id:u32:"$rsid"
kill -USR1 "$rpid"
check "root's target runs" wait_for grep -q '^cycle ' "$rgt_out"
spec=$(go_probe_specs "$work/probes-inspect.json" | grep -m1 'probe-kind:u32:2 ')
"$nlraw" send --dump --show sessions >"$work/before.txt"

# ---- CAP_NET_ADMIN alone: nothing
reqs=(
	"status"
	"session-new"
	"session-del session-id:u32:$rsid"
	"session-start session-id:u32:$rsid"
	"session-stop session-id:u32:$rsid"
	"target-add session-id:u32:$rsid pid:u32:$rpid"
	"target-del session-id:u32:$rsid pid:u32:$rpid"
	"syscalls-set session-id:u32:$rsid syscall-min-ns:u64:0"
	"probe-add session-id:u32:$rsid pid:u32:$rpid probe-path:str:$exe $spec"
	"probe-del session-id:u32:$rsid probe-id:u32:1"
)
for r in "${reqs[@]}"; do
	# shellcheck disable=SC2086 # one attribute per word
	out=$(netadmin "$nlraw" send $r 2>&1)
	check_match "CAP_NET_ADMIN only: ${r%% *} refused (EPERM)" \
		"^errno=1 msg=godiag needs CAP_PERFMON or CAP_SYS_ADMIN$" "$out"
done
for d in sessions targets stats hist probes; do
	check_match "CAP_NET_ADMIN only: dump $d refused (EPERM)" "^errno=1 messages=0 " \
		"$(netadmin "$nlraw" send --dump "$d" 2>&1)"
	check_match "CAP_NET_ADMIN only: dump $d of root's session refused (EPERM)" \
		"^errno=1 messages=0 " \
		"$(netadmin "$nlraw" send --dump "$d" session-id:u32:"$rsid" 2>&1)"
done
check_match "CAP_NET_ADMIN only: the notify group refused (EPERM)" "^errno=1$" \
	"$(netadmin "$nlraw" join 2>&1)"
check_match "CAP_NET_ADMIN only: /dev/godiag refused by the module (EPERM)" "^open=1 " \
	"$(netadmin "$progs/devprobe" "$rsid")"
one_line "godiagctl status, CAP_NET_ADMIN only" 4 netadmin "$ctl" status
one_line "godiagctl sessions, CAP_NET_ADMIN only" 4 netadmin "$ctl" sessions
one_line "godiagctl stats, CAP_NET_ADMIN only" 4 netadmin "$ctl" stats
one_line "godiagctl hist, CAP_NET_ADMIN only" 4 netadmin "$ctl" hist -s "$rsid"
one_line "godiagctl capture -p, CAP_NET_ADMIN only" 4 \
	netadmin "$ctl" capture -p "$rpid" --syscalls --duration 1s -o "$work/na.gdc"
check_eq "CAP_NET_ADMIN only: the refused requests changed nothing" \
	"$(cat "$work/before.txt")" "$("$nlraw" send --dump --show sessions)"
check_eq "CAP_NET_ADMIN only: the probes are all still there" "$nprobes" \
	"$("$nlraw" send --dump --show probes session-id:u32:"$rsid" | grep -c '^reply ')"

# ---- CAP_PERFMON alone, as root: its sessions, its processes
check_match "CAP_PERFMON only: status" "^errno=0 " "$(perfmon "$nlraw" send status)"
check_match "CAP_PERFMON only: root's session is not listed" "^errno=0 messages=0 " \
	"$(perfmon "$nlraw" send --dump sessions)"
missing=$("$nlraw" send session-start session-id:u32:99999)
check_match "a session that does not exist: ENOENT" "^errno=2 msg=no session 99999$" "$missing"
for r in "${reqs[@]:2}"; do
	# shellcheck disable=SC2086 # one attribute per word
	out=$(perfmon "$nlraw" send $r 2>&1)
	check_eq "CAP_PERFMON only: ${r%% *} on root's session answers as a missing one" \
		"errno=2 msg=no session $rsid" "$out"
done
for d in targets stats hist probes; do
	check_match "CAP_PERFMON only: dump $d of root's session is empty" "^errno=0 messages=0 " \
		"$(perfmon "$nlraw" send --dump "$d" session-id:u32:"$rsid")"
done
psid=$(perfmon "$nlraw" send --show session-new events:u32:3 | sid_of)
check_match "CAP_PERFMON only: a session of its own" "^[0-9]+$" "$psid"
out=$(perfmon "$nlraw" send target-add session-id:u32:"$psid" pid:u32:"$rpid")
check_eq "CAP_PERFMON only: root's process without a /proc/PID/mem fd: EPERM, and why" \
	"errno=1 msg=PID $rpid: needs CAP_SYS_ADMIN or an fd of /proc/$rpid/mem" "$out"
out=$(perfmon "$nlraw" send target-add session-id:u32:"$psid" pid:u32:"$rpid" \
	proc-mem-fd:open:/proc/"$rpid"/mem)
check_match "CAP_PERFMON only: the kernel does not open root's /proc/PID/mem (EACCES), EPERM" \
	"^open=13 errno=1 msg=PID $rpid: needs" "$(tr '\n' ' ' <<<"$out")"
start_gt ppid perfmon "$gosched" --wait-signal --hold --loop -n 2
pgt_out=$gt_out
start_gt ppid2 perfmon "$gt" --wait-signal nanosleep 600 100
out=$(perfmon "$nlraw" send target-add session-id:u32:"$psid" pid:u32:"$ppid" \
	proc-mem-fd:open:/proc/"$ppid"/status)
check_match "CAP_PERFMON only: an fd that is not /proc/PID/mem: EPERM" \
	"errno=1 msg=the fd is not of a /proc/PID/mem" "$out"
out=$(perfmon "$nlraw" send target-add session-id:u32:"$psid" pid:u32:"$ppid" \
	proc-mem-fd:open:/proc/"$ppid2"/mem)
check_match "CAP_PERFMON only: /proc/PID/mem of another process: EPERM" \
	"errno=1 msg=the fd is not /proc/$ppid/mem of the program PID $ppid runs now" "$out"
out=$(perfmon "$nlraw" send target-add session-id:u32:"$psid" pid:u32:"$ppid" \
	proc-mem-fd:u32:999)
check_match "CAP_PERFMON only: an fd number not open: EBADF" "^errno=9 " "$out"
out=$(perfmon "$nlraw" send target-add session-id:u32:"$psid" pid:u32:"$ppid" \
	proc-mem-fd:open:/proc/"$ppid"/mem)
check_match "CAP_PERFMON only: its own process with its /proc/PID/mem fd" \
	"^open=0 errno=0 " "$(tr '\n' ' ' <<<"$out")"
# shellcheck disable=SC2086 # one attribute per word
out=$(perfmon "$nlraw" send probe-add session-id:u32:"$psid" pid:u32:"$ppid" \
	probe-path:str:"$exe" $spec)
check_eq "CAP_PERFMON only: a probe without the fd: EPERM" \
	"errno=1 msg=PID $ppid: needs CAP_SYS_ADMIN or an fd of /proc/$ppid/mem" "$out"
# shellcheck disable=SC2086 # one attribute per word
out=$(perfmon "$nlraw" send probe-add session-id:u32:"$psid" pid:u32:"$ppid" \
	probe-path:str:"$exe" $spec proc-mem-fd:open:/proc/"$ppid"/mem)
check_match "CAP_PERFMON only: a probe with it" "^open=0 errno=0 " "$(tr '\n' ' ' <<<"$out")"
# shellcheck disable=SC2086 # one attribute per word
out=$(perfmon "$nlraw" send probe-add session-id:u32:"$psid" pid:u32:"$rpid" \
	probe-path:str:"$exe" $spec proc-mem-fd:open:/proc/"$ppid"/mem)
check_match "CAP_PERFMON only: no probe on a process that is not its target" "^open=0 errno=2 " \
	"$(tr '\n' ' ' <<<"$out")"
check_match "CAP_PERFMON only: starts its session" "^errno=0 " \
	"$(perfmon "$nlraw" send session-start session-id:u32:"$psid")"
kill -USR1 "$ppid"
check "CAP_PERFMON only: its target runs" wait_for grep -q '^cycle ' "$pgt_out"
check_ge "CAP_PERFMON only: its probe records" 1 "$(perfmon "$progs/nlraw" send --dump --show \
	probes session-id:u32:"$psid" | sed -n 's/.* probe-hits=\([0-9]*\).*/\1/p')"
check_eq "CAP_PERFMON only: it lists its session and no other" "$psid" \
	"$(perfmon "$nlraw" send --dump --show sessions | sid_of | tr '\n' ' ' | sed 's/ $//')"
check_eq "CAP_PERFMON only: its targets, no other" "pid=$ppid" \
	"$(perfmon "$nlraw" send --dump --show targets | grep -o ' pid=[0-9]*' | tr -d ' ')"
check_match "root still sees every session" "session-id=$psid .*" \
	"$("$nlraw" send --dump --show sessions | tr '\n' ' ')"
check_match "CAP_PERFMON only: /dev/godiag: its session binds and maps" \
	"^open=0 bind=0 mmap=0 " "$(perfmon "$progs/devprobe" "$psid")"
check_match "CAP_PERFMON only: /dev/godiag: root's session does not bind (ENOENT)" \
	"^open=0 bind=2 " "$(perfmon "$progs/devprobe" "$rsid")"
out=$(perfmon "$ctl" capture --goroutines --syscalls -o "$work/p.gdc" -- "$gosched" -n 2 2>&1)
check_match "CAP_PERFMON only: godiagctl capture -- CMD (goroutines) works" "captured [1-9]" "$out"
report "$work/p.gdc"
check_ge "... and records goroutines" 1 "$(jget "$work/p.gdc.json" "d['goroutines']['created']" \
	2>/dev/null || echo 0)"
one_line "godiagctl capture -p of root's process, CAP_PERFMON only" 4 \
	perfmon "$ctl" capture -p "$rpid" --syscalls --duration 1s -o "$work/pr.gdc"
check_match "... naming the PID and what the kernel said about /proc/PID/mem" \
	"PID $rpid: needs CAP_SYS_ADMIN or an fd of /proc/$rpid/mem \(opening /proc/$rpid/mem: Permission denied\)$" \
	"$(cat "$work/ol.err")"

# ---- CAP_PERFMON alone, as another user
start_gt npid as_nobody "$gt" --wait-signal nanosleep 600 100
usid=$(uperf "$nlraw" send --show session-new | sid_of)
check_match "uid 65534 with CAP_PERFMON: a session of its own" "^[0-9]+$" "$usid"
out=$(uperf "$nlraw" send target-add session-id:u32:"$usid" pid:u32:"$npid" \
	proc-mem-fd:open:/proc/"$npid"/mem)
check_match "uid 65534 with CAP_PERFMON: a uid 65534 process, with the fd" "^open=0 errno=0 " \
	"$(tr '\n' ' ' <<<"$out")"
for who in rpid ppid; do
	out=$(uperf "$nlraw" send target-add session-id:u32:"$usid" pid:u32:"${!who}" \
		proc-mem-fd:open:/proc/"${!who}"/mem)
	check_match "uid 65534 with CAP_PERFMON: uid 0's process ($who): no fd (EACCES), EPERM" \
		"^open=13 errno=1 " "$(tr '\n' ' ' <<<"$out")"
done
uperf "$nlraw" send session-start session-id:u32:"$usid" >/dev/null
kill -USR1 "$npid"
check_eq "uid 65534 with CAP_PERFMON: lists its session only" "$usid" \
	"$(uperf "$nlraw" send --dump --show sessions | sid_of | tr '\n' ' ' | sed 's/ $//')"
check_eq "uid 0 with CAP_PERFMON does not list it" "$psid" \
	"$(perfmon "$nlraw" send --dump --show sessions | sid_of | tr '\n' ' ' | sed 's/ $//')"
check_eq "uid 65534 with CAP_PERFMON: uid 0's session answers as a missing one" \
	"errno=2 msg=no session $psid" "$(uperf "$nlraw" send session-del session-id:u32:"$psid")"
check_eq "and the other way round" "errno=2 msg=no session $usid" \
	"$(perfmon "$nlraw" send session-stop session-id:u32:"$usid")"
wait_for_hist() {
	uperf "$nlraw" send --dump --show hist session-id:u32:"$usid" | grep -q "pid=$npid "
}
check "uid 65534 with CAP_PERFMON: histograms of its target" wait_for wait_for_hist
for d in targets hist stats probes; do
	uperf "$nlraw" send --dump --show "$d" >"$work/u.$d"
	check_eq "uid 65534 with CAP_PERFMON: dump $d: its session only" "" \
		"$(sid_of <"$work/u.$d" | grep -vx "$usid" | sort -u)"
done
check_eq "uid 65534 with CAP_PERFMON: the histograms dumped are its target's" "" \
	"$(grep -o ' pid=[0-9]*' "$work/u.hist" | grep -v "=$npid\$" | sort -u)"
check_match "uid 65534: /dev/godiag's mode still refuses it (EACCES)" "^open=13 " \
	"$(uperf "$progs/devprobe" "$usid")"
chmod 0666 $dev
check_match "mode 0666, uid 65534 with CAP_PERFMON: its session binds and maps" \
	"^open=0 bind=0 mmap=0 " "$(uperf "$progs/devprobe" "$usid")"
for s in rsid psid; do
	check_match "mode 0666, uid 65534 with CAP_PERFMON: session $s does not bind (ENOENT)" \
		"^open=0 bind=2 " "$(uperf "$progs/devprobe" "${!s}")"
done
check_match "mode 0666, uid 65534 without capabilities: open refused by the module (EPERM)" \
	"^open=1 " "$(as_nobody "$progs/devprobe" "$usid")"
chmod 0600 $dev
# the quota: GODIAG_SESSIONS_USER_MAX (4) sessions per uid
extra=()
for _ in 1 2 3; do extra+=("$(uperf "$nlraw" session-new | sed -n 's/^session=//p')"); done
check_match "uid 65534 with CAP_PERFMON: a fifth session is refused (ENOSPC), and why" \
	"^errno=28 msg=UID 65534 has 4 sessions, the most without CAP_SYS_ADMIN$" \
	"$(uperf "$nlraw" send session-new)"
check_match "root is not held by it" "^session=[0-9]+$" "$("$nlraw" session-new)"
for s in "${extra[@]}"; do
	check_match "uid 65534 with CAP_PERFMON: deletes its session $s" "^errno=0 " \
		"$(uperf "$nlraw" send session-del session-id:u32:"$s")"
done

# ---- the notify group tells every session's targets: CAP_SYS_ADMIN only
check_match "notify group: CAP_SYS_ADMIN joins" "^errno=0$" "$("$nlraw" join 2>&1)"
check_match "notify group: CAP_PERFMON only refused" "^errno=1$" "$(perfmon "$nlraw" join 2>&1)"
check_match "notify group: uid 65534 with CAP_PERFMON refused" "^errno=1$" \
	"$(uperf "$nlraw" join 2>&1)"

# ---- Yama: ptrace_scope 1 lets a process trace its descendants only
yama=/proc/sys/kernel/yama/ptrace_scope
if [ -w $yama ]; then
	old_scope=$(cat $yama)
	echo 1 >$yama
	start_gt spid as_nobody "$gt" --wait-signal nanosleep 600 100
	out=$(uperf "$nlraw" send target-add session-id:u32:"$usid" pid:u32:"$spid" \
		proc-mem-fd:open:/proc/"$spid"/mem)
	check_match "Yama 1: uid 65534 with CAP_PERFMON, a uid 65534 non-descendant: no fd, EPERM" \
		"^open=13 errno=1 " "$(tr '\n' ' ' <<<"$out")"
	chmod 0666 $dev
	one_line "Yama 1: godiagctl capture -p of a non-descendant" 4 \
		uperf "$ctl" capture -p "$spid" --syscalls --duration 1s -o "$pub/y1.gdc"
	out=$(uperf "$ctl" capture --syscalls --syscall getpid -o "$pub/y2.gdc" -- "$gt" getpid 50 2>&1)
	check_match "Yama 1: godiagctl capture -- CMD (a descendant) works" "captured [1-9]" "$out"
	report "$pub/y2.gdc"
	check_eq "... and counts its 50 getpid" 50 "$(syscall_count "$pub/y2.gdc.json" getpid)"
	chmod 0600 $dev
	echo "$old_scope" >$yama
	kill "$spid"
else
	skip "Yama: no $yama in this kernel"
fi

# ---- a set-user-ID exec ends the recording (sessions without CAP_SYS_ADMIN)
su=/usr/bin/su
if [ -u $su ] && ! findmnt -no OPTIONS -T $su | grep -qw nosuid; then
	cp $su "$pub/su-plain"	# the same program, no set-user-ID bit
	chmod 0666 $dev
	for how in setuid:"$su" plain:"$pub/su-plain"; do
		uperf "$ctl" capture --syscalls -o "$pub/${how%%:*}.gdc" -- "${how#*:}" --help \
			>"$pub/out" 2>&1
		report "$pub/${how%%:*}.gdc" 2>/dev/null || true
	done
	check_eq "plain exec, uid 65534 with CAP_PERFMON: its execve is recorded" 1 \
		"$(syscall_count "$pub/plain.gdc.json" execve)"
	check_ge "plain exec: and the program's writes" 1 "$(syscall_count "$pub/plain.gdc.json" write)"
	check_eq "set-user-ID exec, uid 65534 with CAP_PERFMON: its execve is not recorded" 0 \
		"$(syscall_count "$pub/setuid.gdc.json" execve)"
	check_eq "set-user-ID exec: nor anything the program does" 0 \
		"$(syscall_count "$pub/setuid.gdc.json" write)"
	check_ge "... what came before it is" 1 "$(jget "$pub/setuid.gdc.json" \
		"sum(s['count'] for s in d['syscalls'])")"
	chmod 0600 $dev
	"$ctl" capture --syscalls -o "$work/root-su.gdc" -- $su --help >/dev/null 2>&1
	report "$work/root-su.gdc"
	check_ge "set-user-ID exec in a session of CAP_SYS_ADMIN: still recorded" 1 \
		"$(syscall_count "$work/root-su.gdc.json" write)"
else
	skip "set-user-ID exec: $su is not set-user-ID or its file system is nosuid"
fi

kill -TERM "$rpid" "$ppid" "$ppid2" "$npid" 2>/dev/null
check "the module unloads" module_unload
