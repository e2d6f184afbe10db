# shellcheck shell=bash source-path=SCRIPTDIR
# The soak test (make soak; tests/soak/run.sh boots the VM): one capture,
# GODIAG_SOAK_MINUTES long (30), of a busy Go service, gobusy: HTTP
# clients and server, channel ping-pong pairs, and a spawner starting
# short-lived goroutines (main.soakWorker) that make exactly one getppid
# each. Runs in the guest as root.
#
# Checked:
#   - the capture's counts equal the service's own counters: soakWorker
#     goroutines created, exited and each with its one getppid; getppid
#     calls in all; nothing lost, written == read + lost;
#   - slab memory stays flat: SUnreclaim from the end of the warm-up to the
#     end of the capture grows less than GODIAG_SOAK_SLAB_KIB (2048 KiB)
#     and less than GODIAG_SOAK_SLAB_PCT (5) percent; after the module is
#     unloaded it is back within GODIAG_SOAK_UNLOAD_KIB (1024 KiB) of its
#     value before the module was loaded.
# Memory is sampled every GODIAG_SOAK_INTERVAL seconds (30). The curve and
# a summary are printed between SOAK-RESULTS-BEGIN and SOAK-RESULTS-END,
# which run.sh copies into build/soak/.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# run.sh hands over its own copy of godiagctl (lib.sh's helpers use $ctl).
ctl=${GODIAG_SOAK_CTL:-$ctl}

minutes=${GODIAG_SOAK_MINUTES:-30}
interval=${GODIAG_SOAK_INTERVAL:-30}
# The warm-up: 3 min, or a third of a shorter run (development runs).
warmup=${GODIAG_SOAK_WARMUP:-$((minutes >= 9 ? 180 : minutes * 20))}
slab_kib=${GODIAG_SOAK_SLAB_KIB:-2048}
slab_pct=${GODIAG_SOAK_SLAB_PCT:-5}
unload_kib=${GODIAG_SOAK_UNLOAD_KIB:-1024}
buffer=${GODIAG_SOAK_BUFFER:-4M}
gobusy=${GODIAG_SOAK_GOBUSY:-$progs/gobusy-go1.22}
# The service's shape. Under TCG an HTTP request costs the capture about
# 25 goroutine records, a ping-pong round trip about 6.5 and a soakWorker
# 7 (its creation, run and exit, its getppid, the spawner's wake-up);
# records are 64 (syscall) and 72 bytes (goroutine). The pauses keep the
# file at about 100 KB/s, so 30 min stay well inside the guest's /tmp
# (a tmpfs of half its 3 GiB).
spawn_rate=${GODIAG_SOAK_SPAWN_RATE:-20}
read -r -a shape <<<"${GODIAG_SOAK_SHAPE:---goroutines 2 --burst 5 --burst-sleep 100ms --clients 2 --client-pause 100ms}"
# Stop the service early (and fail) rather than let the guest run out of
# memory: when MemAvailable falls under this many KiB.
min_avail_kib=${GODIAG_SOAK_MIN_AVAIL_KIB:-524288}

seconds=$((minutes * 60))
cap=$work/soak.gdc
curve=$work/curve
results=$work/results

for v in minutes interval warmup slab_kib slab_pct unload_kib spawn_rate min_avail_kib; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]] || [ "${!v}" = 0 ]; then
		not_ok "bad setting $v='${!v}' (a positive integer)"
		exit 1
	fi
done
if [ ! -x "$gobusy" ]; then
	not_ok "$gobusy is not built (tests/soak/run.sh builds it)"
	exit 1
fi

# The expected size, from the per-event costs above at the configured
# rates (an estimate: the sleeps overshoot on a loaded machine, so the
# real rates are lower, never higher). The projection from the file's
# growth follows at the end of the warm-up.
exp_bytes=$(python3 - "$spawn_rate" "${shape[@]}" <<'PY'
import sys
rate = float(sys.argv[1])
a = sys.argv[2:]
opt = {a[i]: a[i + 1] for i in range(0, len(a) - 1, 2)}
def dur(s):
    for suf, m in (("ms", 1e-3), ("us", 1e-6), ("s", 1.0)):
        if s.endswith(suf):
            return float(s[:-len(suf)]) * m
    return float(s)
pairs, burst = int(opt.get("--goroutines", 4)), int(opt.get("--burst", 1000))
bsleep = dur(opt.get("--burst-sleep", "1ms"))
clients, cpause = int(opt.get("--clients", 0)), dur(opt.get("--client-pause", "0s"))
recs = rate * 7
if pairs and burst and bsleep:
    recs += pairs * burst / bsleep * 6.5
if clients and cpause:
    recs += clients / cpause * 25
print(int(recs * 72))
PY
)
expected_mb=$((exp_bytes * seconds / 1000000))

