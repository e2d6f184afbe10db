# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2016,SC2154,SC2317 # (eval'd on purpose; start_gt assigns by name; helpers called through eval)
# Flight recorder triggers: a Go HTTP service (gotrig) whose /report path
# waits in flock(2) when a compactor holds the lock, and whose /fail path
# calls (*server).onError. A recorder with 'syscall:flock>10ms' and
# 'break:main.(*server).onError' fires exactly once per cooldown under a
# storm of matching records, the suppressed count being every other match
# the recorder holds; each trigger's snapshot is a valid capture holding
# the triggering record and the records after it (--post); --keep removes
# the oldest; a runtime trigger (goroutines>N) evaluated by the watcher
# fires too; SIGTERM ends a watcher and flight daemon starts one again;
# flight stop ends the watcher and leaves no session; rmmod
# with a recorder and its watcher running works and the watcher ends.
. "$(dirname "$0")/../lib.sh"
module_load
b=$(pick_prog gotrig)
cool=12
snaps=$work/snaps
flock_nr=73 # x86-64

# scan FILE PID: JSON of a capture file: its META, PID's flock records
# (ts, duration) and breakpoint records, all records, LOST counts, END.
scan() {
	python3 - "$1" "$2" "$flock_nr" <<'PY'
import json, struct, sys
d, pid, nr_flock = open(sys.argv[1], "rb").read(), int(sys.argv[2]), int(sys.argv[3])
off = struct.unpack_from("<I", d, 12)[0]
out = dict(meta={}, flock=[], breaks=[], records=[], lost=0, end=False)
while off + 16 <= len(d):
    typ, _fl, length = struct.unpack_from("<IIQ", d, off)
    body, end = off + 16, off + 16 + length
    if typ == 1:
        for line in d[body:end].decode(errors="replace").splitlines():
            k, _, v = line.partition("=")
            out["meta"][k] = v
    elif typ == 3:
        p = body
        while p + 32 <= end:
            t, size, _f, _c, tgid, _tid, ts = struct.unpack_from("<HHHHIIQ", d, p)
            if t == 1:
                out["lost"] += struct.unpack_from("<Q", d, p + 32)[0]
            elif tgid == pid:
                out["records"].append(ts)
                if t == 2:
                    _enter, dur, _ret, nr = struct.unpack_from("<QQqI", d, p + 32)
                    if nr == nr_flock:
                        out["flock"].append([ts, dur])
                elif t == 8 and not d[p + 43]:
                    out["breaks"].append(ts)
            p += size
    elif typ == 6:
        out["end"] = True
    off = body + ((length + 7) & ~7)
print(json.dumps(out))
PY
}
status_json() { # NAME -> $work/st.json
	"$ctl" flight status "$1" --json >"$work/st.json"
}
st() { # NAME EXPR: a field of the recorder's status
	status_json "$1" && jget "$work/st.json" "$2"
}
nsnaps() { # DIR: the files in it (hidden ones too)
	find "$1" -mindepth 1 -maxdepth 1 | wc -l
}
nours() { # DIR: the snapshots in it, none being written
	[ "$(find "$1" -mindepth 1 -maxdepth 1 -name '.*' | wc -l)" = 0 ] &&
		find "$1" -mindepth 1 -maxdepth 1 -name '2*.gdc' | wc -l
}
# matches FILE PID: the records the triggers matched (flock over 10 ms, onError hits)
matches() {
	scan "$1" "$2" >"$1.json" &&
		jget "$1.json" "sum(1 for ts, dur in d['flock'] if dur > 10000000) + len(d['breaks'])"
}
storm() { # K: the service's storm K, done
	kill -USR1 "$pid"
	wait_for grep -q "^storm $1 " "$gt_out"
}

start_gt pid "$b" -storm 20
trig1='syscall:flock>10ms'
trig2='break:main.(*server).onError'
check "flight start with triggers returns once its watcher runs" \
	"$ctl" flight start tr1 -p "$pid" --syscall flock --size 256K \
	--trigger "$trig1" --trigger "$trig2" --cooldown "${cool}s" --post 1s --keep 2 \
	--snapshot-dir "$snaps"
check_match "... and says where the snapshots go" "watcher [0-9]+ writes .* into $(re_escape "$snaps")" \
	"$(cat "$work/out")"
status_json tr1
watcher=$(jget "$work/st.json" "d['watcher']")
check "flight status names the watcher, a running process" kill -0 "$watcher"
check_eq "... and the triggers, none fired" "['$trig1', '$trig2'] 0 0 $((cool * 1000))" \
	"$(jget "$work/st.json" "' '.join(str(d[k]) for k in ('triggers', 'triggers_fired', 'triggers_suppressed', 'cooldown_ms'))")"
check_eq "the snapshot directory is made 0750, empty" "750 0" \
	"$(stat -c %a "$snaps") $(nsnaps "$snaps")"
