# shellcheck shell=bash
# Section 6 of `make bench`, sourced by tests/bench/guest.sh (whose helpers
# it uses: log, err, spawn, reap, wait_for, wait_running, load, unload,
# jfirst, median, minimum, calc, isnum). A tight loop calling a small Go
# function (tests/bench/go/bpcall, built by run.sh into build/bench/),
# timed by the program itself around its loop, N calls per repetition:
#
#   (a) untraced;
#   (b) godiagctl capture --break main.work: a record per call with its two
#       arguments (a, b, from DWARF: RAX, RBX) and the goroutine;
#   (c) the same with --if 'a < 0', never true: every call trapped and
#       decided in the kernel, nothing written;
#   (d) --break main.work --latency: the entry and the RET probed, two
#       records per call;
#   (e) bpftrace on the same instruction (main.work's entry, where godiag
#       puts it: a leaf function has no stack check), printf of both
#       argument registers: a record per call into bpftrace's perf buffer;
#   (f) bpftrace on the same instruction with an empty action: the
#       mechanism's floor (the int3, the uprobe, an eBPF program).
#
# Each configuration is one bpcall process (--wait-signal: the tracer
# attaches first) making REPS repetitions; the figure is their median.
# "seen" checks that the tracer saw every call: godiag's recorded entries,
# bpftrace's lines, against the calls made. Knob: GODIAG_BENCH_BP_N
# (20000 calls per repetition).
# bp_bench runs it all; bp_table prints the rows.
# shellcheck disable=SC2154 # bench, work, ctl, REPS: set by guest.sh

BP_N=${GODIAG_BENCH_BP_N:-20000}
bp_bin=${bench:-}/bpcall
declare -A bp_seen bp_calls

# bp_start VAR OUT: bpcall on CPU 0 waiting for SIGUSR1; its job into VAR,
# its pid into bp_pid once it printed "ready".
bp_start() {
	local p
	spawn p taskset -c 0 "$bp_bin" --wait-signal --reps "$REPS" "$BP_N" >"$2" 2>&1
	printf -v "$1" '%s' "$p"
	if ! wait_for "$2" '^ready ' 60 "$p"; then
		err "6: bpcall did not start: $(tail -1 "$2")"
		reap "$p" TERM
		return 1
	fi
	bp_pid=$(sed -n 's/^ready //p' "$2")
}

bp_calls_of() { # KEY: the calls a process made (warm-up and repetitions)
	bp_calls[$1]=$((REPS * BP_N + BP_N / 10))
}

bp_untraced() {
	local job
	bp_start job "$work/bp_a.out" || return
	kill -USR1 "$bp_pid"
	reap "$job" || err "6 (a): bpcall failed"
}

# bp_godiag KEY BREAK-OPTIONS...: traced by a capture attached before the loop.
bp_godiag() {
	local key=$1 job cap
	shift
	bp_start job "$work/$key.out" || return
	spawn cap taskset -c 1 "$ctl" capture -p "$bp_pid" --buffer 64M --break main.work "$@" \
		-o "$work/$key.cap" 2>"$work/$key.err"
	if ! wait_running 120; then
		err "6 $key: the capture session never ran: $(tail -1 "$work/$key.err")"
		reap "$job" TERM
		reap "$cap" INT
		return
	fi
	kill -USR1 "$bp_pid"
	reap "$job" || err "6 $key: bpcall failed"
	reap "$cap" || err "6 $key: capture failed: $(tail -1 "$work/$key.err")"
	bp_calls_of "$key"
	if "$ctl" report --json "$work/$key.cap" >"$work/$key.json"; then
		bp_seen[$key]=$(python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))["breakpoints"][0]
print(b["recorded"] if sys.argv[2] != "bp_c" else b["filtered"])' "$work/$key.json" "$key")
	else
		err "6 $key: report failed"
	fi
	rm -f "$work/$key.cap"
}

# bp_bpftrace KEY ACTION: the uprobe at main.work's entry doing ACTION.
bp_bpftrace() {
	local key=$1 job bt t0
	bp_start job "$work/$key.out" || return
	# shellcheck disable=SC2028 # the \n are bpftrace's
	printf 'BEGIN { printf("bench: attached\\n"); }\nuprobe:%s:main.work { %s }\n' \
		"$bp_bin" "$2" >"$work/$key.bt"
	t0=$(date +%s)
	spawn bt bpftrace -B none "$work/$key.bt" >"$work/$key.btout" 2>&1
	if ! wait_for "$work/$key.btout" '^bench: attached' 900 "$bt"; then
		err "6 $key: bpftrace did not attach: $(tail -2 "$work/$key.btout" | paste -sd' ')"
		reap "$job" TERM
		reap "$bt" INT
		return
	fi
	log "6. $key: bpftrace attached in $(($(date +%s) - t0)) s"
	kill -USR1 "$bp_pid"
	reap "$job" || err "6 $key: bpcall failed"
	sleep 1
	reap "$bt" INT
	bp_calls_of "$key"
	if [ "$key" = bp_e ]; then
		bp_seen[$key]=$(grep -Ec '^[0-9]+ [0-9]+$' "$work/$key.btout")
	fi
}

bp_bench() {
	[ -x "$bp_bin" ] || { err "6: missing $bp_bin"; return; }
	unload
	log "6. (a) untraced"
	bp_untraced
	load
	log "6. (b) godiag --break main.work (two arguments)"
	bp_godiag bp_b
	log "6. (c) godiag --break main.work --if 'a < 0' (never true)"
	bp_godiag bp_c --if 'a < 0'
	log "6. (d) godiag --break main.work --latency"
	bp_godiag bp_d --latency
	unload
	log "6. (e) bpftrace uprobe, printf of both arguments"
	bp_bpftrace bp_e 'printf("%d %d\n", reg("ax"), reg("bx"));'
	log "6. (f) bpftrace uprobe, empty: the floor"
	bp_bpftrace bp_f ''
}

bp_table() {
	local k label med min base5 floor
	base5=$(median "$work/bp_a.out" 2>/dev/null || echo ERROR)
	floor=$(median "$work/bp_f.out" 2>/dev/null || echo ERROR)
	echo "6. Breakpoints: ns per call of main.work(a, b int) in a loop on CPU 0, $BP_N calls x $REPS"
	echo "   repetitions per configuration (median; adds: over untraced; above floor: over (f))"
	printf '%-52s %9s %9s %8s %12s %s\n' configuration "ns/call" "min" adds "above floor" seen
	for k in bp_a bp_b bp_c bp_d bp_e bp_f; do
		case $k in
		bp_a) label="(a) untraced" ;;
		bp_b) label="(b) godiag --break, 2 arguments recorded" ;;
		bp_c) label="(c) godiag --break --if 'a < 0' (false)" ;;
		bp_d) label="(d) godiag --break --latency (entry and RET)" ;;
		bp_e) label="(e) bpftrace uprobe, printf 2 arguments" ;;
		bp_f) label="(f) bpftrace uprobe, empty action (floor)" ;;
		esac
		med=$(median "$work/$k.out" 2>/dev/null || echo ERROR)
		min=$(minimum "$work/$k.out" 2>/dev/null || echo ERROR)
		printf '%-52s %9s %9s %8s %12s %s\n' "$label" "$med" "$min" "$(adds "$med" "$base5")" \
			"$(adds "$med" "$floor")" \
			"${bp_seen[$k]:+${bp_seen[$k]}/${bp_calls[$k]}}"
	done
	echo
}
