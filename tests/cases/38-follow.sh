# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck disable=SC2016,SC2154,SC2317 # (eval'd on purpose; start_gt assigns by name; helpers called through wait_for)
# A flight recorder that follows a service across restarts: started as
# godiag-flight@api.service would start it (its ExecStart line, with a
# config file: comm = api, goroutines and syscalls), it attaches the Go
# HTTP service named api that runs, records on when the service is
# stopped, and attaches the restarted one; a process named api that is
# no Go program is left out without stopping the follower. A snapshot
# then holds both processes' records, each with exactly as many getppid
# calls as the service counted (soakWorker goroutines, one each), and
# names the binary each pid ran. flight stop leaves no session, probe or
# int3 and ends the follower; rmmod with a following recorder works.
# --cgroup follows the processes that join a cgroup or one below it.
. "$(dirname "$0")/../lib.sh"
module_load
GETPPID=110
svc=$work/bin/api	# gobusy (net/http) under the service's name
mkdir -p "$work/bin" "$work/etc/godiag/flight" "$work/other"
cp "$(pick_prog gobusy)" "$svc"
cp /bin/sleep "$work/other/api"	# a process named api that is no Go program

# start_svc VAR: the service, waiting for SIGUSR1; its output file in VAR_out.
start_svc() {
	start_gt "$1" "$svc" --port 0 --goroutines 0 --spawn-rate 50 --seconds 0 --wait-signal
	printf -v "$1_out" '%s' "$gt_out"
}
# port_of OUT: the port the service printed
port_of() { sed -n 's/^listening 127.0.0.1://p' "$1"; }
# getppids PORT: the service's soakWorker getppid calls so far
getppids() {
	python3 - "$1" <<'PY'
import re, sys, urllib.request
t = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/counters", timeout=5).read().decode()
print(re.search(r"getppids=(\d+)", t).group(1))
PY
}
worked() { [ "$(getppids "$1")" -ge 20 ]; }
# stop_svc PID OUT: SIGTERM; its final getppid count
stop_svc() {
	kill -TERM "$1"
	wait "$1" 2>/dev/null
	sed -n 's/.*getppids=\([0-9]*\).*/\1/p' "$2" | tail -1
}
# status_json [NAME]: flight status of recorder NAME (api) into st.json
status_json() { "$ctl" flight status "${1:-api}" --json >"$work/st.json" 2>/dev/null; }
# is_target PID [NAME]: recorder NAME (api) lists PID as a target
is_target() { status_json "${2:-api}" && [ "$(jget "$work/st.json" "$1 in d['targets']")" = True ]; }
no_targets() { status_json && [ "$(jget "$work/st.json" "len(d['targets'])")" = 0 ]; }
# followers NAME: the processes of flight start NAME alive
followers() {
	local f n=0
	for f in /proc/[0-9]*/cmdline; do
		tr '\0' ' ' <"$f" 2>/dev/null | grep -q "godiagctl flight start $1 " && n=$((n + 1))
	done
	echo "$n"
}

# --- the flag is for recorders only: an extack message
out=$("$progs/nlraw" send session-new mode:u8:1 persistent:flag)
check_match "a persistent session without a name is refused with a message" \
	"^errno=22 msg=only a named session \\(flight recorder\\) can be persistent" "$out"

cat >"$work/etc/godiag/flight/api.conf" <<'EOF'
# the api service: its restarts followed
comm = api
events = goroutines syscalls
# Room for all of it: a snapshot holds exact counts (a slow guest runs
# the service longer before it is stopped).
size = 16M
EOF

# --- the service runs; the recorder starts as the unit would
start_svc old
unit=$repo/dist/godiag-flight@.service.in
exec_start=$(sed -n 's/^ExecStart=//p' "$unit" | sed -e "s|@BINDIR@|$(dirname "$ctl")|g" \
	-e "s|@SYSCONFDIR@|$work/etc|g" -e 's/%i/api/g')
check_match "the unit's ExecStart is flight start with the config, in the foreground" \
	"godiagctl flight start api --config $work/etc/godiag/flight/api.conf --foreground$" \
	"$exec_start"
if [ "$(cat /proc/1/comm)" = systemd ]; then
	skip "systemd runs in this guest, but the case runs the unit's ExecStart line itself"
else
	skip "no systemd in the guest: the unit's ExecStart line is run directly"
fi
# shellcheck disable=SC2086 # the unit's command line, split as systemd splits it (no quotes in it)
$exec_start 2>"$work/follower.err" &
follower=$!
check "the running service is attached" wait_for is_target "$old"
check "the recorder is persistent" eval '[ "$(jget "$work/st.json" "d[\"persistent\"]")" = True ]'
kill -USR1 "$old"
port=$(port_of "$old_out")
check "the old service works" wait_for worked "$port"
n_old=$(stop_svc "$old" "$old_out")

# --- stopped: the recorder records on, with no target
check "with its process gone the recorder has no target" wait_for no_targets
check_eq "and still runs" running "$(jget "$work/st.json" "d['state']")"
"$work/other/api" 600 &
impostor=$!

# --- restarted: attached, then it works
start_svc new
t0=$SECONDS
check "the restarted service is attached" wait_for is_target "$new"
echo "# attached $((SECONDS - t0)) s after its start"
check "the process named api that is no Go program is tried" \
	wait_for grep -q "PID $impostor: " "$work/follower.err"
check "and left out" eval '! is_target "$impostor"'
check "the follower goes on" kill -0 "$follower"
kill -USR1 "$new"
port=$(port_of "$new_out")
check "the new service works" wait_for worked "$port"
n_new=$(stop_svc "$new" "$new_out")
kill "$impostor" 2>/dev/null
wait "$impostor" 2>/dev/null

