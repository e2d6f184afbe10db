# shellcheck shell=bash source-path=SCRIPTDIR
# Goroutine tracing against gosched (tests/progs/go/gosched), whose
# goroutines, parks and writes are known exactly, for the Go versions and
# build kinds tests/matrix gives this kernel; a non-Go target; a binary
# whose recovered facts disagree; a started command; detach and re-attach;
# a target that exits mid-capture; a target that forks and execs; probes on
# the jump of the stack check.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
module_load
cap=$work/cap
N=10

# ---- godiagctl's JSON key names, all in one place -------------------
# report --json: d[R_GO] holds the goroutine section.
R_GO=goroutines
R_CREATED=created          # goroutines created in the window (also per group)
R_EXITED=exited            # goroutines that exited in the window
R_BY_START=by_start        # [{R_FUNC, R_CREATED}] by start function
R_BY_CREATOR=by_creator    # [{R_FUNC, R_CREATED}] by function of the go statement
R_FUNC=function
R_BLOCKED=blocked          # [{R_REASON, R_COUNT}] parks by wait reason
R_REASON=reason
R_COUNT=count
R_LIST=list                # one row per goroutine seen
R_GOID=goroutine
R_PID=pid
R_START=start              # start function name
R_SYSCALLS=syscalls        # syscalls of that goroutine (here: writes only)
# inspect --json: the probe list and each probe's link-time address and
# file offset.
I_PROBES="d['goroutines']['probes']"
I_VADDR=vaddr
I_OFFSET=offset

# Under TCG every python3 start takes about a second: one run reads all a
# report's values the checks need.
# gvals REPORT.json [GT.json]: into the array V,
#   by_start:F, by_creator:F   created count of function F (0 if absent)
#   main_funcs                 the main.* start functions, sorted
#   blocked:R                  parks with wait reason R (0 if absent)
#   rows:F                     sorted syscall counts of F's rows
#   row_pids                   sorted pids of the rows of main.* goroutines
#   rows, row_ids              number of rows, of distinct (pid, goid)
#   created, exited, lost, processes (the pids of d['processes'])
#   gt:created, gt:mutex, gt:exec   from gosched's own JSON, when given
declare -A V
gvals() {
	V=()
	python3 - "$1" "${2:-}" >"$work/vals" 2>"$work/vals.err" <<PY || return 1
import json, sys
d = json.load(open(sys.argv[1]))
g = d['$R_GO']
out = {}
for grp in ('$R_BY_START', '$R_BY_CREATOR'):
    for x in g[grp]:
        k = grp + ':' + x['$R_FUNC']
        out[k] = out.get(k, 0) + x['$R_CREATED']
out['main_funcs'] = sorted(x['$R_FUNC'] for x in g['$R_BY_START'] if x['$R_FUNC'].startswith('main.'))
for x in g['$R_BLOCKED']:
    k = 'blocked:' + x['$R_REASON']
    out[k] = out.get(k, 0) + x['$R_COUNT']
rows = g['$R_LIST']
for f in set(r['$R_START'] for r in rows if r['$R_START']):
    out['rows:' + f] = sorted(r['$R_SYSCALLS'] for r in rows if r['$R_START'] == f)
out['row_pids'] = sorted(set(r['$R_PID'] for r in rows if (r['$R_START'] or '').startswith('main.')))
out['rows'] = len(rows)
out['row_ids'] = len(set((r['$R_PID'], r['$R_GOID']) for r in rows))
out['created'] = g['$R_CREATED']
out['exited'] = g['$R_EXITED']
out['lost'] = d['events']['lost']
out['processes'] = [p['pid'] for p in d.get('processes', [])]
if sys.argv[2]:
    t = json.load(open(sys.argv[2]))
    out['gt:created'] = t['created']
    out['gt:mutex'] = t['reasons']['main.mutexWorker']
    out['gt:exec'] = t['exec_status']
for k, v in out.items():
    print(k + '\t' + str(v))
PY
	local k val
	while IFS=$'\t' read -r k val; do
		V[$k]=$val
	done <"$work/vals"
}
# v KEY [DEFAULT]: a value of gvals (DEFAULT, else 0, when absent)
v() {
	echo "${V[$1]-${2:-0}}"
}
# The wait reason of a goroutine blocked on a sync.Mutex
# (runtime/sema.go: sync_runtime_SemacquireMutex).
mutex_reason() {
	case $1 in
	1.19) echo semacquire ;;
	*) echo sync.Mutex.Lock ;;
	esac
}
# probe_bytes PID BINARY: text_bytes at the probe offsets of $work/inspect.json
probe_bytes() {
	# shellcheck disable=SC2086 # one argument per offset
	text_bytes "$1" "$2" $offsets >"$work/text"
}
# text_intact PID BINARY: every probed byte is the file's
text_intact() {
	probe_bytes "$1" "$2" && [ "$(changed_bytes "$work/text")" = 0 ]
}
# probes_set PID BINARY: an int3 at every probe
probes_set() {
	probe_bytes "$1" "$2" && [ "$(int3_bytes "$work/text")" = "$nprobes" ]
}

