# shellcheck shell=bash source-path=SCRIPTDIR
# The guest half of `make bench` (tests/bench/run.sh boots the VM that runs
# it). Measures, in one VM run:
#
#   1. what a getpid(2) costs untraced, traced by godiag, bpftrace, strace
#      and perf trace, and what a process NOT traced pays while godiag or
#      bpftrace trace another one;
#   2. how many records per second one CPU can write into a godiag buffer
#      (reader draining to a file, reader discarding, no reader);
#   3. how much is lost when the reader is slower than the writer, per
#      buffer size;
#   4. what goroutine tracing costs two Go programs (channel ping-pong, an
#      HTTP server under wrk): godiag against bpftrace on the same uprobes
#      and Go's own runtime/trace (tests/bench/go.sh);
#   6. what a breakpoint costs per call of a probed Go function: godiag
#      with two arguments, with a false --if, with --latency, against
#      bpftrace on the same instruction and an empty uprobe, the floor
#      (tests/bench/bp.sh).
#
# It prints a table between GODIAG-BENCH-BEGIN and GODIAG-BENCH-END, and
# progress lines starting with "bench:". It fails only when a tool errors
# out; the figures never make it fail. perf trace may be "n/a" (the reason
# is printed). Knobs (exported on the host, passed in by the VM harness):
#
#   GODIAG_BENCH_N         getpid calls per repetition, godiag/bpftrace (200000)
#   GODIAG_BENCH_N_STRACE  the same for strace (1000)
#   GODIAG_BENCH_N_PERF    the same for perf trace (20000)
#   GODIAG_BENCH_REPS      timed repetitions per configuration (5)
#   GODIAG_BENCH_SECS      seconds of each records/s and loss run (2)
#   GODIAG_BENCH_RATE_RUNS runs per reader of the records/s measurement (3)
#   GODIAG_BENCH_GO_SECS   seconds of each Go program window (3)
#   GODIAG_BENCH_GO_REPS   windows per Go configuration (GODIAG_BENCH_REPS)
#   GODIAG_BENCH_BP_N      calls per repetition of section 6 (20000)
#   GODIAG_BENCH_SECTIONS  which sections to run ("1 2 3 4 6"; 2 and 3 go together; 5 is the
#                          host's, tests/bench/dump.sh)
set -u

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo" || exit 1
build=${GODIAG_BUILD:-$repo/build}
bench=$build/bench
progs=$build/progs
ctl=$repo/ctl/godiagctl
# run.sh copies the module here, so a concurrent rebuild cannot race insmod
ko=$build/bench/godiag-$(uname -r).ko
[ -e "$ko" ] || ko=$build/mod/$(uname -r)/kmod/godiag.ko
sysloop=$bench/sysloop
N=${GODIAG_BENCH_N:-200000}
N_STRACE=${GODIAG_BENCH_N_STRACE:-1000}
N_PERF=${GODIAG_BENCH_N_PERF:-20000}
REPS=${GODIAG_BENCH_REPS:-5}
SECS=${GODIAG_BENCH_SECS:-2}
RATE_RUNS=${GODIAG_BENCH_RATE_RUNS:-3}
SESS_BUF=16M		# (c), (c2): holds a whole round's records
BIG=128M		# section 2: never fills in SECS seconds under TCG
BIG_BYTES=134217728
SECTIONS=${GODIAG_BENCH_SECTIONS:-1 2 3 4 6}
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
work=$(mktemp -d /tmp/bench.XXXXXX)
errors=0
bgs=()			# every background process started here
t_start=$(date +%s)

log() { echo "bench: [$(($(date +%s) - t_start))s] $*"; }
err() {
	echo "bench: ERROR: $*"
	errors=$((errors + 1))
}

# spawn VAR CMD...: start CMD in the background, its pid into VAR.
spawn() {
	local var=$1
	shift
	"$@" &
	bgs+=($!)
	printf -v "$var" '%s' "$!"
}

# reap PID [SIGNAL]: send SIGNAL (if given) to one of ours and wait for it;
# returns its exit status.
reap() {
	local st p keep=()
	[ -n "${2:-}" ] && kill "-$2" "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	st=$?
	for p in "${bgs[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	bgs=("${keep[@]}")
	return $st
}