# ---- sampling ---------------------------------------------------------

# sample LABEL: append one line to $curve and show it:
#   LABEL SECONDS SUNRECLAIM SRECLAIMABLE KMALLOC VMALLOC AVAILABLE
#   WRITTEN LOST FILEBYTES
# (memory in KiB; kmalloc: the bytes of the objects in use in the
# kmalloc-* caches of /proc/slabinfo; written/lost: godiagctl stats over
# every session, "-" when there is none; SECONDS since the workload
# started, "-" before). The stats are read before and after the memory:
# a "run" sample whose session was not running in either (the capture
# was ending, its memory being freed) is labelled "ended" instead. The last
# /proc/slabinfo of each label is kept as $work/slabinfo.LABEL for
# slabdiff (one file per label: every file in /tmp is slab memory too, a
# shmem inode).
sample() {
	local el=-
	[ -z "${t0:-}" ] || el=$((SECONDS - t0))
	python3 - "$1" "$el" "$ctl" "$cap" "$work/slabinfo" <<'PY' | tee -a "$curve" | sed 's/^/# sample /'
import json, os, re, subprocess, sys
label, el, ctl, cap, slabfile = sys.argv[1:6]
def sessions():
    r = subprocess.run([ctl, "stats", "--json"], capture_output=True, text=True)
    return json.loads(r.stdout)["sessions"] if r.returncode == 0 else []
s1 = sessions()
mem = {}
for line in open("/proc/meminfo"):
    k, v = line.split(":")
    mem[k] = int(v.split()[0])
slab = open("/proc/slabinfo").read()
s = sessions()
km = 0
for line in slab.splitlines():
    f = line.split()
    # kmalloc-N and kmalloc-cg-N (not kmalloc-rcl-N: reclaimable)
    if re.match(r"kmalloc-(cg-)?[0-9]+k?$", f[0]):
        km += int(f[1]) * int(f[3])
w = l = "-"
if s:
    w = sum(x["total"]["written"] for x in s)
    l = sum(x["total"]["lost"] for x in s)
size = os.path.getsize(cap) if os.path.exists(cap) else 0
def running(ss):
    return bool(ss) and all(x["state"] == "running" for x in ss)
if label == "run" and not (running(s1) and running(s)):
    label = "ended"
open(f"{slabfile}.{label}", "w").write(slab)
print(label, el, mem["SUnreclaim"], mem["SReclaimable"], km // 1024,
      mem["VmallocUsed"], mem["MemAvailable"], w, l, size)
PY
}
# col LABEL N: field N of the last curve line labelled LABEL
col() { awk -v l="$1" -v n="$2" '$1 == l { v = $n } END { print v }' "$curve"; }
# slabdiff FROM TO: the unreclaimable caches (those SUnreclaim counts) of
# /proc/slabinfo copies FROM and TO whose objects in use changed most:
# "name:+KiB ...".
slabdiff() {
	python3 - "$1" "$2" <<'PY'
import os, sys
def load(f):
    kib = {}
    for line in open(f).readlines()[2:]:
        x = line.split()
        kib[x[0]] = int(x[1]) * int(x[3]) / 1024
    return kib
a, b = load(sys.argv[1]), load(sys.argv[2])
def reclaimable(name):
    try:
        return open(f"/sys/kernel/slab/{name}/reclaim_account").read().strip() == "1"
    except OSError:
        return False
d = {k: b.get(k, 0) - a.get(k, 0) for k in set(a) | set(b) if not reclaimable(k)}
top = sorted((k for k in d if abs(d[k]) >= 8), key=lambda k: -abs(d[k]))[:8]
print(" ".join(f"{k}:{d[k]:+.0f}" for k in top) or "none by 8 KiB or more")
PY
}

echo "# soak: $minutes min on $(uname -r), $(nproc) CPUs, $(basename "$gobusy")" \
	"--spawn-rate $spawn_rate ${shape[*]}, buffer $buffer per CPU, sample every ${interval}s"