# Start functions of gosched, and the write(2) calls each of their
# goroutines makes (main.sleepWorker: see check_gosched).
kinds="main.spawner:2 main.chanRecvWorker:3 main.selectWorker:4 main.mutexWorker:5
main.sleepWorker:6 main.netWorker:7"

# check_by_start NAME N: the start functions and creators of one gosched
# phase of N goroutines per kind, seen from its beginning (values: gvals).
check_by_start() {
	local name=$1 n=$2 kv f want
	for kv in $kinds; do
		f=${kv%%:*}
		want=$n
		[ "$f" = main.spawner ] && want=1
		check_eq "$name: by_start $f" "$want" "$(v "$R_BY_START:$f")"
	done
	# Any other main.* start function would be a go statement's wrapper
	# (main.main.func1, main.main.gowrap1): gosched has none.
	check_eq "$name: by_start has no other main.* function" \
		"['main.chanRecvWorker', 'main.mutexWorker', 'main.netWorker', 'main.selectWorker', 'main.sleepWorker', 'main.spawner']" \
		"$(v main_funcs)"
	# The go statements of the spawner and of the select, mutex, sleep and
	# net workers are in main.main itself; the chanRecv workers' in
	# main.spawner.
	check_eq "$name: by_creator main.main" $((4 * n + 1)) "$(v "$R_BY_CREATOR:main.main")"
	check_eq "$name: by_creator main.spawner" "$n" "$(v "$R_BY_CREATOR:main.spawner")"
}

