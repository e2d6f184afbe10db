# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are for the cases
# Helpers for test cases that run inside the test VM (tests/cases/*.sh).
# A case prints one "ok - DESC" or "not ok - DESC" line per assertion;
# tests/check.sh counts them, and fails a case that printed none. See
# tests/README.md for what the harness expects of a case.

repo=${GODIAG_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
build=${GODIAG_BUILD:-$repo/build}
ctl=$repo/ctl/godiagctl
progs=$build/progs
ko=${GODIAG_KO:-$build/mod/$(uname -r)/kmod/godiag.ko}
# the build with allocation failures on demand (kmod/faults.h), if made
ko_faults=${GODIAG_KO_FAULTS:-$build/mod-faults/$(uname -r)/kmod/godiag.ko}
work=$(mktemp -d /tmp/godiag-test.XXXXXX)
failures=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

# check DESC CMD...: passes when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@" >"$work/out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/#   /' "$work/out" | head -20
	fi
}

# check_fails DESC STATUS CMD...: passes when CMD exits with STATUS.
check_status() {
	local desc=$1 want=$2 got
	shift 2
	"$@" >"$work/out" 2>&1 && got=0 || got=$?
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $got, wanted $want)"
		sed 's/^/#   /' "$work/out" | head -20
	fi
}

# check_eq DESC WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1: wanted '$2', got '$3'"
	fi
}

# check_match DESC ERE TEXT
check_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		not_ok "$1: '$3' does not match /$2/"
	fi
}

# re_escape TEXT: TEXT as an ERE matching itself.
re_escape() {
	printf '%s' "$1" | sed 's/[][\\.^$*+?(){}|/]/\\&/g'
}

# check_ge DESC MIN GOT (integers)
check_ge() {
	if [ "$3" -ge "$2" ] 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1: wanted >= $2, got '$3'"
	fi
}

module_load() {
	insmod "$ko"
}

module_unload() {
	rmmod godiag
}

module_loaded() {
	[ -d /sys/module/godiag ]
}

