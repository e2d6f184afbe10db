# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2016,SC2154,SC2317 # (eval'd on purpose; start_gt assigns by name; helpers called through eval)
# Flight recorders: `flight start` returns and the recorder runs on with
# no reader; a snapshot of a program that made N numbered writes holds
# exactly the newest of them, without gaps, and counts the overwritten
# ones; snapshots taken while the target writes are each without gaps
# or doubles; the recorder stops (keeping its records) when its target
# exits; `flight stop` leaves no session, no probe and no int3; bad,
# duplicate and unknown names get extack messages; rmmod with a
# recorder running works.
. "$(dirname "$0")/../lib.sh"
module_load
gt=$progs/gt_syscalls
nlraw=$progs/nlraw
N=3000

send() { "$nlraw" send "$@"; }
# nums FILE PID: JSON of FILE's records: write returns of PID in file
# order (nums, without its last write, "done"), data records, LOST
# counts, STATS written, doubles, gaps.
nums() {
	python3 - "$1" "$2" <<'PY'
import json, struct, sys
d, pid = open(sys.argv[1], "rb").read(), int(sys.argv[2])
off = struct.unpack_from("<I", d, 12)[0]
out = dict(nums=[], records=0, lost=0, written=0, end=False)
while off + 16 <= len(d):
    typ, _fl, length = struct.unpack_from("<IIQ", d, off)
    body, end = off + 16, off + 16 + length
    if typ == 3:
        p = body
        while p + 32 <= end:
            t, size, _f, _c, tgid = struct.unpack_from("<HHHHI", d, p)
            if t == 1:
                out["lost"] += struct.unpack_from("<Q", d, p + 32)[0]
            else:
                out["records"] += 1
                if t == 2 and tgid == pid:
                    ret, nr = struct.unpack_from("<qI", d, p + 48)
                    if nr == 1:
                        out["nums"].append(ret)
            p += size
    elif typ == 5:
        n, esz = struct.unpack_from("<II", d, body)
        for i in range(n):
            out["written"] += struct.unpack_from("<Q", d, body + 16 + i * esz + 8)[0]
    elif typ == 6:
        out["end"] = True
    off = body + ((length + 7) & ~7)
s = out["nums"]
out["writes"] = len(s)
# The program's own "done\n" (5 bytes) after its numbered writes.
if len(s) >= 2 and s[-1] == 5 and s[-2] != 4:
    s.pop()
out["doubles"] = len(s) - len(set(s))
out["gaps"] = sum(1 for a, b in zip(s, s[1:]) if b != a + 1)
out["first"] = s[0] if s else 0
out["last"] = s[-1] if s else 0
out["n"] = len(s)
print(json.dumps(out))
PY
}
state_of() { # NAME -> the recorder's state
	"$ctl" flight status "$1" --json >"$work/st.json" && jget "$work/st.json" "d['state']"
}

# --- names: extack messages for bad, duplicate and unknown names
out=$(send session-new mode:u8:1 session-name:str:"bad name")
check_match "a bad name is refused with a message" \
	"^errno=22 msg=a recorder's name is letters, digits" "$out"
out=$(send session-new mode:u8:0 session-name:str:ok1)
check_match "a named session must be in overwrite mode" \
	"^errno=22 msg=a named session \\(flight recorder\\) must be in overwrite mode" "$out"
out=$(send session-new mode:u8:1 owned:flag session-name:str:ok1)
check_match "a named session cannot be owned" "^errno=22 msg=a named session outlives" "$out"
out=$(send session-new mode:u8:1 window-ms:u32:1000)
check_match "a window needs a name" "^errno=22 msg=a window is for named sessions" "$out"
out=$(send session-stop session-name:str:nosuch)
check_match "an unknown name: ENOENT with a message" "^errno=2 msg=no session named nosuch$" "$out"
out=$(send session-stop session-name:str:"$(printf 'x%.0s' $(seq 40))")
check_match "a name over GODIAG_NAME_MAX is refused by the policy" "^errno=(22|34) " "$out"
out=$(send --dump session-get session-name:str:ok1)
check_match "a dump takes no name (strict policy)" "^errno=22 " "$out"
check_status "flight: a bad name is a usage error" 1 "$ctl" flight start "a/b" -p 1
check_status "flight: snapshot of no recorder" 1 "$ctl" flight snapshot nosuch -o "$work/x"
check_status "flight: stop of no recorder" 1 "$ctl" flight stop nosuch