# check_gosched NAME REPORT.json GT.json PID GOVERSION: a capture of one
# gosched --wait-signal phase, attached before the SIGUSR1.
check_gosched() {
	local name=$1 r=$2 gt=$3 pid=$4 ver=$5 kv f k c mr
	if ! gvals "$r" "$gt"; then
		not_ok "$name: cannot read the report: $(tail -1 "$work/vals.err")"
		return
	fi
	check_by_start "$name" "$N"
	# created/exited: exactly the workload's 5N+1 goroutines. GC is off in
	# the phase, so no GC worker starts; the runtime's other goroutines
	# (sweeper, scavenger, forcegc, finalizer, signal watcher, sigM) were
	# created before the window and none exits; os/exec, net and
	# runtime.Stack start none; main waits until every worker is past
	# runtime.goexit1 (NumGoroutine back to its value) before it exits.
	check_eq "$name: goroutines created" $((5 * N + 1)) "$(v created)"
	check_eq "$name: goroutines exited" $((5 * N + 1)) "$(v exited)"
	check_eq "$name: the workload agrees (created)" $((5 * N + 1)) "$(v gt:created)"

	# Parks. "select": the N select workers only. Nothing else selects in
	# the window: main never parks (it spins with runtime.Gosched), and
	# runtime.ensureSigM's goroutine, the only other select, runs only
	# when signal.Notify changes the mask, which gosched does before the
	# handshake. The other reasons are at least N; gosched's analysis (and
	# a native check of every gopark) has them exactly N too, except that
	# the scavenger may add "sleep".
	check_eq "$name: blocked select" "$N" "$(v blocked:select)"
	check_ge "$name: blocked chan receive" "$N" "$(v "blocked:chan receive")"
	mr=$(mutex_reason "$ver")
	check_eq "$name: the runtime names the mutex wait $mr" "$mr" "$(v gt:mutex)"
	check_ge "$name: blocked $mr" "$N" "$(v "blocked:$mr")"
	check_ge "$name: blocked sleep" "$N" "$(v blocked:sleep)"
	check_ge "$name: blocked IO wait" "$N" "$(v "blocked:IO wait")"

	# Per goroutine: the capture keeps write(2) only, and each goroutine
	# writes K times to /dev/null with syscall.Write (no poll.FD lock, no
	# other write on it). The runtime itself may write once to the
	# netpoller's wake-up fd (netpollBreak) on the thread of a goroutine:
	# a sleep worker's time.Sleep often does, while it parks; rarely,
	# another goroutine's thread hands off a P that holds a timer (the
	# scavenger's) during one of its writes. So K or K+1 per goroutine,
	# and K+1 outside the sleep workers at most twice per capture.
	local extra=0 n
	for kv in $kinds; do
		f=${kv%%:*}
		k=${kv#*:}
		n=$N
		[ "$f" != main.spawner ] || n=1
		c=$(v "rows:$f" '[]')
		check_match "$name: rows of $f: $n with $k writes (or $((k + 1)))" \
			"^\[($k|$((k + 1)))(, ($k|$((k + 1)))){$((n - 1))}\]\$" "$c"
		[ "$f" = main.sleepWorker ] ||
			extra=$((extra + $(grep -o "\b$((k + 1))\b" <<<"$c" | wc -l)))
	done
	check_range "$name: writes of the runtime outside time.Sleep: at most 2" 0 2 "$extra"
	check_eq "$name: rows of gosched's goroutines are all in its process" "[$pid]" "$(v row_pids)"
	check_eq "$name: goroutine ids of the rows are unique" "$(v rows)" "$(v row_ids)"
	check_eq "$name: nothing lost" 0 "$(v lost)"
}

# attach_gosched NAME BINARY CAPTURE-OPTIONS... -- GOSCHED-OPTIONS...:
# start gosched --wait-signal --json -n N, capture it, release it, wait
# for both; leaves $pid, $rep (the report) and $gtj (its ground truth).
# Returns 1 (after saying why) when there is nothing to check.
attach_gosched() {
	local name=$1 b=$2 copts=() st
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		copts+=("$1")
		shift
	done
	shift
	rep=$cap.$name.json
	gtj=$work/gt.$name.json
	if [ ! -x "$b" ]; then
		not_ok "$name: $b is not built (make -C tests/progs go-all)"
		return 1
	fi
	start_gt pid "$b" --wait-signal --json -n "$N" "$@"
	capture_bg "$cap.$name" -p "$pid" "${copts[@]}"
	if ! wait_running 1; then
		not_ok "$name: capture did not start: $(head -c 300 "$cap.$name.err")"
		kill "$pid" "$cap_pid" 2>/dev/null
		wait "$pid" "$cap_pid"
		return 1
	fi
	kill -USR1 "$pid"
	check "$name: capture ends by itself when the target exits" wait "$cap_pid"
	wait "$pid"
	st=$?
	check_eq "$name: gosched exit status" 0 "$st"
	# (a Go runtime crash exits 2: its message says what broke)
	[ "$st" = 0 ] || sed 's/^/#   /' "$gt_out" | grep -v '^#   {' | tail -n 40
	grep '^{' "$gt_out" >"$gtj"
	if ! "$ctl" report --json "$cap.$name" >"$rep" 2>"$work/report.err"; then
		not_ok "$name: report --json failed: $(head -c 300 "$work/report.err")"
		return 1
	fi
	ok "$name: report --json"
	check_eq "$name: text and JSON of the report agree" none \
		"$(report_differences "$cap.$name" "$rep")"
}

# ---- a. the Go versions and build kinds of this kernel ---------------
# (tests/matrix: make check spreads them over the kernels, check-full runs
# every one everywhere)
mapfile -t builds < <(go_builds gosched)
check_ge "a: the test matrix gives this kernel Go builds" 1 "${#builds[@]}"
for gb in "${builds[@]}"; do
	read -r ver kind b <<<"$gb"
	name=go$ver-$kind
	attach_gosched "$name" "$b" --goroutines --syscalls --syscall write -- || continue
	check_gosched "$name" "$rep" "$gtj" "$pid" "$ver"
done

# script and export on the last of these real captures: script prints each
# record once (all but the loss markers are the report's recorded events),
# and the Perfetto trace is valid JSON, its slices nested and ordered per
# track, its goroutine tracks and their running, runnable and blocked
# totals those of report --json, its create arrows from parent to child
# (tests/unit/check_perfetto.py).
if [ -s "$cap.${name:-}" ] && [ -s "$rep" ]; then
	check "a: $name: script --json reads the capture" "$ctl" script --json "$cap.$name"
	cp "$work/out" "$work/script.jsonl"
	check_eq "a: $name: script prints every recorded event once" \
		"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"]["recorded"])' "$rep")" \
		"$(grep -vc '"kind":"lost"' "$work/script.jsonl")"
	check "a: $name: export --format perfetto" \
		"$ctl" export "$cap.$name" --format perfetto -o "$work/trace.json"
	check "a: $name: the trace is valid and agrees with report --json" \
		python3 "$repo/tests/unit/check_perfetto.py" "$work/trace.json" "$rep"
	sed 's/^/#   /' "$work/out" | tail -n 1
	# The same trace in Perfetto's protobuf format, decoded by protoc:
	# the JSON's events, begin/end paired, names resolved, report's totals
	# (tests/unit/check_perfetto_proto.py).
	check "a: $name: export --format perfetto-proto" \
		"$ctl" export "$cap.$name" --format perfetto-proto -o "$work/trace.pftrace"
	check "a: $name: the protobuf trace is the JSON's and agrees with report --json" \
		python3 "$repo/tests/unit/check_perfetto_proto.py" "$work/trace.pftrace" "$rep" \
		"$work/trace.json"
	sed 's/^/#   /' "$work/out" | tail -n 1
	# The Go execution trace of the same capture: Go 1.26's own trace
	# parser reads it (tracecheck runs its `go tool trace -d=parsed` and
	# profiles), its goroutines, creations (with start functions), exits,
	# blocks by reason and syscalls, also per goroutine, are report
	# --json's, and its counts are gosched's ground truth: 5N+1 created
	# and exited, N parks on select and at least N on chan receive, sync
	# (the mutex), sleep and network (IO wait), as Go's tracer names them.
	check "a: $name: export --format gotrace" \
		"$ctl" export "$cap.$name" --format gotrace -o "$work/trace.out"
	sed 's/^/#   /' "$work/out"
	check "a: $name: Go 1.26's trace parser reads the gotrace export; it agrees with report --json" \
		"$progs/tracecheck" -tool "$progs/trace-go1.26" "$work/trace.out" "$rep"
	grep '^{' "$work/out" >"$work/gotrace.json" || true
	sed 's/^/#   /' "$work/gotrace.json"
	check_eq "a: $name: the Go trace has gosched's ground truth" \
		"created $((5 * N + 1)) exited $((5 * N + 1)) select $N chan 1 sync 1 sleep 1 network 1" \
		"$(python3 -c '