# --- a snapshot holds both processes' records and names their binaries
check "a snapshot after the restart" "$ctl" flight snapshot api -o "$work/s"
python3 - "$work/s" "$GETPPID" >"$work/s.json" <<'PY'
import collections, json, struct, sys
d, nr_want = open(sys.argv[1], "rb").read(), int(sys.argv[2])
off = struct.unpack_from("<I", d, 12)[0]
gp, go, lost = collections.Counter(), collections.Counter(), 0
while off + 16 <= len(d):
    typ, _fl, length = struct.unpack_from("<IIQ", d, off)
    body, end = off + 16, off + 16 + length
    if typ == 3:
        p = body
        while p + 32 <= end:
            t, size, _f, _c, tgid = struct.unpack_from("<HHHHI", d, p)
            if t == 1:
                lost += struct.unpack_from("<Q", d, p + 32)[0]
            elif t == 2 and struct.unpack_from("<I", d, p + 56)[0] == nr_want:
                gp[tgid] += 1
            elif 3 <= t <= 7:
                go[tgid] += 1
            p += size
    off = body + ((length + 7) & ~7)
print(json.dumps(dict(getppid={str(k): v for k, v in gp.items()},
                      go={str(k): v for k, v in go.items()}, lost=lost)))
PY
check_eq "nothing was overwritten" 0 "$(jget "$work/s.json" "d['lost']")"
check_eq "the old process's getppid calls, exactly" "$n_old" \
	"$(jget "$work/s.json" "d['getppid'].get('$old', 0)")"
check_eq "the new process's getppid calls, exactly" "$n_new" \
	"$(jget "$work/s.json" "d['getppid'].get('$new', 0)")"
check_ge "goroutine records of the old process" 1 "$(jget "$work/s.json" "d['go'].get('$old', 0)")"
check_ge "goroutine records of the new process" 1 "$(jget "$work/s.json" "d['go'].get('$new', 0)")"
"$ctl" report --json "$work/s" >"$work/r.json" 2>/dev/null
check_eq "report names both processes' binary, with its build id" "api $svc True" \
	"$(jget "$work/r.json" "' '.join(sorted({'%s %s %s' % (t['comm'], t['exe'], bool(t['build_id'])) for t in d['targets'] if t['pid'] in ($old, $new)}))")"
check_eq "... for each of the two" 2 \
	"$(jget "$work/r.json" "len([t for t in d['targets'] if t['pid'] in ($old, $new) and t['build_id']])")"

# --- flight stop: no session, no probe, no int3; the follower ends
start_svc third
check "a third process is attached" wait_for is_target "$third"
"$ctl" inspect --json "$svc" >"$work/inspect.json"
offs=$(probe_offsets "$work/inspect.json")
breakpoints() { # PID: int3 bytes at the probe offsets
	# shellcheck disable=SC2086 # one argument per offset
	text_bytes "$1" "$svc" $offs >"$work/bp" && int3_bytes "$work/bp"
}
check_eq "its probes are breakpoints in it" "$(wc -w <<<"$offs")" "$(breakpoints "$third")"
check "flight stop" "$ctl" flight stop api
check_eq "no session is left" 0 "$(nsessions)"
check_eq "no int3 is left in the process" 0 "$(breakpoints "$third")"
wait_bg 30 "$follower"
check_eq "the follower ends by itself, exit 0" 0 $?

# --- rmmod with a following recorder (its follower in the background)
check "a following recorder, follower in the background" \
	"$ctl" flight start api2 --comm api --goroutines --size 64K
check "it attached the running process" is_target "$third" api2
check_eq "one follower runs" 1 "$(followers api2)"
check "rmmod with a following recorder" module_unload
check "the module is gone" eval '! module_loaded'
check "the follower ends" wait_for eval '[ "$(followers api2)" = 0 ]'
stop_svc "$third" "$third_out" >/dev/null
check "the module loads again" module_load
check_eq "with no session" 0 "$(nsessions)"

# --- --cgroup: the processes that join the cgroup or one below it, no other
cgroot=/sys/fs/cgroup
if [ "$(stat -f -c %T "$cgroot" 2>/dev/null)" = cgroup2fs ]; then
	cg=$cgroot/godiag-follow
	mkdir -p "$cg/sub"
	# in_cgroup VAR DIR: a process moved into cgroup DIR, its PID in VAR
	in_cgroup() {
		sleep 600 &
		echo "$!" >"$2/cgroup.procs"
		printf -v "$1" %s "$!"
	}
	in_cgroup c1 "$cg"
	check "a recorder following a cgroup" "$ctl" flight start cg --cgroup /godiag-follow --size 64K
	check "the process in it is attached" is_target "$c1" cg
	in_cgroup c2 "$cg/sub"
	sleep 600 &
	c3=$!
	check "a process that joins a cgroup below is attached" wait_for is_target "$c2" cg
	check "one in no such cgroup is not" eval '! is_target "$c3" cg'
	check "flight stop" "$ctl" flight stop cg
	kill "$c1" "$c2" "$c3"
	wait "$c1" "$c2" "$c3" 2>/dev/null
	cg_empty() { [ ! -s "$cg/sub/cgroup.procs" ] && [ ! -s "$cg/cgroup.procs" ]; }
	wait_for cg_empty
	rmdir "$cg/sub" "$cg"
	check_eq "no session is left" 0 "$(nsessions)"
else
	skip "no cgroup v2 at $cgroot: --cgroup not tested"
fi
finish