check_match "flight status (text) shows the triggers and the watcher" \
	"triggers: '$(re_escape "$trig1")' '$(re_escape "$trig2")'; cooldown ${cool}s, 0 fired, 0 suppressed, watcher $watcher" \
	"$("$ctl" flight status tr1)"

# --- storm 1: one trigger, the other matches suppressed
storm 1
check "storm 1 wrote one snapshot" wait_for eval '[ "$(nours "$snaps")" = 1 ]'
first=$(find "$snaps" -name '*.gdc' | head -1)
check_match "named by the trigger's time and the trigger" \
	'/[0-9]{8}T[0-9]{6}\.[0-9]{3}Z-t00-syscall_flock_10ms\.gdc$' "$first"
"$ctl" flight snapshot tr1 -o "$work/all1" 2>/dev/null
m1=$(matches "$work/all1" "$pid")
echo "# storm 1: $m1 matching records"
check_eq "the recorder holds storm 1 whole (nothing overwritten)" "0 True" \
	"$(jget "$work/all1.json" "' '.join(str(d[k]) for k in ('lost', 'end'))")"
check_ge "storm 1: 20 contended reports and a failure matched" 21 "$m1"
check_eq "storm 1: fired once, every other match suppressed" "1 $((m1 - 1))" \
	"$(st tr1 "' '.join(str(d[k]) for k in ('triggers_fired', 'triggers_suppressed'))")"

scan "$first" "$pid" >"$work/first.json"
check "the trigger's snapshot is a capture report reads" "$ctl" report "$first"
check_eq "its META names the trigger" "$trig1" "$(jget "$work/first.json" "d['meta'].get('flight_trigger')")"
tts=$(jget "$work/first.json" "d['meta'].get('flight_trigger_monotonic_ns')")
check_eq "it holds the triggering record: a flock over 10 ms at the trigger's time" 1 \
	"$(jget "$work/first.json" "sum(1 for ts, dur in d['flock'] if ts == $tts and dur > 10000000)")"
check_eq "... the first match of the storm" "$tts" \
	"$(jget "$work/all1.json" "min([ts for ts, dur in d['flock'] if dur > 10000000])")"
check_ge "... and the records after it (--post)" 1 \
	"$(jget "$work/first.json" "sum(1 for ts in d['records'] if ts > $tts)")"

# --- storms 2 and 3, each after the cooldown: one trigger each, --keep 2
sleep $((cool + 1)) # the cooldown is a time: this only waits it out
storm 2
check "storm 2 fired once more" wait_for eval '[ "$(st tr1 "d[\"triggers_fired\"]")" = 2 ]'
check "storm 2 wrote a second snapshot" wait_for eval '[ "$(nours "$snaps")" = 2 ]'
second=$(find "$snaps" -name '*.gdc' | sort | tail -1)
sleep $((cool + 1))
storm 3
check "storm 3 fired once more" wait_for eval '[ "$(st tr1 "d[\"triggers_fired\"]")" = 3 ]'
check "--keep 2: the oldest snapshot goes" wait_for eval '[ ! -e "$first" ] && [ "$(nours "$snaps")" = 2 ]'
check_eq "the two newest are kept, nothing else is there" "2 yes" \
	"$(nsnaps "$snaps") $([ -e "$second" ] && echo yes)"
"$ctl" flight snapshot tr1 -o "$work/all3" 2>/dev/null
m3=$(matches "$work/all3" "$pid")
echo "# storms 1-3: $m3 matching records"
check_eq "storms 1-3: three fired, every other match suppressed" "3 $((m3 - 3))" \
	"$(st tr1 "' '.join(str(d[k]) for k in ('triggers_fired', 'triggers_suppressed'))")"
check_eq "(still nothing overwritten)" 0 "$(jget "$work/all3.json" "d['lost']")"

# --- flight stop: the watcher ends, nothing is left
check "flight stop" "$ctl" flight stop tr1
check "the watcher ends" wait_for eval '! kill -0 "$watcher" 2>/dev/null'
check_eq "no session (so no probe, no tracepoint) is left" 0 "$(nsessions)"

# --- the table over netlink: a strict policy, extack messages
nlraw=$progs/nlraw
send() { "$nlraw" send "$@"; }
# entry KIND INDEX ARG MIN_NS: a struct godiag_trigger in hex (little endian)
entry() {
	python3 -c 'import struct,sys; a=[int(x,0) for x in sys.argv[1:]]; print(struct.pack("<BBHIQ", a[0], 0, a[1], a[2], a[3]).hex())' "$@"
}
check "a recorder without triggers" "$ctl" flight start tn -p "$pid" --size 16K
any=$(entry 2 0 0xffffffff 3600000000000) # syscall>1h: never, here
out=$(send triggers-set session-name:str:tn triggers:hex:"$(entry 9 0 0 0)")
check_match "an unknown kind is refused with a message" "^errno=22 msg=trigger entry 0: unknown trigger kind" "$out"
out=$(send triggers-set session-name:str:tn triggers:hex:"${any}00")
check_match "a partial entry is refused" "^errno=22 msg=not a whole number of triggers" "$out"
out=$(send triggers-set session-name:str:tn triggers:hex:"$any$(entry 3 1 999 0)")
check_match "a breakpoint trigger needs a breakpoint probe of the session" \
	"^errno=22 msg=trigger entry 1: no breakpoint probe with that id in the session" "$out"