import json, sys
t, n = json.load(open(sys.argv[1])), int(sys.argv[2])
b = t["blocks"]
print("created %d exited %d select %d" % (t["created"], t["exited"], b.get("select", 0)),
      " ".join("%s %d" % (k, b.get(r, 0) >= n) for k, r in
               (("chan", "chan receive"), ("sync", "sync"), ("sleep", "sleep"), ("network", "network"))))
' "$work/gotrace.json" "$N" 2>&1)"
fi

# report's filters on the same real capture: the time line of the
# goroutine that ran longest adds up to its row (running, runnable and
# blocked time, its syscalls) and names only it; in a window (the middle
# half of that time line) no goroutine has more time than the window, and
# its time line lies inside the window and adds up to its row there;
# --top 3 lists 3 goroutines; --syscall write keeps write's row alone,
# with report --json's count.
if [ -s "$cap.${name:-}" ] && [ -s "$rep" ]; then
	read -r g gpid < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["goroutines"]["list"][0]
print(r["goroutine"], r["pid"])' "$rep")
	fr=("$work/tl.json" "$work/win.json" "$work/tlw.json" "$work/top.json" "$work/write.json")
	{
		"$ctl" report --json --goroutine "$g" --pid "$gpid" "$cap.$name" >"${fr[0]}"
		read -r since until < <(python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))["goroutine"]["intervals"]