# --- a recorder on N numbered writes, one CPU (its buffer is the window)
start_gt pid taskset -c 0 "$gt" --wait-signal --hold numbered "$N"
check "flight start returns once the recorder runs" \
	"$ctl" flight start fr1 -p "$pid" --size 16K
check_status "a second recorder of the same name is refused" 3 \
	"$ctl" flight start fr1 -p "$pid" --size 16K
check_match "... saying so" "a session named fr1 exists already" "$(cat "$work/out")"
"$ctl" sessions --json >"$work/s.json"
check_eq "the recorder is a running, unowned session with no reader" "running False 0" \
	"$(jget "$work/s.json" "' '.join(str(x) for s in d['sessions'] for x in (s['state'], s['owned'], s['readers']))")"
check_match "flight list names it" "^fr1: session [0-9]+, running, syscall, 16 KiB" \
	"$("$ctl" flight list)"
kill -USR1 "$pid"
wait_for grep -q '^done' "$gt_out"

"$ctl" flight snapshot fr1 -o "$work/a" 2>"$work/a.err"
check_eq "snapshot a exits 0" 0 $?
"$ctl" flight snapshot fr1 -o "$work/b" 2>"$work/b.err"
nums "$work/a" "$pid" >"$work/a.json"
nums "$work/b" "$pid" >"$work/b.json"
check_eq "a: the newest writes, up to the last, without gaps or doubles" "$N 0 0 True" \
	"$(jget "$work/a.json" "' '.join(str(d[k]) for k in ('last', 'gaps', 'doubles', 'end'))")"
first=$(jget "$work/a.json" "d['first']")
check_ge "a: the older writes were overwritten (16 KiB holds a few hundred)" 2 "$first"
check_eq "a: records + overwritten == written" \
	"$(jget "$work/a.json" "d['written']")" "$(jget "$work/a.json" "d['records'] + d['lost']")"
check_ge "a: the overwritten writes are counted" $((first - 1)) "$(jget "$work/a.json" "d['lost']")"
check_eq "b, taken after a of the same idle recorder: the same records" \
	"$(jget "$work/a.json" "(d['nums'], d['records'], d['lost'])")" \
	"$(jget "$work/b.json" "(d['nums'], d['records'], d['lost'])")"
"$ctl" report --json "$work/a" >"$work/a.rep"
check_eq "report reads the snapshot: its writes and the overwritten count" \
	"$(jget "$work/a.json" "(d['writes'], d['lost'])")" \
	"$(jget "$work/a.rep" "(sum(s['count'] for s in d['syscalls'] if s['name'] == 'write'), d['events']['lost'])")"
check "script reads the snapshot" "$ctl" script "$work/a"
echo junk >"$work/keep"
check_status "a snapshot into a directory that does not exist fails" 1 \
	"$ctl" flight snapshot fr1 -o "$work/nodir/x"
"$ctl" flight snapshot nosuch -o "$work/keep" >/dev/null 2>&1
check_eq "a failed snapshot leaves the existing file as it was" junk "$(cat "$work/keep")"

# --- the recorder stops when its target exits, and keeps its records
kill -USR2 "$pid"
wait "$pid" 2>/dev/null
check "the target's exit stops the recorder" wait_for eval '[ "$(state_of fr1)" = stopped ]'
"$ctl" flight snapshot fr1 -o "$work/c" 2>/dev/null
nums "$work/c" "$pid" >"$work/c.json"
check_eq "after the exit a snapshot still has the newest writes" "$N 0" \
	"$(jget "$work/c.json" "' '.join(str(d[k]) for k in ('last', 'gaps'))")"
check "flight stop" "$ctl" flight stop fr1
check_eq "no session is left" 0 "$(nsessions)"