echo "# expected capture file: about $expected_mb MB ($((exp_bytes / 1000)) KB/s at the configured rates)"

# ---- before the module --------------------------------------------------
# Settle the memory a fresh boot is still sorting out; the baseline is
# what the module must give back.
sync
echo 3 >/proc/sys/vm/drop_caches
sleep 5
: >"$curve"
sample baseline
module_load
sample loaded

# ---- the capture ----------------------------------------------------------
start_gt pid "$gobusy" --port 0 --wait-signal --seconds "$seconds" \
	--spawn-rate "$spawn_rate" "${shape[@]}"
capture_bg "$cap" -p "$pid" --goroutines --syscalls --syscall getppid --buffer "$buffer"
if ! wait_running 1; then
	not_ok "the capture did not start: $(head -c 300 "$cap.err")"
	kill "$pid" "$cap_pid" 2>/dev/null
	exit 1
fi
t0=$SECONDS
kill -USR1 "$pid"
sample start
next=$interval
warm_done=0
stopped=
while kill -0 "$cap_pid" 2>/dev/null; do
	if [ $((SECONDS - t0)) -ge "$next" ]; then
		sample run
		next=$((next + interval))
		if [ "$warm_done" = 0 ] && [ $((SECONDS - t0)) -ge "$warmup" ]; then
			warm_done=1
			cp "$work/slabinfo.run" "$work/slabinfo.warm"
			sz=$(col run 10)
			echo "# after the warm-up: file $((sz / 1000000)) MB in $((SECONDS - t0)) s," \
				"projected $((sz * seconds / (SECONDS - t0) / 1000000)) MB at the end"
		fi
		if [ -z "$stopped" ] && [ "$(col run 7)" -lt "$min_avail_kib" ]; then
			stopped="MemAvailable $(col run 7) KiB < $min_avail_kib KiB after $((SECONDS - t0)) s"
			echo "# $stopped: stopping the service"
			kill -TERM "$pid"
		fi
	fi
	sleep 1
done
wait "$cap_pid"
cap_st=$?
wait "$pid"
gb_st=$?
elapsed=$((SECONDS - t0))
sample end
echo "# capture ended after ${elapsed}s: $(tail -1 "$cap.err")"

check_eq "capture exits 0" 0 "$cap_st"
check_eq "gobusy exits 0" 0 "$gb_st"
if [ -z "$stopped" ]; then
	ok "the guest kept at least $((min_avail_kib / 1024)) MiB available"
else
	not_ok "$stopped"
fi

# The service's own counters.
line=$(grep '^counters ' "$gt_out" | tail -1)
echo "# gobusy: $line"
gv() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
spawned=$(gv spawned) getppids=$(gv getppids) requests=$(gv requests) pingpongs=$(gv pingpongs)
if [ -z "$spawned" ] || [ -z "$getppids" ]; then
	not_ok "gobusy printed no spawned/getppids counters: '$line'"
	sed 's/^/#   /' "$gt_out" | tail -20
	exit 1
fi
check_eq "gobusy: every soakWorker made its getppid" "$spawned" "$getppids"
# The service was busy the whole time: the spawner kept at least half its
# rate, and HTTP and ping-pong both did work.
check_ge "gobusy: spawned at least half of $spawn_rate/s" $((spawn_rate * seconds / 2)) "$spawned"
check_ge "gobusy: served requests" 1 "${requests:-0}"
check_ge "gobusy: ping-pong round trips" 1 "${pingpongs:-0}"
if grep -q 'still alive' "$gt_out"; then
	not_ok "gobusy: $(grep 'still alive' "$gt_out")"
fi

# ---- the capture against the counters ---------------------------------------
report_s=$SECONDS
if ! "$ctl" report --json "$cap" >"$cap.json" 2>"$work/report.err"; then
	not_ok "report --json failed: $(head -c 300 "$work/report.err")"
	exit 1
fi
report_s=$((SECONDS - report_s))
filesize=$(stat -c %s "$cap")
# One python pass over the report: every figure the checks need.
python3 - "$cap.json" >"$work/vals" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
g = d.get("goroutines", {})
def one(lst, f):
    return sum(x["created"] for x in lst if x["function"] == f)