a, b = i[0]["from_ns"], max(x["to_ns"] for x in i)
print(a + (b - a) // 4, a + (b - a) * 3 // 4)' "${fr[0]}")
		"$ctl" report --json --since "${since}ns" --until "${until}ns" "$cap.$name" \
			>"${fr[1]}"
		"$ctl" report --json --goroutine "$g" --pid "$gpid" --since "${since}ns" \
			--until "${until}ns" "$cap.$name" >"${fr[2]}"
		"$ctl" report --json --top 3 "$cap.$name" >"${fr[3]}"
		"$ctl" report --json --syscall write "$cap.$name" >"${fr[4]}"
	} 2>"$work/f.err"
	sed 's/^/#   /' "$work/f.err"
	check_eq "a: $name: report --goroutine, --since/--until, --top, --syscall agree with the report" none \
		"$(python3 - "$rep" "${fr[@]}" "$since" "$until" <<'PY' 2>&1
import json, sys
rep, tl, win, tlw, top, wr = (json.load(open(f)) for f in sys.argv[1:7])
since, until = int(sys.argv[7]), int(sys.argv[8])
out = []
def adds_up(what, t, row):
    for state in ("running", "runnable", "blocked"):
        total = sum(i["duration_ns"] for i in t["intervals"] if i["state"] == state)
        if total != row[state + "_ns"]:
            out.append(f"{what}: {state}: intervals {total}, row {row[state + '_ns']}")
    n = sum(1 for i in t["intervals"] if i["state"] == "syscall")
    if n != row["syscalls"]:
        out.append(f"{what}: syscall intervals {n}, row {row['syscalls']}")
row = rep["goroutines"]["list"][0]
t = tl["goroutine"]
if (t["goroutine"], t["pid"]) != (row["goroutine"], row["pid"]):
    out.append(f"time line of {t['goroutine']}, not {row['goroutine']}")
adds_up("whole", t, row)
rows = win["goroutines"]["list"]
over = [r["goroutine"] for r in rows
        if r["running_ns"] + r["runnable_ns"] + r["blocked_ns"] > until - since]
if over:
    out.append(f"window: goroutines {over[:5]} have more time than the window")
wrow = [r for r in rows if (r["goroutine"], r["pid"]) == (row["goroutine"], row["pid"])]
if len(wrow) != 1:
    out.append(f"window: goroutine {row['goroutine']} is {len(wrow)} rows")
else:
    adds_up("window", tlw["goroutine"], wrow[0])
bad = [i for i in tlw["goroutine"]["intervals"]
       if i["from_ns"] < since or i["to_ns"] > until or i["from_ns"] > i["to_ns"]]
if bad:
    out.append(f"window: {len(bad)} intervals outside [{since}, {until}]: {bad[:2]}")
want = min(3, rep["goroutines"]["seen"])
if len(top["goroutines"]["list"]) != want or len(top["syscalls"]) > 3:
    out.append(f"--top 3: {len(top['goroutines']['list'])} goroutines, "
               f"{len(top['syscalls'])} syscalls")
w = [s["count"] for s in rep["syscalls"] if s["name"] == "write"]
if [(s["name"], s["count"]) for s in wr["syscalls"]] != [("write", c) for c in w]:
    out.append(f"--syscall write: {wr['syscalls']}")
print("; ".join(out) or "none")
PY
)"
fi

# ---- b. a program that is not Go -------------------------------------
start_gt pid "$progs/gt_syscalls" --wait-signal getpid 1
# (timeout: should it attach, it would wait for the target forever)
check_status "--goroutines on a C program exits 1" 1 \
	timeout 120 "$ctl" capture -p "$pid" --goroutines -o "$cap.c"
