# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2016,SC2154 # (eval'd on purpose; start_gt assigns by name)
# Privilege and information: what 13-netlink does not cover of the
# netlink refusals (root in a user namespace for every command and dump,
# root without CAP_PERFMON and CAP_SYS_ADMIN, the notify group, a user
# namespace with its own network namespace; 33-access has the capability
# model itself), every operation of /dev/godiag refused to the
# unprivileged (the file's mode, and the module's own capability checks
# with the mode opened up), what an fd opened by root can do once its
# process dropped its privileges, and no kernel address in status, dump
# replies, error messages, records, the mmap pages or the module's log.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
module_load
nlraw=$progs/nlraw
devprobe=$progs/devprobe
gt=$progs/gt_syscalls
dev=/dev/godiag
as_userns() { as_nobody unshare -Ur "$@"; }
nl() { "$nlraw" send "$@" | grep -q '^errno=0 '; }

# ---- a session with records, stopped; another with a target and probes
sid=$("$nlraw" session-new | sed -n 's/^session=//p')
check_match "a session to refuse access to" '^[0-9]+$' "$sid"
# (3000 records of 64 bytes: three reads of 64 KiB below find some)
start_gt pid "$gt" --wait-signal write 3000
nl target-add session-id:u32:"$sid" pid:u32:"$pid"
nl session-start session-id:u32:"$sid"
kill -USR1 "$pid"
wait "$pid"
nl session-stop session-id:u32:"$sid"

gosched=$progs/gosched-go1.23-pie
[ -x "$gosched" ] || gosched=$progs/gosched
gsid=$("$nlraw" send --show session-new events:u32:3 | sed -n 's/.* session-id=\([0-9]*\).*/\1/p')
start_gt gpid "$gosched" --wait-signal --hold --loop -n 3
nl target-add session-id:u32:"$gsid" pid:u32:"$gpid"
nprobes=$(go_probes_add "$gsid" "$gpid" "$gosched")
check_ge "a goroutine session with probes on a Go target" 5 "$nprobes"
nl session-start session-id:u32:"$gsid"
kill -USR1 "$gpid"
wait_for grep -q '^cycle ' "$gt_out"
"$nlraw" send --dump --show sessions >"$work/before.txt"

# ---- netlink: root in a user namespace, every command 13 does not try
for cmd in session-del session-start session-stop target-del syscalls-set probe-add \
	probe-del; do
	# shellcheck disable=SC2046 # one attribute per word
	out=$(as_userns "$nlraw" send "$cmd" $(req_attrs "$cmd" "$gsid" "$gpid") 2>&1)
	check_match "root in a user namespace: $cmd refused" "^errno=1 " "$out"
done
for cmd in sessions targets stats hist probes; do
	out=$(as_userns "$nlraw" send --dump "$cmd" 2>&1)
	check_match "root in a user namespace: dump $cmd refused" "^errno=1 " "$out"
	out=$(as_nobody "$nlraw" send --dump "$cmd" session-id:u32:"$gsid" 2>&1)
	check_match "non-root: dump $cmd of one session refused" "^errno=1 " "$out"
done
# root (uid 0) without CAP_PERFMON and CAP_SYS_ADMIN: the capabilities
# count, not the uid; CAP_NET_ADMIN is not one of them
# shellcheck disable=SC2054 # setpriv's lists are comma-separated
nocaps=(setpriv --bounding-set=-perfmon,-sys_admin --inh-caps=-perfmon,-sys_admin --)
out=$("${nocaps[@]}" "$nlraw" send status 2>&1)
check_match "root without CAP_PERFMON and CAP_SYS_ADMIN: status refused" "^errno=1 " "$out"
out=$("${nocaps[@]}" "$nlraw" send session-del session-id:u32:"$sid" 2>&1)
check_match "root without CAP_PERFMON and CAP_SYS_ADMIN: session-del refused" "^errno=1 " "$out"
out=$(setpriv --bounding-set=-net_admin --inh-caps=-net_admin -- "$nlraw" send status 2>&1)
check_match "root without CAP_NET_ADMIN: status works" "^errno=0 " "$out"
# The family lives in the initial network namespace only.
out=$(as_nobody unshare -Urn "$nlraw" send status 2>&1) && st=0 || st=$?
check_eq "root in user+network namespaces: no godiag family there" 2 "$st"
check_match "... and nlraw says so" "does not exist" "$out"
# The notify multicast group (target exits) needs CAP_SYS_ADMIN.
check_match "root joins the notify group" "^errno=0$" "$("$nlraw" join 2>&1)"
check_match "non-root cannot join the notify group" "^errno=1$" "$(as_nobody "$nlraw" join 2>&1)"
check_match "root in a user namespace cannot join it" "^errno=1$" \
	"$(as_userns "$nlraw" join 2>&1)"