out=$(send triggers-set session-name:str:tn triggers:hex:"$(entry 1 0 5 0)")
check_match "a tool's trigger has no argument" "^errno=22 msg=trigger entry 0: a tool's trigger has no argument" "$out"
out=$(send triggers-set session-name:str:tn triggers:hex:"$any" cooldown-ms:u32:50)
check_match "a cooldown under 100 ms is refused by the policy" "^errno=34 " "$out"
out=$(send triggers-set session-name:str:tn cooldown-ms:u32:1000)
check_match "a cooldown without a table is refused" \
	"^errno=22 msg=a cooldown or texts come with a trigger table" "$out"
out=$(send triggers-set session-name:str:tn triggers:hex:"$any" trigger-texts:raw:abc)
check_match "texts must end with a NUL" "^errno=22 msg=trigger texts must end with a NUL" "$out"
out=$(send triggers-set session-name:str:tn triggers:hex:"$any" pid:u32:1)
check_match "an attribute the command does not take is refused (strict policy)" "^errno=22 " "$out"
out=$(send trigger-fire session-name:str:tn trigger-index:u32:0)
check_match "firing a trigger the recorder lacks: ENOENT with a message" \
	"^errno=2 msg=recorder tn has no tool's trigger 0" "$out"
out=$(send trigger-fire session-name:str:tn trigger-index:u32:64)
check_match "a trigger index past the table's is refused by the policy" "^errno=34 " "$out"
out=$(send triggers-set session-name:str:tn triggers:hex:"$any$(entry 1 1 0 0)" cooldown-ms:u32:100000 \
	trigger-texts:hex:"$(printf 'syscall>1h\0x\0' | od -An -tx1 | tr -d ' \n')")
check_eq "a good table is taken" "errno=0 msg=" "$out"
check_eq "flight status shows it" "['syscall>1h', 'x'] 100000 None" \
	"$(st tn "' '.join(str(d[k]) for k in ('triggers', 'cooldown_ms', 'watcher'))")"
check_eq "the tool fires its trigger: counted as fired" "errno=0 msg=" \
	"$(send trigger-fire session-name:str:tn trigger-index:u32:1)"
send trigger-fire session-name:str:tn trigger-index:u32:1 >/dev/null
check_eq "... once: the second within the cooldown is suppressed" "1 1" \
	"$(st tn "' '.join(str(d[k]) for k in ('triggers_fired', 'triggers_suppressed'))")"
check "flight stop tn" "$ctl" flight stop tn

# --- a runtime trigger (the watcher reads the process), then rmmod
snaps2=$work/snaps2
check "a recorder with a runtime trigger" \
	"$ctl" flight start tr2 -p "$pid" --trigger 'goroutines>1' --post 0 --snapshot-dir "$snaps2"
watcher=$(st tr2 "d['watcher']")
check "goroutines>1 fired and wrote its snapshot" wait_for eval '[ "$(nours "$snaps2")" -ge 1 ]'
scan "$(find "$snaps2" -name '*.gdc' | head -1)" "$pid" >"$work/g.json"
check_eq "its META names the trigger" "goroutines>1" "$(jget "$work/g.json" "d['meta'].get('flight_trigger')")"
kill -TERM "$watcher"
check "SIGTERM ends the watcher" wait_for eval '! kill -0 "$watcher" 2>/dev/null'
check_eq "... and the recorder runs on without one" "None running" \
	"$(st tr2 "str(d['watcher']) + ' ' + d['state']")"
check "flight daemon starts its watcher again" \
	"$ctl" flight daemon tr2 --post 0 --snapshot-dir "$snaps2"
watcher=$(st tr2 "d['watcher']")
check "... a running process flight status names" kill -0 "$watcher"
check_status "a second watcher of the recorder is refused" 1 \
	"$ctl" flight daemon tr2 --snapshot-dir "$snaps2"
check "rmmod with a recorder and its watcher running" module_unload
check "the module is gone" eval '! module_loaded'
check "the watcher ends" wait_for eval '! kill -0 "$watcher" 2>/dev/null'
kill -TERM "$pid"
wait "$pid" 2>/dev/null
check "and loads again" module_load
check_eq "with no session" 0 "$(nsessions)"
finish