check_eq "non-Go target: a one-line message" 1 "$(grep -c '' "$work/out")"
check_match "non-Go target: the message says so" "not a Go program" "$(cat "$work/out")"
kill -USR1 "$pid"
wait "$pid"
check_eq "no session left behind" 0 \
	"$("$ctl" sessions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')"

# ---- b2. a binary whose recovered facts disagree ----------------------
# gosched-go1.26-stripped with one byte changed: the displacement of
# "cmp qword [gp+goid], 1" in runtime.printcreatedby (gp.goid != 1) now
# points 8 bytes further. Without DWARF, godiagctl recovers g.goid from
# newproc1 (twice) and from that instruction; they no longer agree, so the
# capture is refused with g.goid named, never traced with a wrong offset.
# The program itself still runs: printcreatedby only prints tracebacks.
b=$progs/gosched-go1.26-stripped
patched=$work/gosched-goid-patched
if "$ctl" inspect --json --func runtime.printcreatedby "$b" >"$work/p.json" 2>"$work/p.err" &&
	python3 - "$b" "$work/p.json" "$patched" <<'PY'
import json, re, struct, sys
d = json.load(open(sys.argv[2]))
goid = [f['value'] for f in d['goroutines']['facts'] if f['name'] == 'g.goid'][0]
f = d['func']
data = bytearray(open(sys.argv[1], 'rb').read())
lo, hi = f['offset'], f['offset'] + f['end'] - f['entry']
# rex.w 83 /7 disp32 imm8: cmp qword [reg+disp32], 1
hits = [m.start() for m in re.finditer(re.escape(b'\x48\x83') + b'[\xb8-\xbf]' +
        re.escape(struct.pack('<I', goid) + b'\x01'), bytes(data[lo:hi]))]
if len(hits) != 1:
    sys.exit('%d matches of cmp [gp+%d], 1 in printcreatedby' % (len(hits), goid))
struct.pack_into('<I', data, lo + hits[0] + 3, goid + 8)
open(sys.argv[3], 'wb').write(data)
PY
then
	chmod +x "$patched"
	"$ctl" inspect --json "$patched" >"$work/p2.json"
	check_match "patched: inspect says goroutine tracing is unavailable, g.goid named" \
		"^False .*g\.goid is not certain" \
		"$(jget "$work/p2.json" "str(d['goroutines']['supported']) + ' ' + d['goroutines'].get('error', '')")"
	start_gt pid "$patched" --wait-signal -n 1
	check_status "patched: capture --goroutines exits 1" 1 \
		timeout 120 "$ctl" capture -p "$pid" --goroutines -o "$cap.patched"
	check_eq "patched: a one-line message" 1 "$(grep -c '' "$work/out")"
	check_match "patched: the message names g.goid" "g\.goid is not certain" "$(cat "$work/out")"
	kill -USR1 "$pid"
	wait "$pid"
	check_eq "patched: the program still runs to the end" 0 $?
	check_eq "patched: no session left behind" 0 \
		"$("$ctl" sessions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')"
else
	not_ok "patched: cannot make the patched copy: $(cat "$work/p.err")"
fi

# ---- c. a command started by godiagctl -------------------------------
# Traced from its exec: the runtime's start-up goroutines are in the
# window too, so only the start functions and creators are exact.
b=$progs/gosched-go1.23-pie
check "capture --goroutines -- gosched -n 5" \
	"$ctl" capture --goroutines -o "$cap.cmd" -- "$b" -n 5
if report "$cap.cmd" && gvals "$cap.cmd.json"; then
	check_by_start "started command" 5
	check_eq "started command: nothing lost" 0 "$(v lost)"
else
	not_ok "started command: report --json failed"
fi