# --- snapshots while the target writes: each without gaps or doubles
start_gt pid taskset -c 0 "$gt" --wait-signal --hold numbered 400000
check "a recorder of a busy writer" "$ctl" flight start fr2 -p "$pid" --size 64K
kill -USR1 "$pid"
bad=0 taken=0
for i in 1 2 3 4 5 6; do
	"$ctl" flight snapshot fr2 -o "$work/o$i" 2>/dev/null || continue
	nums "$work/o$i" "$pid" >"$work/o$i.json"
	taken=$((taken + 1))
	[ "$(jget "$work/o$i.json" "d['gaps'] + d['doubles']")" = 0 ] || bad=$((bad + 1))
	grep -q '^done' "$gt_out" && break
done
check_ge "snapshots were taken while it wrote" 1 "$taken"
check_eq "none of them has a gap or a double" 0 "$bad"
kill -USR2 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
"$ctl" flight stop fr2

# --- goroutines: flight stop leaves no int3 in the target
b=$(pick_prog gosched-go1.23 gosched)
start_gt gpid "$b" --wait-signal --hold --loop -n 5
kill -USR1 "$gpid"
"$ctl" inspect --json "$b" >"$work/probes-inspect.json"
offs=$(probe_offsets "$work/probes-inspect.json")
breakpoints() { # PID: int3 bytes at the probe offsets
	# shellcheck disable=SC2086 # one argument per offset
	text_bytes "$1" "$b" $offs >"$work/bp" && int3_bytes "$work/bp"
}
check "a recorder of goroutines" "$ctl" flight start fr3 -p "$gpid" --goroutines --size 64K
nprobes=$(wc -w <<<"$offs")
check_eq "its probes are breakpoints in the target" "$nprobes" "$(breakpoints "$gpid")"
wait_for cycles_past "$gt_out" "$(last_cycle "$gt_out")"
"$ctl" flight snapshot fr3 -o "$work/g" 2>/dev/null
capscan "$work/g" >"$work/g.scan"
check_ge "a goroutine snapshot holds goroutine records" 1 \
	"$(jget "$work/g.scan" "sum(v for k, v in d['by_type'].items() if 3 <= int(k) <= 7)")"
check "report reads it" "$ctl" report "$work/g"
check "flight stop" "$ctl" flight stop fr3
check_eq "no int3 is left in the target" 0 "$(breakpoints "$gpid")"
check_eq "no session is left" 0 "$(nsessions)"
kill -USR2 "$gpid" 2>/dev/null
kill "$gpid" 2>/dev/null
wait "$gpid" 2>/dev/null

# --- --window: a snapshot leaves out what is older than the window
start_gt pid taskset -c 0 "$gt" --wait-signal --hold numbered 100
check "a recorder with a 1 ms window" "$ctl" flight start fr5 -p "$pid" --size 16K --window 1ms
kill -USR1 "$pid"
wait_for grep -q '^done' "$gt_out"
# Taking it (starting godiagctl) takes longer than 1 ms: the writes are out.
"$ctl" flight snapshot fr5 -o "$work/w" 2>/dev/null
nums "$work/w" "$pid" >"$work/w.json"
check_eq "the writes older than the window are left out; the file is complete" "0 True" \
	"$(jget "$work/w.json" "' '.join(str(d[k]) for k in ('n', 'end'))")"
check "flight status --json says the window" \
	eval '[ "$("$ctl" flight status fr5 --json | python3 -c "import json,sys; print(json.load(sys.stdin)[\"window_ms\"])")" = 1 ]'
"$ctl" flight stop fr5
kill -USR2 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

# --- rmmod with a recorder running
start_gt pid "$gt" --wait-signal --hold numbered 10
check "a recorder to unload under" "$ctl" flight start fr4 -p "$pid"
check "rmmod with a recorder running" module_unload
check "the module is gone" eval '! module_loaded'
kill -USR1 "$pid"
kill -USR2 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "and loads again" module_load
check_eq "with no session" 0 "$(nsessions)"
finish