w = [x for x in g.get("list", []) if x["start"] == "main.soakWorker"]
v = {
    "recorded": d["events"]["recorded"],
    "lost": d["events"]["lost"],
    "written": d["capture"]["written"],
    "read_lost": d["capture"]["read"] + d["events"]["lost"],
    "duration": d["capture"]["duration_ns"] // 10**9,
    "getppid": sum(s["count"] for s in d["syscalls"] if s["name"] == "getppid"),
    "other_syscalls": sorted({s["name"] for s in d["syscalls"]} - {"getppid"}),
    "created": g.get("created", -1),
    "exited": g.get("exited", -1),
    "max_live": g.get("max_live", -1),
    "by_start": one(g.get("by_start", []), "main.soakWorker"),
    "by_creator": one(g.get("by_creator", []), "main.spawner"),
    "rows": len(w),
    "rows_created_exited": sum(1 for x in w if x["created"] and x["exited"]),
    "rows_one_getppid": sum(1 for x in w if x["syscalls"] == 1),
    "rows_creator": sorted({x["creator"] for x in w}),
    "lower_bounds": g.get("lower_bounds"),
}
for k, x in v.items():
    print(k, str(x).replace(" ", ""))
PY
v() { awk -v k="$1" '$1 == k { print $2 }' "$work/vals"; }
echo "# report: ${report_s}s for $((filesize / 1000000)) MB; $(v recorded) records, $(v lost) lost," \
	"$(v created) goroutines created, $(v exited) exited, at most $(v max_live) alive"

check_ge "the capture covers the whole run (${minutes} min)" "$seconds" "$(v duration)"
check_eq "nothing lost" 0 "$(v lost)"
check_eq "written == read + lost" "$(v written)" "$(v read_lost)"
check_eq "every record the module wrote is in the file" "$(v written)" "$(v recorded)"
check_eq "nothing lost in any sample during the run" "" \
	"$(awk '$1 == "run" && $9 != 0 { printf "%ss:%s ", $2, $9 }' "$curve")"
check_eq "only getppid among the syscalls" "[]" "$(v other_syscalls)"
check_eq "getppid calls == gobusy's getppids" "$getppids" "$(v getppid)"
check_eq "soakWorker goroutines created (by_start) == spawned" "$spawned" "$(v by_start)"
check_eq "goroutines created by main.spawner (by_creator) == spawned" "$spawned" "$(v by_creator)"
check_eq "soakWorker goroutines seen == spawned" "$spawned" "$(v rows)"
check_eq "soakWorker goroutines created and exited in the capture == spawned" "$spawned" "$(v rows_created_exited)"
check_eq "soakWorker goroutines with exactly one syscall (getppid) == spawned" "$spawned" "$(v rows_one_getppid)"
check_eq "soakWorker's creator" "['main.spawner']" "$(v rows_creator)"
check_eq "the goroutine figures are exact, not lower bounds" False "$(v lower_bounds)"
# Created and exited agree: every soakWorker exited, and what is left is
# the service's long-lived goroutines still alive when it exited (HTTP
# connections' goroutines, GC workers): a few dozen at most, not a leak
# growing with the run. max_live bounds the service's goroutines at any
# moment the same way.
c=$(v created) e=$(v exited)
check_range "goroutines exited: from spawned to created" "$spawned" "$c" "$e"
check_range "goroutines created but alive at the end: at most 64" 0 64 $((c - e))
check_range "goroutines alive at once: at most 200" 1 200 "$(v max_live)"

# ---- memory ------------------------------------------------------------------
# The curve: the samples during the run; "warm" is the first at or after
# the warm-up, "last" the last one taken while the capture ran.
awk -v w="$warmup" '$1 == "run" && $2 >= w && !f { print; f = 1 }' "$curve" >"$work/warm"
read -r _ warm_s warm_su _ <"$work/warm" || warm_s=
last_s=$(col run 2) last_su=$(col run 3)
base_su=$(col baseline 3) loaded_su=$(col loaded 3) end_su=$(col end 3)
if [ -z "$warm_s" ] || [ "$warm_s" = "$last_s" ]; then
	not_ok "slab: no samples after the warm-up (${warmup}s) to compare"
	warm_su=$last_su