# ---- d. detach and re-attach -----------------------------------------
# After each capture the probed instructions in the target's text are
# the file's again (the kernel puts an int3 there while attached), the
# target keeps working, and it exits 0 at SIGTERM. The captures last 4 s
# rather than 2 s: under TCG the poll that sees the session running
# (wait_running) and the one that reads the text can take a second each.
for b in "$progs/gosched-go1.19" "$progs/gosched-go1.23-pie"; do
	name=$(basename "$b")
	if [ ! -x "$b" ]; then
		not_ok "$name: $b is not built (make -C tests/progs go-all)"
		continue
	fi
	if ! "$ctl" inspect --json "$b" >"$work/inspect.json" 2>"$work/inspect.err"; then
		not_ok "$name: inspect --json failed: $(head -c 300 "$work/inspect.err")"
		continue
	fi
	read -r pie offsets <<<"$(jget "$work/inspect.json" \
		"str(d['pie']) + ' ' + ' '.join(str(p['$I_OFFSET']) for p in $I_PROBES)")"
	nprobes=$(echo "$offsets" | wc -w)
	check_ge "$name: inspect lists the probes" 5 "$nprobes"

	start_gt pid "$b" --wait-signal --hold --loop -n 5
	out=$gt_out
	kill -USR1 "$pid"
	check "$name: --loop completes cycles" wait_for grep -q '^cycle ' "$out"
	check "$name: probed bytes are the file's before attaching" text_intact "$pid" "$b"
	# The address of each probe (where its file offset is mapped) minus
	# its link-time address: one load bias, 0 unless PIE.
	bias=$(python3 -c "import json,sys; d=json.load(open(sys.argv[2]))
v = [p['$I_VADDR'] for p in $I_PROBES]
a = [int(l.split()[1]) for l in open(sys.argv[1])]
print(' '.join(sorted(set(str(x - y) for x, y in zip(a, v)))))" "$work/text" "$work/inspect.json")
	check_match "$name: one load bias for every probe" '^-?[0-9]+$' "$bias"
	if [ "$pie" = True ]; then
		[[ $bias =~ ^[0-9]+$ ]] && [ "$bias" -gt 0 ] && [ $((bias % 4096)) = 0 ] && c=yes || c=$bias
		check_eq "$name: PIE load bias is positive and page-aligned" yes "$c"
	else
		check_eq "$name: load bias 0" 0 "$bias"
	fi

	for round in 1 2; do
		# Stopped by SIGINT, not --duration: a short capture can start
		# and end between two polls of a loaded TCG guest.
		capture_bg "$cap.d$round" -p "$pid" --goroutines
		if ! wait_running 1; then
			not_ok "$name: capture $round did not start: $(head -c 300 "$cap.d$round.err")"
			kill "$cap_pid" 2>/dev/null
			wait "$cap_pid"
			continue
		fi
		wait_for_s=20 wait_for probes_set "$pid" "$b"
		check_eq "$name: capture $round: int3 at every probe while attached" "$nprobes" \
			"$(int3_bytes "$work/text")"
		sleep 1
		kill -INT "$cap_pid"
		check "$name: capture $round ends at SIGINT" wait "$cap_pid"
		# (a little time for a teardown the module might finish late)
		wait_for_s=10 wait_for text_intact "$pid" "$b"
		check_eq "$name: capture $round: no breakpoint left in the text" 0 \
			"$(changed_bytes "$work/text")"
		if report "$cap.d$round" && gvals "$cap.d$round.json"; then
			check_ge "$name: capture $round saw goroutines created" 1 "$(v created)"
			check_eq "$name: capture $round: nothing lost" 0 "$(v lost)"
		else
			not_ok "$name: capture $round: report --json failed"
		fi
	done

	c=$(last_cycle "$out")
	check "$name: still cycling after the captures (past cycle $c)" \
		wait_for eval "[ \"\$(last_cycle '$out')\" -gt $c ]"
	check "$name: still alive" kill -0 "$pid"
	kill -TERM "$pid"
	wait "$pid"
	check_eq "$name: exit status 0 at SIGTERM" 0 $?
done

# ---- e. a target that exits mid-capture ------------------------------
# --duration far beyond the program's life: the capture ends when the
# target exits, with the whole phase in it.
t0=$SECONDS
if attach_gosched exits-early "$progs/gosched-go1.22" \
	--goroutines --syscalls --syscall write --duration 10m --; then
	check_range "exits-early: the capture ended with the target, not after 10 min" \
		0 300 $((SECONDS - t0))
	check_gosched exits-early "$rep" "$gtj" "$pid" 1.22
fi

# ---- e. a target that forks and execs --------------------------------
# gosched runs /bin/true with os/exec at the start of the phase (no
# goroutine, no park: the wait is a blocking waitid). The child is not
# followed; the Go parent's counts stay exact.
if attach_gosched fork-exec "$progs/gosched-go1.21" \
	--goroutines --syscalls --syscall write -- --exec /bin/true; then
	check_gosched fork-exec "$rep" "$gtj" "$pid" 1.21
	check_eq "fork-exec: /bin/true exited 0" 0 "$(v gt:exec)"
	check_eq "fork-exec: only the parent's process is in the capture" "[$pid]" "$(v processes)"
fi

# ---- f. a probe on the stack check's jump ---------------------------
# Entry probes sit on the jbe of the stack check and record only when it
# falls through (GODIAG_A_PROBE_JCC 6): when the check fails, morestack
# restarts the function and the jbe runs again. gosched --grow G runs G
# goroutines that each call main.growStack, whose 16 KiB frame does not
# fit a new goroutine's stack: its jbe runs 2G times and jumps G times.
# Three probes on it: "falls through" (G), "jumps" (G, or more when the
# scheduler asked for a preemption just then: that also fails the check)
# and no condition (the sum).
G=200
b=$progs/gosched-go1.19
"$ctl" inspect --json --func main.growStack "$b" >"$work/f.json"
check_match "f: runtime.execute is probed on a jbe, recorded when it falls through" \
	'probe-jcc:u8:6( |$)' "$(go_probe_specs "$work/f.json" | grep 'probe-kind:u32:2 ')"
read -r off foff jcc <<<"$(jget "$work/f.json" \
	"'%d %d %d' % (d['func']['probe']['offset'], d['func']['offset'], d['func']['probe']['jcc'])")"
check_eq "f: inspect --func main.growStack: on its stack check's jbe" 6 "$jcc"
lay=$(go_probe_specs "$work/f.json" | sed -n '1s/.*\(go-layout:hex:[0-9a-f]*\).*/\1/p')
start_gt pid "$b" --wait-signal --grow "$G"
fsid=$("$progs/nlraw" send --show session-new events:u32:2 |
	sed -n 's/.* session-id=\([0-9]*\).*/\1/p')
ids=()
if "$progs/nlraw" send target-add session-id:u32:"$fsid" pid:u32:"$pid" | grep -q '^errno=0 '; then
	for j in '' probe-jcc:u8:6 probe-jcc:u8:7; do
		# shellcheck disable=SC2086 # one attribute per word
		ids+=("$("$progs/nlraw" send --show probe-add session-id:u32:"$fsid" pid:u32:"$pid" \
			probe-path:str:"$(readlink -f "$b")" probe-kind:u32:2 probe-arg-reg:u8:0 \
			probe-offset:u64:"$off" probe-func-offset:u64:"$foff" "$lay" $j |
			sed -n 's/.* probe-id=\([0-9]*\).*/\1/p')")
	done
fi
check_eq "f: three probes on the jbe" 3 "$(printf '%s\n' "${ids[@]}" | grep -c '^[0-9]')"
"$progs/nlraw" send session-start session-id:u32:"$fsid" >/dev/null
kill -USR1 "$pid"
check "f: gosched --grow $G runs" wait_for grep -q "^grew $G\$" "$gt_out"
"$progs/nlraw" send --dump --show probes session-id:u32:"$fsid" >"$work/f.probes"
hits() { sed -n "s/.* probe-id=$1 .*probe-hits=\([0-9]*\).*/\1/p" "$work/f.probes"; }
h_all=$(hits "${ids[0]}") h_in=$(hits "${ids[1]}") h_jump=$(hits "${ids[2]}")
check_eq "f: condition 6: the passes that fall through, once per call" "$G" "$h_in"
check_ge "f: condition 7: the passes that jump to morestack, one per goroutine or more" \
	"$G" "$h_jump"
check_eq "f: no condition: every pass of the jbe ($h_in + $h_jump)" \
	"$((${h_in:-0} + ${h_jump:-0}))" "$h_all"
kill -TERM "$pid"
wait "$pid"
check_eq "f: gosched exits 0 at SIGTERM" 0 $?
"$progs/nlraw" send session-destroy session-id:u32:"$fsid" >/dev/null