check_eq "the refused requests changed nothing" "$(cat "$work/before.txt")" \
	"$("$nlraw" send --dump --show sessions)"
check_eq "the probes are all still there" "$nprobes" \
	"$("$nlraw" send --dump --show probes session-id:u32:"$gsid" | grep -c '^reply ')"

# ---- /dev/godiag
check_eq "$dev is root's, mode 0600" "0:0 600" "$(stat -c '%u:%g %a' $dev)"
check_match "root: open, bind, mmap and read work" "^open=0 bind=0 mmap=0 read=0 bytes=[1-9]" \
	"$("$devprobe" "$sid")"
check_match "non-root: open refused by the file mode (EACCES)" "^open=13 " \
	"$(as_nobody "$devprobe" "$sid")"
check_match "root in a user namespace: open refused (EACCES)" "^open=13 " \
	"$(as_userns "$devprobe" "$sid")"
check_match "root without CAP_PERFMON and CAP_SYS_ADMIN: open refused by the module (EPERM)" \
	"^open=1 " "$("${nocaps[@]}" "$devprobe" "$sid")"
# With the mode opened up, the module's own check is what refuses.
chmod 0666 $dev
check_match "mode 0666: non-root open refused by the module (EPERM)" "^open=1 " \
	"$(as_nobody "$devprobe" "$sid")"
check_match "mode 0666: root in a user namespace refused by the module (EPERM)" "^open=1 " \
	"$(as_userns "$devprobe" "$sid")"
chmod 0600 $dev
# An fd root opened, used after its process dropped every privilege: the
# module checks again at bind (ioctl) and mmap; read() of an fd that root
# bound is allowed (root handed the session's records over with the fd),
# of an unbound one there is nothing to read (EBADFD).
check_match "fd opened by root, then uid 65534: bind and mmap refused (EPERM), read EBADFD" \
	"^open=0 bind=1 mmap=1 read=77 " "$("$devprobe" --drop nobody "$sid")"
check_match "fd opened by root, then a user namespace: bind and mmap refused, read EBADFD" \
	"^open=0 bind=1 mmap=1 read=77 " "$("$devprobe" --drop userns "$sid")"
check_match "fd bound by root, then uid 65534: mmap refused, read allowed" \
	"^open=0 bind0=0 bind=1 mmap=1 read=0 bytes=[1-9][0-9]*$" \
	"$("$devprobe" --bind-first --drop nobody "$sid")"
check_match "fd bound by root, then a user namespace: mmap refused, read allowed" \
	"^open=0 bind0=0 bind=1 mmap=1 read=0 bytes=[1-9][0-9]*$" \
	"$("$devprobe" --bind-first --drop userns "$sid")"
# godiagctl's exit status for "permission denied" is 4.
check_status "godiagctl status as non-root exits 4" 4 as_nobody "$ctl" status
check_status "godiagctl status in a user namespace exits 4" 4 as_userns "$ctl" status

# ---- no kernel addresses anywhere
# status and the listings of godiagctl
for c in status sessions stats; do
	"$ctl" $c --json >"$work/$c.json" 2>&1
	check "godiagctl $c --json: no kernel address" kaddr_text <"$work/$c.json"
done
# every dump, byte by byte, with sessions, targets, probes and histograms
for cmd in sessions targets stats hist probes; do
	"$nlraw" send --dump --raw "$cmd" >"$work/dump.$cmd" 2>&1
	check "dump $cmd: no kernel address in any reply" kaddr_raw <"$work/dump.$cmd"