else
	grow=$((last_su - warm_su))
	pct_x10=$((grow * 1000 / warm_su))
	pct=$(awk -v g="$grow" -v b="$warm_su" 'BEGIN { printf "%+.1f%%", g * 100 / b }')
	peak=$(awk -v w="$warm_s" '$1 == "run" && $2 >= w && $3 > m { m = $3 } END { print m }' "$curve")
	# A leak per event or per goroutine grows all the time: the slope
	# from a least-squares fit says whether the growth is one.
	slope=$(awk -v w="$warm_s" '$1 == "run" && $2 >= w { n++; x += $2; y += $3; xx += $2 * $2; xy += $2 * $3 }
		END { d = n * xx - x * x; printf "%.1f", d ? (n * xy - x * y) / d * 60 : 0 }' "$curve")
	echo "# slab: SUnreclaim ${warm_su} KiB at ${warm_s}s, peak ${peak}, ${last_su} at ${last_s}s:" \
		"${grow} KiB (${pct}), fit ${slope} KiB/min"
	grow_caches=$(slabdiff "$work/slabinfo.warm" "$work/slabinfo.run")
	echo "# slab caches that changed most from ${warm_s}s to ${last_s}s (KiB): $grow_caches"
	check_range "slab: SUnreclaim growth from ${warm_s}s to ${last_s}s under $slab_kib KiB" \
		-999999 $((slab_kib - 1)) "$grow"
	check_range "slab: SUnreclaim growth from ${warm_s}s to ${last_s}s under $slab_pct%" \
		-999999 $((slab_pct * 10 - 1)) "$pct_x10"
fi

# Give back the memory: the file, the report, the module; then settle
# the way the baseline did.
rm -f "$cap" "$cap.json"
check "rmmod godiag" module_unload
sync
echo 3 >/proc/sys/vm/drop_caches
sleep 5
sample unloaded
un_su=$(col unloaded 3)
un_caches=$(slabdiff "$work/slabinfo.baseline" "$work/slabinfo.unloaded")
echo "# slab caches that changed most from before insmod to after rmmod (KiB): $un_caches"
check_range "slab: SUnreclaim after rmmod within $unload_kib KiB of before insmod ($base_su)" \
	$((base_su - unload_kib)) $((base_su + unload_kib)) "$un_su"

# ---- results -------------------------------------------------------------
{
	echo "soak: $minutes min capture on $(uname -r), $(nproc) CPUs, TCG; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "workload: $(basename "$gobusy") --spawn-rate $spawn_rate ${shape[*]}"
	echo "capture: --goroutines --syscalls --syscall getppid --buffer $buffer"
	echo "gobusy: $line"
	echo "capture: $(v recorded) records ($(v written) written, $(v lost) lost)," \
		"$((filesize / 1000000)) MB file (expected about $expected_mb MB), ${elapsed} s, report ${report_s} s"
	echo "goroutines: $(v created) created, $(v exited) exited, $(v max_live) alive at most;" \
		"main.soakWorker $(v by_start) created, $(v rows_one_getppid) with their one getppid; getppid $(v getppid)"
	echo "SUnreclaim KiB: before insmod $base_su, loaded $loaded_su, after warm-up (${warm_s:-?}s) $warm_su," \
		"peak ${peak:-?}, end of capture $last_su (growth ${grow:-?} KiB, ${pct:-?}, fit ${slope:-?} KiB/min)," \
		"after the capture $end_su, after rmmod $un_su"
	echo "slab caches that changed most (KiB), warm-up to end of capture: ${grow_caches:-?}"
	echo "slab caches that changed most (KiB), before insmod to after rmmod: $un_caches"
	echo "verdict: $([ "$failures" = 0 ] && echo pass || echo "FAIL ($failures)")"
	echo
	echo "curve (memory in KiB; written/lost: records of the session so far):"
	printf '%-9s %6s %11s %11s %9s %9s %8s %11s %11s %6s %9s\n' label min sunreclaim sreclaimable \
		kmalloc vmalloc avail_mb written written/s lost file_mb
	awk 'BEGIN { pw = 0; ps = 0 }
	{
		rate = "-"
		if ($2 != "-" && $8 != "-" && $2 > ps) { rate = int(($8 - pw) / ($2 - ps)); pw = $8; ps = $2 }
		m = $2 == "-" ? "-" : sprintf("%.1f", $2 / 60)
		printf "%-9s %6s %11s %11s %9s %9s %8d %11s %11s %6s %9.1f\n", $1, m, $3, $4, $5, $6, $7 / 1024, $8, rate, $9, $10 / 1e6
	}' "$curve"
} >"$results"
echo SOAK-RESULTS-BEGIN
cat "$results"
echo SOAK-RESULTS-END