# runnable PATH: PATH, or, when it is an executable file that uid 65534
# cannot execute where it is (a checkout under root's 0700 home: the
# refusal would be the shell's EACCES, not the module's), a copy of it in a
# directory everyone can reach (in the guest's own /tmp tmpfs).
runnable_dir=
runnable() {
	local p=$1 copy
	if [[ $p != /* ]] || [ ! -f "$p" ] || [ ! -x "$p" ] ||
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- test -x "$p" 2>/dev/null; then
		printf '%s\n' "$p"
		return
	fi
	if [ -z "$runnable_dir" ]; then
		runnable_dir=$(mktemp -d /tmp/godiag-runnable.XXXXXX) && chmod 0755 "$runnable_dir"
	fi
	copy=$runnable_dir$p
	[ -e "$copy" ] || { mkdir -p "${copy%/*}" && cp "$p" "$copy" && chmod -R a+rX "$runnable_dir"; }
	printf '%s\n' "$copy"
}

# Run as an unprivileged user: as_nobody CMD ARGS... Executables of the
# checkout among the words are run from a copy that user can execute
# (runnable), so a check as uid 65534 or in its user namespace (as_nobody
# unshare -Ur CMD ...) sees the module's answer wherever the tree is.
as_nobody() {
	local a args=()
	for a in "$@"; do
		args+=("$(runnable "$a")")
	done
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "${args[@]}"
}

# req_attrs CMD SESSION PID: nlraw attributes that make CMD well formed
# (the kernel checks a request's format before the module checks who sent
# it, so a refusal test must send a well-formed request).
req_attrs() {
	local lay=go-layout:hex:98000000000000000000000000000000
	case $1 in
	session-del | session-start | session-stop) echo "session-id:u32:$2" ;;
	target-add | target-del) echo "session-id:u32:$2 pid:u32:$3" ;;
	syscalls-set) echo "session-id:u32:$2 syscall-min-ns:u64:0" ;;
	probe-add)
		echo "session-id:u32:$2 pid:u32:$3 probe-kind:u32:2 probe-arg-reg:u8:0" \
			"probe-path:str:/proc/$3/exe probe-offset:u64:0 probe-func-offset:u64:0 $lay" ;;
	probe-del) echo "session-id:u32:$2 probe-id:u32:1" ;;
	*) ;;
	esac
}

# as_root_caps CAPS CMD...: run as root (uid 0) holding only CAPS (setpriv
# names without "cap_", comma-separated, e.g. net_admin): the bounding set
# is cut to them, so the exec gives root no more.
as_root_caps() {
	local caps=+${1//,/,+}
	shift
	setpriv --inh-caps=-all --bounding-set=-all,"$caps" -- "$@"
}

# as_nobody_caps CAPS CMD...: run as uid and gid 65534 holding CAPS as
# ambient capabilities (kept across exec), nothing else.
as_nobody_caps() {
	local caps=+${1//,/,+}
	shift
	local a args=()
	for a in "$@"; do
		args+=("$(runnable "$a")")
	done
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,"$caps" \
		--ambient-caps=-all,"$caps" --bounding-set=-all,"$caps" -- "${args[@]}"
}

# At the end of a case: under tests/vm/runner.sh (GODIAG_RUNNER=1) the
# module stays loaded, for the runner to check what the case left in it
# and unload it; alone, the case unloads it itself.
finish() {
	rm -rf "$work" ${runnable_dir:+"$runnable_dir"}
	[ "${GODIAG_RUNNER:-0}" = 1 ] || { module_loaded && rmmod godiag 2>/dev/null; }
	exit $((failures > 0))
}
trap finish EXIT

# go_builds [PROG]: the Go builds of PROG (default gosched) the test matrix
# (tests/matrix) gives this kernel in this tier (GODIAG_TIER: check, the
# default, or full), one "VERSION KIND PATH" line each (KIND: static, pie,
# stripped).
go_builds() {
	local prog=${1:-gosched} v k
	"$repo/tests/vm/matrix.sh" go "${GODIAG_TIER:-check}" "${GODIAG_VM_KERNEL:-$(uname -r)}" |
		while read -r v k; do
			case $k in
			static) echo "$v $k $progs/$prog-go$v" ;;
			*) echo "$v $k $progs/$prog-go$v-$k" ;;
			esac
		done
}

# jget FILE EXPR: evaluate a Python expression on the JSON in FILE (as d).
jget() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# report_differences CAPTURE REPORT.json: where the text of `godiagctl
# report CAPTURE` and its --json (REPORT.json) disagree: the events line,
# each syscall row's count and errors, the goroutine summary, wait
# reasons and rows; "none" when they agree.
report_differences() {
	"$ctl" report "$1" >"$1.txt" 2>/dev/null
	python3 - "$1.txt" "$2" <<'PY'
import json, re, sys
text, d = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
lines, out = text.splitlines(), []
def table(title):  # the rows under the header line starting with title
    rows, i = [], next((i for i, l in enumerate(lines) if l.lstrip().startswith(title)), None)
    for l in lines[i + 1:] if i is not None else []:
        if not l.strip() or l.startswith(("(no ", "...")):
            break
        # a duration is one field: "1.50 ms" as "1.50ms", like "1h02m03s"
        rows.append(re.sub(r"(\d) (ns|us|ms|s)\b", r"\1\2", l).split())
    return rows
def same(what, t, j):
    if t != j:
        out.append(f"{what}: text {t}, JSON {j}")
m = re.search(r"^events +(\d+) recorded, (\d+) lost, (\d+) written", text, re.M)
same("events", m and [int(x) for x in m.groups()],
     [d["events"]["recorded"], d["events"]["lost"], d["capture"]["written"]])
same("syscalls", sorted((r[0], int(r[1]), int(r[-1])) for r in table("SYSCALL ")),
     sorted((s["name"], s["count"], s["errors"]) for s in d["syscalls"]))
g = d.get("goroutines")
if g is not None:
    m = re.search(r"^goroutines (\d+) created, (\d+) exited, (\d+) alive at most, (\d+) seen",
                  text, re.M)
    same("goroutines", m and [int(x) for x in m.groups()],
         [g["created"], g["exited"], g["max_live"], g["seen"]])
    same("wait reasons", [int(r[-2]) for r in table("WAIT REASON")],
         [b["count"] for b in g["blocked"]])
    rows = table("GOROUTINE")
    same("goroutine rows", [(int(r[0]), int(r[1]), int(r[6])) for r in rows],
         [(x["goroutine"], x["pid"], x["syscalls"]) for x in g["list"][:len(rows)]])
print("; ".join(out) or "none")
PY
}

# syscall_count REPORT.json NAME: calls of NAME in a report, 0 if absent.
syscall_count() {
	jget "$1" "sum(s['count'] for s in d['syscalls'] if s['name'] == '$2')"
}

# start_gt NAME PROG ARGS...: start a ground-truth program that waits for
# SIGUSR1; its pid goes into the variable NAME, its output file into gt_out.
start_gt() {
	local var=$1 i
	shift
	gt_out=$(mktemp "$work/gt.XXXXXX")
	"$@" >"$gt_out" 2>&1 &
	for i in $(seq 300); do
		grep -q '^ready ' "$gt_out" && break
		sleep 0.05
	done
	printf -v "$var" '%s' "$(sed -n 's/^ready //p' "$gt_out")"
	if [ -z "${!var}" ]; then
		# Nothing after this can mean anything: stop the case here.
		not_ok "$1 did not start: $(head -c 200 "$gt_out")"
		exit 1
	fi
}

# wait_running: until a session is running with at least N targets.
wait_running() {
	local want=${1:-1}
	for _ in $(seq 400); do
		"$ctl" sessions --json >"$work/sess.json" 2>/dev/null &&
			[ "$(jget "$work/sess.json" \
				"max([len(s['targets']) for s in d['sessions'] if s['state'] == 'running'] or [-1])")" -ge "$want" ] &&
			return 0
		sleep 0.05
	done
	echo "no running session with $want targets" >&2
	return 1
}

# capture_bg FILE ARGS...: start a capture in the background; $cap_pid.
capture_bg() {
	local file=$1
	shift
	"$ctl" capture "$@" -o "$file" 2>"$file.err" &
	cap_pid=$!
}

# report FILE: JSON report into FILE.json.
report() {
	"$ctl" report --json "$1" >"$1.json"
}

# check_range DESC MIN MAX GOT (integers)
check_range() {
	if [ "$4" -ge "$2" ] 2>/dev/null && [ "$4" -le "$3" ]; then
		ok "$1"
	else
		not_ok "$1: wanted $2..$3, got '$4'"
	fi
}

# wait_for CMD...: run CMD every 0.1 s until it succeeds, for at most
# $wait_for_s seconds (default 60); returns its last status.
wait_for() {
	local end=$((SECONDS + ${wait_for_s:-60}))
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# text_bytes PID FILE OFFSET...: for each file offset of FILE (decimal or
# 0x...), where PID has it mapped, one line "OFFSET ADDR FILEBYTE MEMBYTE"
# (decimal, decimal, two hex digits each) read from FILE and from
# /proc/PID/mem; ADDR 0 and MEMBYTE "--" when that offset is not mapped.
# A uprobe shows as MEMBYTE cc where FILEBYTE is not.
text_bytes() {
	python3 - "$@" <<'PY'
import os, sys
pid, path = sys.argv[1], os.path.realpath(sys.argv[2])
ino = str(os.stat(path).st_ino)
maps = []
with open(f"/proc/{pid}/maps") as f:
    for line in f:
        x = line.split(maxsplit=5)
        if len(x) == 6 and (x[5].rstrip("\n") == path or x[4] == ino):
            lo, hi = (int(v, 16) for v in x[0].split("-"))
            maps.append((lo, hi, int(x[2], 16)))
with open(path, "rb") as fb, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for arg in sys.argv[3:]:
        off = int(arg, 0)
        fb.seek(off)
        fbyte = fb.read(1).hex() or "--"
        addr, mbyte = 0, "--"
        for lo, hi, moff in maps:
            if moff <= off < moff + (hi - lo):
                addr = lo + off - moff
                mem.seek(addr)
                mbyte = mem.read(1).hex()
                break
        print(off, addr, fbyte, mbyte)
PY
}

# changed_bytes FILE: how many lines of text_bytes output FILE show
# another byte in memory than in the binary (an unmapped offset counts)
changed_bytes() { awk '$3 != $4' "$1" | wc -l; }
# int3_bytes FILE: how many show an int3 the binary does not have there
int3_bytes() { awk '$4 == "cc" && $3 != "cc"' "$1" | wc -l; }

# last_cycle FILE: the last "cycle K" a gosched --loop printed, 0 if none
last_cycle() {
	local k
	k=$(sed -n 's/^cycle //p' "$1" | tail -1)
	echo "${k:-0}"
}
# cycles_past FILE K: gosched printed a cycle after K
cycles_past() { [ "$(last_cycle "$1")" -gt "$2" ]; }

# ---- helpers of the reliability cases (30-privilege, 31-faults, 32-nlfuzz)

# skip DESC: a check this VM or kernel cannot make. Printed as
# "skip - DESC": check.sh counts it neither as passed nor as failed.
skip() { echo "skip - $*"; }

# nsessions: the number of sessions the module lists.
nsessions() {
	"$ctl" sessions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))'
}

# wait_bg SECONDS PID: wait for a background job of this shell, at most
# SECONDS; then SIGKILL it. Returns its status, 124 when it was killed.
wait_bg() {
	local end=$((SECONDS + $1)) pid=$2
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$end" ]; then
			kill -9 "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 124
		fi
		sleep 0.1
	done
	wait "$pid"
}

# kaddr_text: read text on stdin and print every token that could be a
# kernel address: a decimal number in [0xffff800000000000, 2^64 - 4096)
# or any run of 16 hex digits (godiag prints neither, and %p's hashed
# pointers are 16 hex digits too). Fails when it printed something.
kaddr_text() {
	python3 -c '
import re, sys
lo, hi = 0xffff800000000000, (1 << 64) - 4096
bad = []
for line in sys.stdin:
    for t in re.findall(r"(?<![0-9])[0-9]{17,20}(?![0-9])", line):
        if lo <= int(t) < hi:
            bad.append(t)
    bad += re.findall(r"(?i)(?<![0-9a-f])(?:0x)?[0-9a-f]{16}(?![0-9a-f])", line)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)'
}

# kaddr_raw: read "raw HEX" lines (nlraw send --raw) on stdin and print
# "message N offset O value V" for every 8-byte little-endian value at a
# 4-byte aligned offset after the netlink and genetlink headers that lies
# in [0xffff800000000000, 2^64 - 4096). Fails when it printed something;
# also when there was no raw line at all.
kaddr_raw() {
	python3 -c '
import struct, sys
lo, hi = 0xffff800000000000, (1 << 64) - 4096
n = bad = 0
for line in sys.stdin:
    if not line.startswith("raw "):
        continue
    b = bytes.fromhex(line[4:].strip())
    for off in range(20, len(b) - 7, 4):
        v = struct.unpack_from("<Q", b, off)[0]
        if lo <= v < hi:
            print(f"message {n} offset {off} value {v:#x}")
            bad += 1
    n += 1
sys.exit(1 if bad or not n else 0)'
}

# capscan FILE: read a capture file's records directly (not through
# godiagctl) and print one JSON object:
#   complete        the END section is there
#   records         records in RECORDS sections (LOST markers included)
#   end_records     the count the END section gives
#   by_type, by_cpu records per type number and per hdr.cpu (string keys)
#   bad             records whose size is not a multiple of 8 in 32..4096
#                   or runs past its section
#   kaddr           ["offset O value V", ...]: 8-byte words of records (O
#                   in their section) in [0xffff800000000000, 2^64 - 4096)
#   dirty           ["type T: what", ...]: reserved fields not zero, unknown
#                   header flags, unused fields of goroutine records set
#   exits           [[tgid, exit_code], ...] of TARGET_EXIT records
#   stats           [{cpu, written, lost, bytes, kernel_read, read,
#                    lost_marked}, ...] from the STATS section
capscan() {
	python3 - "$1" <<'PY'
import json, re, struct, sys
lo, hi = 0xffff800000000000, (1 << 64) - 4096
d = open(sys.argv[1], "rb").read()
out = dict(complete=False, records=0, end_records=None, by_type={}, by_cpu={},
           bad=0, kaddr=[], dirty=[], exits=[], stats=[])
magic, _ver, hsize = struct.unpack_from("<8sII", d, 0)
if magic != b"GODIAGCF":
    sys.exit("not a capture file")
off = hsize
GO = range(3, 8)
ZERO4 = bytes(4)
unpack_hdr = struct.Struct("<HHHHI").unpack_from
kre = re.compile(rb"(?=[\x80-\xff]\xff\xff)", re.S)
while off + 16 <= len(d):
    typ, _fl, length = struct.unpack_from("<IIQ", d, off)
    body, end = off + 16, off + 16 + length
    if end > len(d):
        out["bad"] += 1
        break
    if typ == 3:                                    # RECORDS
        # Kernel-address words first, with a regex over the section: the
        # top two bytes 0xffff, the next at least 0x80 (8-byte aligned:
        # records start aligned). The top 4 KiB (-errno) do not count.
        for m in kre.finditer(d, body, end):
            w = m.start() - 5
            if (w - body) % 8 == 0:
                v = struct.unpack_from("<Q", d, w)[0]
                if lo <= v < hi and len(out["kaddr"]) < 20:
                    out["kaddr"].append(f"offset {w - body} value {v:#x}")
        p = body
        by_type, by_cpu = out["by_type"], out["by_cpu"]
        while p + 32 <= end:
            t, size, flags, cpu, tgid = unpack_hdr(d, p)
            if size < 32 or size % 8 or size > 4096 or p + size > end:
                out["bad"] += 1
                break
            out["records"] += 1
            by_type[t] = by_type.get(t, 0) + 1
            by_cpu[cpu] = by_cpu.get(cpu, 0) + 1
            if flags & ~3:
                out["dirty"].append(f"type {t}: header flags {flags:#x}")
            if t == 2:
                if size >= 64 and d[p + 60:p + 64] != ZERO4:
                    out["dirty"].append("syscall: reserved")
            elif t in GO and size >= 72:
                g, other, pc, spc, reason, res = struct.unpack_from("<QQQQII", d, p + 32)
                if res:
                    out["dirty"].append(f"type {t}: reserved")
                # CREATE uses every field, READY goid and other, PARK goid
                # and reason, START and EXIT goid only.
                unused = {3: [], 4: [other, pc, spc, reason], 5: [other, pc, spc],
                          6: [pc, spc, reason], 7: [other, pc, spc, reason]}[t]
                if any(unused):
                    out["dirty"].append(f"type {t}: unused fields set")
            elif t == 9 and size >= 40:
                code, res = struct.unpack_from("<II", d, p + 32)
                out["exits"].append([tgid, code])
                if res:
                    out["dirty"].append("target exit: reserved")
            p += size
    elif typ == 5 and length >= 16:                 # STATS
        n, esz = struct.unpack_from("<II", d, body)
        for i in range(n):
            e = body + 16 + i * esz
            if e + 56 > end:
                break
            c = struct.unpack_from("<IIQQQQQQ", d, e)
            out["stats"].append(dict(zip(("cpu", "written", "lost", "bytes", "kernel_read",
                                          "read", "lost_marked"), (c[0],) + c[2:])))
    elif typ == 6 and length >= 32:                 # END
        out["complete"] = True
        out["end_records"] = struct.unpack_from("<Q", d, body + 16)[0]
    off = body + ((length + 7) & ~7)
out["by_type"] = {str(k): v for k, v in out["by_type"].items()}
out["by_cpu"] = {str(k): v for k, v in out["by_cpu"].items()}
out["dirty"] = sorted(set(out["dirty"]))
print(json.dumps(out))
PY
}

# pick_prog PROG...: the first of these programs of build/progs that is
# built (the first named when none is)
pick_prog() {
	local p
	for p in "$@"; do
		[ -x "$progs/$p" ] && { echo "$progs/$p"; return; }
	done
	echo "$progs/$1"
}

# probe_offsets INSPECT.json: the file offsets of the probes `godiagctl
# inspect --json` lists, on one line
probe_offsets() {
	jget "$1" "' '.join(str(p['offset']) for p in d['goroutines']['probes'])"
}

# go_probe_specs INSPECT.json: one line per probe that `godiagctl inspect
# --json` lists, holding the nlraw attributes of its PROBE_ADD (kind,
# offset, its function's offset, registers, jump condition, Go layout),
# the path and pid not included.
go_probe_specs() {
	python3 - "$1" <<'PY'
import json, struct, sys
d = json.load(open(sys.argv[1]))["goroutines"]
regs = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
kinds = {"create": 1, "start": 2, "park": 3, "ready": 4, "exit": 5}
l = d["layout"]
lay = struct.pack("<8H", l["goid"], l["parent_goid"], l["gopc"], l["startpc"], 0, 0, 0, 0).hex()
for p in d["probes"]:
    a = [f"probe-kind:u32:{kinds[p['kind']]}", f"probe-offset:u64:{p['offset']}",
         f"probe-func-offset:u64:{p['func_offset']}"]
    if p.get("arg_reg"):
        a.append(f"probe-arg-reg:u8:{regs.index(p['arg_reg'])}")
    if p.get("g_reg"):
        a.append(f"probe-g-reg:u8:{regs.index(p['g_reg'])}")
    if p.get("jcc", -1) >= 0:
        a.append(f"probe-jcc:u8:{p['jcc']}")
    a.append(f"go-layout:hex:{lay}")
    print(" ".join(a))
PY
}

# go_probes_add SESSION PID BINARY: place every probe of BINARY (Go) for
# target PID of SESSION with raw PROBE_ADD requests; prints how many the
# module accepted.
go_probes_add() {
	local sid=$1 pid=$2 bin n=0 spec
	bin=$(readlink -f "$3")
	"$ctl" inspect --json "$bin" >"$work/probes-inspect.json" || return 1
	while read -r spec; do
		# shellcheck disable=SC2086 # one attribute per word
		"$progs/nlraw" send probe-add session-id:u32:"$sid" pid:u32:"$pid" \
			probe-path:str:"$bin" $spec | grep -q '^errno=0 ' && n=$((n + 1))
	done < <(go_probe_specs "$work/probes-inspect.json")
	echo "$n"
}

# probe_hits SESSION: the sum of probe-hits over the probes of SESSION.
probe_hits() {
	"$progs/nlraw" send --dump --show probes session-id:u32:"$1" |
		sed -n 's/.* probe-hits=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }'
}