done
"$nlraw" send --raw status >"$work/status.raw" 2>&1
check "status reply: no kernel address" kaddr_raw <"$work/status.raw"
# error messages
exe=$(readlink -f "$gt")
lay=go-layout:hex:98000000000000000000000000000000
for req in "session-new buffer-size:u32:100000" "session-start session-id:u32:999" \
	"target-add session-id:u32:$sid pid:u32:4000000" "target-add session-id:u32:$sid pid:u32:2" \
	"target-del session-id:u32:$sid pid:u32:1" "syscalls-set session-id:u32:$gsid syscall-mask:len:10" \
	"session-stop session-id:u32:$sid" "status 200:u32:1" "probe-del session-id:u32:$gsid probe-id:u32:7777" \
	"probe-add session-id:u32:$gsid pid:u32:$gpid probe-kind:u32:2 probe-arg-reg:u8:0 probe-path:str:/nonexistent probe-offset:u64:0 probe-func-offset:u64:0 $lay" \
	"probe-add session-id:u32:$gsid pid:u32:$gpid probe-kind:u32:2 probe-arg-reg:u8:0 probe-path:str:$exe probe-offset:u64:0x7fffffff probe-func-offset:u64:0 $lay" \
	"probe-add session-id:u32:$gsid pid:u32:$gpid probe-kind:u32:2 probe-arg-reg:u8:0 probe-path:str:/dev/null probe-offset:u64:0 probe-func-offset:u64:0 $lay" \
	"probe-add session-id:u32:$gsid pid:u32:1 probe-kind:u32:2 probe-arg-reg:u8:0 probe-path:str:$exe probe-offset:u64:0 probe-func-offset:u64:0 $lay" \
	"probe-add session-id:u32:$gsid pid:u32:$gpid probe-kind:u32:2 probe-arg-reg:u8:0 probe-path:str:$exe probe-offset:u64:1 probe-func-offset:u64:0 $lay"; do
	# shellcheck disable=SC2086 # one attribute per word
	"$nlraw" send --show $req
done >"$work/errors.txt" 2>&1
check_eq "14 refused requests, each with a message" 14 "$(grep -c '^errno=[1-9][0-9]* msg=.' "$work/errors.txt")"
check "error messages: no kernel address" kaddr_text <"$work/errors.txt"
as_nobody "$ctl" status >"$work/ctl-errors.txt" 2>&1
"$ctl" capture -p 4000000 --syscalls -o "$work/x" >>"$work/ctl-errors.txt" 2>&1
check "godiagctl's errors: no kernel address" kaddr_text <"$work/ctl-errors.txt"
# the mmap pages: the control page holds its counters and zeros, the
# record area only records (the session is stopped and has records)
out=$("$devprobe" --scan "$sid" | sed -n 's/^page //p')
abi=$(sed -n 's/^#define GODIAG_ABI_VERSION\t\([0-9]*\).*/\1/p' "$repo/include/godiag_abi.h")
check_match "mmap control page: ABI version $abi, CPU 0, 1 MiB, nothing else in the page" \
	"^version=$abi cpu=0 data_size=1048576 .* tail_nonzero=0 " "$out"
check_match "mmap record area: no kernel address" " kaddr=0$" "$out"
# records of a capture: syscalls (failing ones too) and goroutine events
check "a capture with goroutine events and syscalls" \
	"$ctl" capture --goroutines --syscalls -o "$work/cap" -- "$gosched" -n 3
start_gt fpid "$gt" --wait-signal fail 50
capture_bg "$work/cap2" -p "$fpid" --syscalls
wait_running 1
kill -USR1 "$fpid"
check "a capture of failing syscalls" wait_bg 300 "$cap_pid"
for f in cap cap2; do
	capscan "$work/$f" >"$work/$f.scan"
	check_eq "$f: the file is complete and every record well formed" "True 0" \
		"$(jget "$work/$f.scan" "d['complete'], d['bad']" | tr -d '(),')"
	check_eq "$f: no kernel address in any record" "[]" "$(jget "$work/$f.scan" "d['kaddr']")"
	check_eq "$f: reserved and unused fields are zero" "[]" "$(jget "$work/$f.scan" "d['dirty']")"
done
check_ge "cap: goroutine records were scanned" 10 \
	"$(jget "$work/cap.scan" "sum(d['by_type'].get(str(t), 0) for t in range(3, 8))")"
check_ge "cap2: 50 failing writes were scanned" 50 "$(jget "$work/cap2.scan" "d['by_type'].get('2', 0)")"
# the module's log
dmesg | grep -i godiag >"$work/dmesg.txt"
check "the module's kernel log lines: no address" kaddr_text <"$work/dmesg.txt"

kill -TERM "$gpid"
check "the Go target exits 0 at SIGTERM" wait "$gpid"
check "the module unloads" module_unload