cleanup() {
	local p
	for p in "${bgs[@]}"; do
		kill -0 "$p" 2>/dev/null || continue
		kill -TERM "$p" 2>/dev/null
		sleep 0.5
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -d /sys/module/godiag ] && rmmod godiag
	rm -rf "$work"
}
trap cleanup EXIT

load() { [ -d /sys/module/godiag ] || insmod "$ko" || err "insmod $ko"; }
unload() { [ ! -d /sys/module/godiag ] || rmmod godiag || err "rmmod godiag"; }

# wait_for FILE ERE SECONDS PID: until FILE has a line matching ERE; fails
# when PID died or SECONDS passed.
wait_for() {
	local file=$1 re=$2 end=$(($(date +%s) + $3)) pid=$4
	until grep -Eq -- "$re" "$file" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || return 1
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# wait_running SECONDS: until a godiag session is running.
wait_running() {
	local end=$(($(date +%s) + $1))
	until "$ctl" sessions --json 2>/dev/null | grep -q '"state":"running"'; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# start_loop VAR OUT ARGS...: sysloop on CPU 0 waiting for SIGUSR1; its
# job's pid into VAR (to wait for) and, once it printed "ready", its own
# pid into loop_pid (to trace and signal).
start_loop() {
	local var=$1 out=$2 p
	shift 2
	spawn p taskset -c 0 "$sysloop" --wait-signal "$@" >"$out"
	printf -v "$var" '%s' "$p"
	if ! wait_for "$out" '^ready ' 60 "$p"; then
		err "sysloop did not start"
		reap "$p" TERM
		return 1
	fi
	loop_pid=$(sed -n 's/^ready //p' "$out")
}

# first / last JSON number of KEY in FILE (the JSON is compact).
jfirst() { grep -o "\"$2\":[0-9]*" "$1" | head -1 | cut -d: -f2; }
jlast() { grep -o "\"$2\":[0-9]*" "$1" | tail -1 | cut -d: -f2; }
# getpid count in a godiagctl report --json
jgetpid() { grep -o '"name":"getpid","nr":39,"count":[0-9]*' "$1" | cut -d: -f4; }

# median of the ns_per_op of the repetitions in FILE...
median() {
	sed -n 's/^rep=.* ns_per_op=//p' "$@" | sort -g |
		awk '{ v[NR] = $1 } END { if (!NR) exit 1;
			if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# ---- section 1: ns per syscall --------------------------------------------

# Per configuration: median, minimum, the repetitions, getpid calls the
# loop made and the tool saw, notes.
declare -A ns mins reps_txt made seen note c_recs c_lost

# minimum of the ns_per_op of the repetitions in FILE...
minimum() { sed -n 's/^rep=.* ns_per_op=//p' "$@" | sort -g | head -1; }

# loop_result KEY OUT...: record median, minimum and repetitions of OUT...
# (or an error).
loop_result() {
	local key=$1 line
	shift
	# one awk: insertion sort (a handful of values), median, minimum, list
	line=$(sed -n 's/^rep=.* ns_per_op=//p' "$@" | awk '{ all = all " " $1
			for (i = NR; i > 1 && v[i - 1] > $1 + 0; i--) v[i] = v[i - 1]
			v[i] = $1 + 0 }
		END { if (!NR) exit 1
			med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.1f %.1f%s\n", med, v[1], all }')
	if [ -n "$line" ]; then
		read -r "ns[$key]" "mins[$key]" "reps_txt[$key]" <<<"$line"
		log "$key: median ${ns[$key]} ns/syscall (reps: ${reps_txt[$key]})"
	else
		ns[$key]=ERROR
		err "$key: no timing (sysloop failed)"
	fi
}

# count KEY CALLS: the loop of KEY made CALLS more getpid calls.
count() { made[$1]=$((${made[$1]:-0} + $2)); }
add() { # ARRAY KEY N
	local -n arr=$1
	arr[$2]=$((${arr[$2]:-0} + ${3:-0}))
}

# untraced KEY OUT REPS: the loop, nobody tracing it.
untraced() {
	taskset -c 0 "$sysloop" --reps "$3" getpid "$N" >"$2" || err "$1: sysloop failed"
	count "$1" $(($3 * N + N / 10 + 1))
}

# godiag_capture KEY OUT REPS CAPTURE-ARGS...: the loop traced by
# godiagctl capture -p (the loop starts once the session runs).
godiag_capture() {
	local key=$1 out=$2 reps=$3 pid cap
	shift 3
	start_loop pid "$out" --reps "$reps" getpid "$N" || return
	spawn cap taskset -c 1 "$ctl" capture -p "$loop_pid" --syscalls "$@" \
		-o "$work/$key.cap" 2>"$work/$key.err"
	if ! wait_running 120; then
		err "$key: the capture session never ran: $(tail -1 "$work/$key.err")"
		reap "$pid" TERM
		reap "$cap" INT
		return
	fi
	kill -USR1 "$loop_pid"
	reap "$pid" || err "$key: sysloop failed"
	reap "$cap" || err "$key: capture failed: $(tail -1 "$work/$key.err")"
	count "$key" $((reps * N + N / 10 + 1))
	"$ctl" report --json "$work/$key.cap" >"$work/$key.json" ||
		{ err "$key: report failed"; return; }
	# c2 writes no records by design: nothing to count
	[ "$key" = c2 ] || add seen "$key" "$(jgetpid "$work/$key.json")"
	add c_recs "$key" "$(jfirst "$work/$key.json" recorded)"
	add c_lost "$key" "$(jfirst "$work/$key.json" lost)"
	rm -f "$work/$key.cap"
}

# the bpftrace program of the comparison, for pid $1
# shellcheck disable=SC2016
BT_PROG='tracepoint:raw_syscalls:sys_enter /pid == $1/ { @s[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /pid == $1 && @s[tid]/ {
	@lat[args->id] = hist(nsecs - @s[tid]); delete(@s[tid]); }'

# bpftrace_start VAR OUT PID: bpftrace for PID, its pid into VAR once attached.
bpftrace_start() {
	local var=$1 out=$2 p t0
	t0=$(date +%s)
	spawn p bpftrace -e "$BT_PROG" "$3" >"$out" 2>&1
	printf -v "$var" '%s' "$p"
	if ! wait_for "$out" '^Attaching' 900 "$p"; then
		err "bpftrace did not attach: $(tail -3 "$out" | paste -sd' ')"
		return 1
	fi
	log "bpftrace attached in $(($(date +%s) - t0)) s"
}

bpftrace_traced() { # KEY
	local key=$1 pid bt
	start_loop pid "$work/$key.out" --reps "$REPS" getpid "$N" || return
	if ! bpftrace_start bt "$work/$key.bt" "$loop_pid"; then
		reap "$pid" TERM
		reap "$bt" INT
		return
	fi
	kill -USR1 "$loop_pid"
	reap "$pid" || err "$key: sysloop failed"
	reap "$bt" INT || err "$key: bpftrace failed: $(tail -1 "$work/$key.bt")"
	count "$key" $((REPS * N + N / 10 + 1))
	loop_result "$key" "$work/$key.out"
	# the getpid (39) histogram: "[lo, hi)  count |@@@|"
	seen[$key]=$(awk '/^@lat\[39\]:/ { h = 1; next }
		h && /^\[/ { for (i = 2; i <= NF; i++) if ($i ~ /^\|/) { n += $(i - 1); break }; next }
		h { h = 0 } END { print n + 0 }' "$work/$key.bt")
}

# untraced_beside_bpftrace KEY: bpftrace traces a sleeping process.
untraced_beside_bpftrace() {
	local key=$1 sp bt
	spawn sp sleep 3600
	if bpftrace_start bt "$work/$key.bt" "$sp"; then
		untraced "$key" "$work/$key.out" "$REPS"
		loop_result "$key" "$work/$key.out"
	fi
	reap "$bt" INT
	reap "$sp" TERM
}

# untraced_beside_godiag KEY OUT REPS: a godiag capture traces a sleeping
# process.
untraced_beside_godiag() {
	local key=$1 sp cap
	spawn sp sleep 3600
	spawn cap taskset -c 1 "$ctl" capture -p "$sp" --syscalls -o "$work/$key.cap" \
		2>"$work/$key.err"
	if wait_running 120; then
		untraced "$key" "$2" "$3"
	else
		err "$key: the capture session never ran: $(tail -1 "$work/$key.err")"
	fi
	reap "$cap" INT || err "$key: capture failed: $(tail -1 "$work/$key.err")"
	reap "$sp" TERM
}

strace_traced() { # KEY
	local key=$1
	# strace shares CPU 0 with its tracee: see docs/PERFORMANCE.md.
	taskset -c 0 strace -c -f -o "$work/$key.strace" \
		"$sysloop" --reps "$REPS" getpid "$N_STRACE" >"$work/$key.out" 2>"$work/$key.err" ||
		err "$key: strace failed: $(tail -1 "$work/$key.err")"
	count "$key" $((REPS * N_STRACE + N_STRACE / 10 + 1))
	loop_result "$key" "$work/$key.out"
	seen[$key]=$(awk '$NF == "getpid" { print $4 }' "$work/$key.strace")
}

perf_traced() { # KEY
	local key=$1 why
	if taskset -c 1 perf trace -s -o "$work/$key.perf" -- \
		taskset -c 0 "$sysloop" --reps "$REPS" getpid "$N_PERF" \
		>"$work/$key.out" 2>"$work/$key.err" && median "$work/$key.out" >/dev/null; then
		count "$key" $((REPS * N_PERF + N_PERF / 10 + 1))
		loop_result "$key" "$work/$key.out"
		seen[$key]=$(awk '$1 == "getpid" { n += $2 } END { print n + 0 }' "$work/$key.perf")
		if grep -qi 'lost' "$work/$key.err" "$work/$key.perf"; then
			note[$key]="perf trace reported lost events: $(grep -hi 'lost' "$work/$key.err" "$work/$key.perf" | head -1)"
		fi
	else
		why=$(grep -v '^rep=\|^median' "$work/$key.err" "$work/$key.perf" 2>/dev/null |
			sed 's/^[^:]*://' | grep -v '^ *$' | head -2 | paste -sd' ')
		ns[$key]=n/a
		note[$key]="perf trace could not run: ${why:-no output}"
		log "$key: n/a: ${note[$key]}"
	fi
}

# ---- sections 2 and 3: records per second, loss ---------------------------

declare -A s_written s_lost s_ns s_read

# cap_rate KEY BUFFER: sysloop for SECS traced by godiagctl capture.
cap_rate() {
	local key=$1 pid cap
	start_loop pid "$work/$key.out" for "$SECS" || return
	spawn cap taskset -c 1 "$ctl" capture -p "$loop_pid" --syscalls --buffer "$2" \
		-o "$work/$key.cap" 2>"$work/$key.err"
	if ! wait_running 120; then
		err "$key: the capture session never ran: $(tail -1 "$work/$key.err")"
		reap "$pid" TERM
		reap "$cap" INT
		return
	fi
	kill -USR1 "$loop_pid"
	reap "$pid" || err "$key: sysloop failed"
	reap "$cap" || err "$key: capture failed: $(tail -1 "$work/$key.err")"
	"$ctl" report --json "$work/$key.cap" >"$work/$key.json" ||
		{ err "$key: report failed"; return; }
	s_written[$key]=$(jfirst "$work/$key.json" written)
	s_lost[$key]=$(jfirst "$work/$key.json" lost)
	s_read[$key]=$(jfirst "$work/$key.json" recorded)
	s_ns[$key]=$(sed -n 's/^rep=1 .* ns=\([0-9]*\) .*/\1/p' "$work/$key.out")
	log "$key: written ${s_written[$key]} lost ${s_lost[$key]} in ${s_ns[$key]} ns"
	rm -f "$work/$key.cap"
}

nl() { # CMD ATTRS...: succeeds when the kernel said errno=0
	"$progs/nlraw" send "$@" | grep -q '^errno=0 '
}

# nl_rate KEY BUFFER-BYTES [READER...]: sysloop for SECS traced by a session
# made with nlraw, READER (given the session id as last argument) reading.
nl_rate() {
	local key=$1 size=$2 sid pid rd=
	shift 2
	sid=$("$progs/nlraw" session-new --buffer "$size" | sed -n 's/^session=//p')
	[ -n "$sid" ] || { err "$key: session-new failed"; return; }
	if ! start_loop pid "$work/$key.out" for "$SECS"; then
		nl session-del session-id:u32:"$sid"
		return
	fi
	[ $# -gt 0 ] && spawn rd taskset -c 1 "$@" "$sid" >"$work/$key.reader"
	if nl target-add session-id:u32:"$sid" pid:u32:"$loop_pid" &&
		nl session-start session-id:u32:"$sid"; then
		kill -USR1 "$loop_pid"
		reap "$pid" || err "$key: sysloop failed"
	else
		err "$key: session setup failed"
		reap "$pid" TERM
	fi
	nl session-stop session-id:u32:"$sid" || err "$key: session-stop failed"
	[ -z "$rd" ] || reap "$rd" || err "$key: reader $1 failed"
	"$ctl" stats -s "$sid" --json >"$work/$key.stats" || err "$key: stats failed"
	nl session-del session-id:u32:"$sid" || err "$key: session-del failed"
	s_written[$key]=$(jlast "$work/$key.stats" written)
	s_lost[$key]=$(jlast "$work/$key.stats" lost)
	s_read[$key]=$(jlast "$work/$key.stats" read)
	s_ns[$key]=$(sed -n 's/^rep=1 .* ns=\([0-9]*\) .*/\1/p' "$work/$key.out")
	log "$key: written ${s_written[$key]} lost ${s_lost[$key]} read ${s_read[$key]} in ${s_ns[$key]} ns"
}

# section 4: go_bench, go_table
# shellcheck source=go.sh
. "$repo/tests/bench/go.sh"
# section 6: bp_bench, bp_table
# shellcheck source=bp.sh
. "$repo/tests/bench/bp.sh"

# ---- run -------------------------------------------------------------------

for f in "$sysloop" "$bench/slowread" "$ko" "$ctl" "$progs/nlraw" "$progs/gdread" \
	"$bench/pingpong" "$bench/httpd"; do
	[ -e "$f" ] || { echo "bench: missing $f (run tests/bench/run.sh)"; exit 1; }
done
for t in bpftrace strace perf taskset wrk; do
	command -v "$t" >/dev/null || err "$t is not installed"
done
log "kernel $(uname -r), $(nproc) CPUs, clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
log "N=$N (strace $N_STRACE, perf $N_PERF) x $REPS repetitions; SECS=$SECS"

log "sections: $SECTIONS"
# (a), (b), (c), (c2): REPS rounds, one timed repetition each, so that a
# burst of load on the host spreads over all four instead of hitting one.
want 1 && for r in $(seq "$REPS"); do
	unload
	log "1. round $r/$REPS: (a) untraced"
	untraced a "$work/a.$r.out" 1
	load
	log "1. round $r/$REPS: (b) untraced, godiag tracing another process"
	untraced_beside_godiag b "$work/b.$r.out" 1
	log "1. round $r/$REPS: (c) godiagctl capture"
	godiag_capture c "$work/c.$r.out" 1 --buffer "$SESS_BUF"
	log "1. round $r/$REPS: (c2) godiag histograms only"
	godiag_capture c2 "$work/c2.$r.out" 1 --buffer "$SESS_BUF" --syscall-min 1s
done
if want 1; then
unload
for k in a b c c2; do
	loop_result "$k" "$work/$k".*.out
done
# Tools that take a minute to start: one session, REPS repetitions.
log "1. (d) bpftrace"
bpftrace_traced d
log "1. (b2) untraced, bpftrace tracing another process"
untraced_beside_bpftrace b2
log "1. (e) strace -c -f"
strace_traced e
log "1. (f) perf trace -s"
perf_traced f
log "1. (a2) untraced again"
untraced a2 "$work/a2.out" "$REPS"
loop_result a2 "$work/a2.out"
fi

if want 2 || want 3; then
load
for r in $(seq "$RATE_RUNS"); do
	log "2. records/s, run $r/$RATE_RUNS: reader draining to a file"
	cap_rate "r_cap_$r" "$BIG"
	log "2. records/s, run $r/$RATE_RUNS: gdread > /dev/null"
	nl_rate "r_gdread_$r" "$BIG_BYTES" "$progs/gdread"
	log "2. records/s, run $r/$RATE_RUNS: no reader"
	nl_rate "r_none_$r" "$BIG_BYTES"
done
for sz in 16K 64K 256K 1M 4M; do
	log "3. loss, capture --buffer $sz"
	cap_rate "l_$sz" "$sz"
done
for sz in 1M 4M; do
	log "3. loss, slow reader, buffer $sz"
	bytes=$(( ${sz%M} << 20 ))
	nl_rate "l_slow_$sz" "$bytes" "$bench/slowread" --sleep-ms 10
done
unload
fi

want 4 && go_bench
want 6 && bp_bench

# ---- table -----------------------------------------------------------------

# The untraced baseline: every untraced repetition, (a) rounds and (a2).
base=$(median "$work"/a.*.out "$work/a2.out" 2>/dev/null || echo ERROR)
base_min=$(minimum "$work"/a.*.out "$work/a2.out" 2>/dev/null || echo ERROR)
isnum() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
# ratio / adds VALUE [BASE]
ratio() { isnum "$1" && isnum "${2:-$base}" && calc "%.2f" "$1 / ${2:-$base}" || echo -; }
adds() { isnum "$1" && isnum "${2:-$base}" && calc "%.0f" "$1 - ${2:-$base}" || echo -; }
pct() { isnum "${1:-}" && isnum "${2:-}" && [ "$2" -gt 0 ] && calc "%.1f%%" "100 * $1 / $2" || echo -; }

table() {
	echo "godiag benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), qemu TCG, $(nproc) vCPUs"
	echo "Absolute times under TCG mean nothing; read the ratios. Other VMs may share the host."
	echo
	want 1 && table1
	want 2 || want 3 && table23
	want 4 && go_table
	want 6 && bp_table
	echo
	echo "bench took $(($(date +%s) - t_start)) s in the guest; $errors tool error(s)"
}

table1() {
	local k label n
	echo "1. Syscall overhead: getpid(2) loop pinned to CPU 0, ns per call: median (and minimum) of $REPS timed"
	echo "   repetitions; (a), (b), (c), (c2) in $REPS interleaved rounds, one process per repetition; (b2), (d),"
	echo "   (e), (f), (a2): one process, $REPS repetitions. Untraced = all (a) and (a2) repetitions: median $base,"
	echo "   minimum $base_min ns; x untraced and adds ns are against that median"
	echo
	printf '%-56s %9s %10s %8s %10s %8s %7s\n' configuration "calls/rep" "ns/syscall" "min" \
		"x untraced" "adds ns" "seen"
	for k in a b b2 c c2 d e f a2; do
		case $k in
		a) label="(a)  untraced, module not loaded" n=$N ;;
		b) label="(b)  untraced, godiag capture tracing another process" n=$N ;;
		b2) label="(b2) untraced, bpftrace tracing another process" n=$N ;;
		c) label="(c)  godiagctl capture -p (records + histograms)" n=$N ;;
		c2) label="(c2) godiag histograms only (--syscall-min 1s)" n=$N ;;
		d) label="(d)  bpftrace raw_syscalls latency hist, pid filter" n=$N ;;
		e) label="(e)  strace -c -f (on the tracee's CPU)" n=$N_STRACE ;;
		f) label="(f)  perf trace -s" n=$N_PERF ;;
		a2) label="(a2) untraced again, module not loaded" n=$N ;;
		esac
		printf '%-56s %9s %10s %8s %10s %8s %7s\n' "$label" "$n" "${ns[$k]:-ERROR}" \
			"${mins[$k]:--}" "$(ratio "${ns[$k]:-}")" "$(adds "${ns[$k]:-}")" \
			"$(pct "${seen[$k]:-}" "${made[$k]:-}")"
	done
	echo "   seen: getpid calls the tool recorded / calls the loop made (repetitions + warm-up of calls/rep/10)"
	for k in c c2 d e f; do
		[ -n "${seen[$k]:-}" ] && echo "   ($k) seen ${seen[$k]} of ${made[$k]} getpid calls"
	done
	for k in c c2; do
		[ -n "${c_recs[$k]:-}" ] && echo "   ($k) capture files: ${c_recs[$k]} records, ${c_lost[$k]} lost"
	done
	[ -n "${note[f]:-}" ] && echo "   (f) ${note[f]}"
	for k in a b b2 c c2 d e f a2; do
		echo "   ($k) repetitions: ${reps_txt[$k]:-none}"
	done
	echo
	echo "godiag adds $(adds "${ns[c]:-}") ns/syscall, bpftrace adds $(adds "${ns[d]:-}") ns/syscall" \
		"(medians; godiag histograms only: $(adds "${ns[c2]:-}") ns/syscall)"
	echo "from the minima: godiag adds $(adds "${mins[c]:-}" "$base_min") ns/syscall, bpftrace adds" \
		"$(adds "${mins[d]:-}" "$base_min") ns/syscall (histograms only: $(adds "${mins[c2]:-}" "$base_min"))"
	echo "a process that is not traced pays $(adds "${ns[b]:-}") ns/syscall beside a godiag session," \
		"$(adds "${ns[b2]:-}") ns/syscall beside bpftrace (minima: $(adds "${mins[b]:-}" "$base_min")," \
		"$(adds "${mins[b2]:-}" "$base_min"))"
	echo
}

table23() {
	local k label r rates lost med
	echo "2. Records per second one CPU writes: getpid loop for ${SECS} s on CPU 0, $BIG buffer per CPU,"
	echo "   reader on CPU 1; $RATE_RUNS runs per reader, interleaved; records/s = written / loop time"
	printf '%-40s %12s %10s %8s  %s\n' reader "records/s" "ns/record" lost "records/s of each run"
	for k in r_cap r_gdread r_none; do
		case $k in
		r_cap) label="godiagctl capture (mmap, into a file)" ;;
		r_gdread) label="gdread > /dev/null (read())" ;;
		r_none) label="none (records stay in the buffer)" ;;
		esac
		rates="" lost=0
		for r in $(seq "$RATE_RUNS"); do
			if isnum "${s_written[${k}_$r]:-}" && isnum "${s_ns[${k}_$r]:-}"; then
				rates+=" $(calc %.0f "${s_written[${k}_$r]} * 1e9 / ${s_ns[${k}_$r]}")"
				lost=$((lost + ${s_lost[${k}_$r]:-0}))
			else
				rates+=" ERROR"
			fi
		done
		med=$(tr ' ' '\n' <<<"$rates" | grep -Ev '^$|ERROR' | sort -n |
			awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }')
		if [ -n "$med" ]; then
			printf '%-40s %12s %10s %8s %s\n' "$label" "$med" "$(calc %.0f "1e9 / $med")" "$lost" "$rates"
		else
			printf '%-40s %12s\n' "$label" ERROR
		fi
	done
	echo
	echo "3. Loss when the reader is slower: getpid loop for ${SECS} s on CPU 0 (discard mode)"
	printf '%-12s %-40s %10s %10s %8s\n' "buffer/CPU" reader written lost "loss %"
	for k in l_16K l_64K l_256K l_1M l_4M l_slow_1M l_slow_4M; do
		case $k in
		l_slow_*) label="slowread: read() 64 KiB, sleep 10 ms" ;;
		*) label="godiagctl capture (mmap, 50 ms wake timer)" ;;
		esac
		if isnum "${s_written[$k]:-}" && [ "${s_written[$k]}" -gt 0 ]; then
			printf '%-12s %-40s %10s %10s %8s\n' "${k##*_}" "$label" "${s_written[$k]}" \
				"${s_lost[$k]}" "$(calc %.1f "100 * ${s_lost[$k]} / ${s_written[$k]}")"
		else
			printf '%-12s %-40s %10s\n' "${k##*_}" "$label" ERROR
		fi
	done
	echo
}

echo GODIAG-BENCH-BEGIN
table
echo GODIAG-BENCH-END
[ "$errors" -eq 0 ]
