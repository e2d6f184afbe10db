# shellcheck shell=bash
# Section 4 of `make bench`, sourced by tests/bench/guest.sh (whose helpers
# it uses: log, err, spawn, reap, wait_for, wait_running, load, unload,
# jfirst, calc). Two Go programs, built by tests/bench/run.sh from
# tests/bench/go/ into build/bench/, each measured
#
#   (a) untraced;
#   (b) traced by `godiagctl capture -p PID --goroutines --buffer 64M`
#       (attached before the first measurement, losing nothing);
#   (c) probed by bpftrace at godiag's own probe points (every RET of
#       runtime.newproc1, and where godiag probes runtime.execute, gopark,
#       ready and goexit1), each uprobe counting into a map;
#   (d) with Go's own runtime/trace on (--trace FILE: trace.Start);
#   (e) probed by bpftrace as one usually writes it: uprobes at the entries
#       of those five functions, counting.
#
# pingpong: rounds/s of two goroutines passing a counter over two
# unbuffered channels, timed by the program itself. httpd: requests/s of
# a net/http server on 127.0.0.1 under `wrk -t1 -c4`. Both run with
# GOMAXPROCS=1 on CPU 0, and so does wrk: with wrk on the other vCPU,
# every request waits for cross-vCPU wakeups, which take milliseconds on a
# busy TCG host and hide the tracers' cost (docs/PERFORMANCE.md). The
# godiagctl readers run on CPU 1.
#
# Tracers take long to start under TCG (bpftrace about a minute, a
# godiagctl capture 10-20 s), so each configuration is ONE long-lived
# process per program, with its tracer attached once; the measurement is
# GO_REPS windows of GO_SECS seconds per configuration, the five
# configurations taking turns window by window (the order rotates every
# round), so that bursts of host load spread over all of them. pingpong
# makes one timed run per SIGUSR1 (--wait-signal); httpd serves one wrk
# run per window. Every configuration runs its own copy of the program
# (byte for byte the same, but for the symbols go_symbolize adds to (c)'s):
# bpftrace's uprobes sit on the file, and its copies are run by (c) and
# (e) only.
#
# Knobs: GODIAG_BENCH_GO_SECS (3), GODIAG_BENCH_GO_REPS (GODIAG_BENCH_REPS,
# 5).
# go_bench runs it all; go_table prints the rows.
# shellcheck disable=SC2154 # bench, work, ctl, REPS: set by guest.sh

GO_SECS=${GODIAG_BENCH_GO_SECS:-3}
GO_REPS=${GODIAG_BENCH_GO_REPS:-${REPS:-5}}
GO_BUF=64M		# per CPU: far more than a whole section's events
go_src=${bench:-}	# where run.sh put the binaries
go_bin=${work:-}/go	# the copies: pingpong.a ... httpd.e
go_cfgs="a b c d e"
go_version='?'

# Per KEY (pp_a ... hd_e): the windows' rates, median, best, units of work
# (rounds, requests), probe hits or records, lost records, trace bytes,
# wrk's complaints; the pid of each long-lived process and its output.
declare -A go_runs go_med go_best go_units go_ev go_lost go_bytes go_note go_bt
declare -A go_pid go_out go_port
declare -A go_cap	# the capture job of pp_b, hd_b
go_bt_pid=''
bt_t0=0

go_rate() { # KEY VALUE: one more window of KEY
	if [[ $2 =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
		go_runs[$1]+=" $2"
	else
		go_runs[$1]+=" ERROR"
	fi
}
go_add() { # ARRAY KEY N
	local -n arr=$1
	arr[$2]=$((${arr[$2]:-0} + ${3:-0}))
}

# wait_count FILE ERE N SECONDS PID: until FILE has N lines matching ERE
# (builtins only but sleep: forks are slow under TCG).
wait_count() {
	local now end line n
	printf -v end '%(%s)T' -1
	end=$((end + $4))
	while :; do
		n=0
		while IFS= read -r line; do
			[[ $line =~ $2 ]] && n=$((n + 1))
		done <"$1"
		[ "$n" -lt "$3" ] || return 0
		kill -0 "$5" 2>/dev/null || return 1
		printf -v now '%(%s)T' -1
		[ "$now" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# ---- the long-lived processes -------------------------------------------------

# go_start KEY PROGRAM ARGS...: PROGRAM's copy of KEY's configuration on
# CPU 0, GOMAXPROCS=1; its pid (and httpd's port) once it printed "ready".
go_start() {
	local key=$1 prog=$2 p
	shift 2
	go_out[$key]=$work/$key.out
	spawn p env GOMAXPROCS=1 taskset -c 0 "$go_bin/$prog.${key#*_}" "$@" >"${go_out[$key]}" 2>&1
	if ! wait_for "${go_out[$key]}" '^ready ' 60 "$p"; then
		err "$key: $prog did not start: $(tail -1 "${go_out[$key]}")"
		reap "$p" TERM
		return 1
	fi
	go_pid[$key]=$p
	go_port[$key]=$(sed -n 's/^ready pid=[0-9]* port=//p' "${go_out[$key]}")
}

# go_stop KEY: SIGTERM; it must exit 0.
go_stop() {
	[ -n "${go_pid[$1]:-}" ] || return
	reap "${go_pid[$1]}" TERM || err "$1: exit status $?: $(tail -1 "${go_out[$1]}")"
	go_pid[$1]=''
}

# pp_window KEY R: KEY's pingpong makes run R.
pp_window() {
	local key=$1 line
	if [ -z "${go_pid[$key]:-}" ]; then
		go_rate "$key" ERROR
		return
	fi
	kill -USR1 "${go_pid[$key]}"
	if ! wait_count "${go_out[$key]}" '^rounds=' "$2" $((GO_SECS * 20 + 60)) "${go_pid[$key]}"; then
		err "$key: run $2 did not finish: $(tail -1 "${go_out[$key]}")"
		go_rate "$key" ERROR
		reap "${go_pid[$key]}" KILL
		go_pid[$key]=''
		return
	fi
	line=$(grep '^rounds=' "${go_out[$key]}" | sed -n "$2p")
	go_rate "$key" "$(sed -n 's/.* rate=\([0-9.]*\)$/\1/p' <<<"$line")"
	go_add go_units "$key" "$(sed -n 's/^rounds=\([0-9]*\) .*/\1/p' <<<"$line")"
	if [ "$key" = pp_d ]; then
		go_add go_bytes "$key" "$(stat -c %s "$work/pp.trace" 2>/dev/null)"
	fi
}

# hd_window KEY R: wrk against KEY's httpd for GO_SECS.
hd_window() {
	local key=$1 out=$work/$1.wrk.$2 rps
	if [ -z "${go_pid[$key]:-}" ]; then
		go_rate "$key" ERROR
		return
	fi
	taskset -c 0 wrk -t1 -c4 -d"${GO_SECS}s" "http://127.0.0.1:${go_port[$key]}/" >"$out" 2>&1 ||
		err "$key: wrk failed: $(tail -1 "$out")"
	rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")
	go_rate "$key" "$rps"
	go_add go_units "$key" "$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$out")"
	if grep -Eq 'Socket errors|Non-2xx' "$out"; then
		go_note[$key]+=" window $2: $(grep -E 'Socket errors|Non-2xx' "$out" | paste -sd' ');"
	fi
}

# ---- godiag ------------------------------------------------------------------

# running_sessions: how many godiag sessions are running.
running_sessions() {
	"$ctl" sessions --json 2>/dev/null | grep -o '"state":"running"' | wc -l
}

# cap_start KEY: a godiagctl capture of KEY's process, running.
cap_start() {
	local key=$1 p n end
	[ -n "${go_pid[$key]:-}" ] || return 1
	n=$(running_sessions)
	spawn p taskset -c 1 "$ctl" capture -p "${go_pid[$key]}" --goroutines --buffer "$GO_BUF" \
		-o "$work/$key.cap" 2>"$work/$key.cap.err"
	end=$(($(date +%s) + 120))
	until [ "$(running_sessions)" -gt "$n" ]; do
		if ! kill -0 "$p" 2>/dev/null || [ "$(date +%s)" -ge "$end" ]; then
			err "$key: the capture session never ran: $(tail -1 "$work/$key.cap.err")"
			reap "$p" INT
			return 1
		fi
		sleep 0.1
	done
	go_cap[$key]=$p
}

# cap_end KEY: the capture ends with its target (stopped before); its
# counts.
cap_end() {
	local key=$1
	[ -n "${go_cap[$key]:-}" ] || return
	reap "${go_cap[$key]}" || err "$key: capture failed: $(tail -1 "$work/$key.cap.err")"
	log "4. $key: $(tail -1 "$work/$key.cap.err")"
	if "$ctl" report --json "$work/$key.cap" >"$work/$key.json"; then
		go_ev[$key]=$(jfirst "$work/$key.json" recorded)
		go_lost[$key]=$(jfirst "$work/$key.json" lost)
	else
		err "$key: report failed"
	fi
	rm -f "$work/$key.cap"
}

# ---- run.sh's part: godiag's probe points, bpftrace's copy -------------------
#
# Done on the host by `tests/bench/go.sh prepare DIR` (run.sh), where it
# takes a second rather than minutes: for each program in DIR,
# DIR/PROGRAM.points and (c)'s copy DIR/PROGRAM.c.

# go_points DIR PROGRAM: godiag's probe points in DIR/PROGRAM, one line
# each: KIND FUNCTION VADDR OFFSET-IN-FUNCTION INSTRUCTION (godiagctl
# inspect --json, nm, objdump), into DIR/PROGRAM.points.
go_points() {
	local bin=$1/$2 kind fn vaddr entry insn
	nm "$bin" >"$bin.nm" || return 1
	"$ctl" inspect --json "$bin" |
		grep -o '"kind":"[a-z]*","function":"[^"]*","vaddr":[0-9]*' |
		sed 's/"kind":"\([a-z]*\)","function":"\([^"]*\)","vaddr":\([0-9]*\)/\1 \2 \3/' |
		while read -r kind fn vaddr; do
			entry=$(awk -v f="$fn" '$3 == f { print $1; exit }' "$bin.nm")
			[ -n "$entry" ] || return 1
			insn=$(objdump -d --no-show-raw-insn --start-address="$vaddr" \
				--stop-address=$((vaddr + 16)) "$bin" |
				sed -n 's/^ *[0-9a-f]*:\t\([^#]*\).*/\1/p' | head -1 | tr -s ' \t' ' ')
			echo "$kind $fn $vaddr $((vaddr - 0x$entry)) ${insn% }"
		done >"$bin.points"
	rm -f "$bin.nm"
	[ "$(wc -l <"$bin.points")" -ge 5 ]
}

# go_symbolize DIR PROGRAM: DIR/PROGRAM.c, a copy of DIR/PROGRAM with an
# ELF symbol at each of godiag's probe points (godiag_bench_KIND_N).
# Debian 12's bpftrace 0.17 is built without libbfd and refuses any probe
# inside a function, FUNCTION+OFFSET and raw addresses alike ("Can't
# check if uprobe is in proper place", --unsafe or not); at a symbol of
# its own the offset is 0. objcopy --add-symbol, then the symbols get a
# size of 1 (bpftrace wants the offset inside the symbol). Only what is
# not loaded changes (the section headers, which Go puts in the first
# page, move to the end, and the symbol table grows): code and data are
# byte for byte the same, at the same addresses.
go_symbolize() {
	local bin=$1/$2 text args=() kind vaddr n=0
	text=$(readelf -SW "$bin" | sed -n 's/.* \.text  *PROGBITS  *\([0-9a-f]*\) .*/\1/p')
	[ -n "$text" ] || return 1
	while read -r kind _ vaddr _; do
		args+=(--add-symbol "godiag_bench_${kind}_$n=.text:$((vaddr - 0x$text)),function,global")
		n=$((n + 1))
	done <"$bin.points"
	objcopy "${args[@]}" "$bin" "$bin.c" || return 1
	python3 - "$bin.c" "$n" <<'EOF'
import struct, sys
path, want = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    d = bytearray(f.read())
    shoff, = struct.unpack_from("<Q", d, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", d, 0x3A)
    sh = [struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize) for i in range(shnum)]
    done = 0
    for s in sh:
        if s[1] != 2:  # SHT_SYMTAB
            continue
        strs = sh[s[6]][4]
        for off in range(s[4], s[4] + s[5], 24):
            name = d[strs + struct.unpack_from("<I", d, off)[0]:].split(b"\0", 1)[0]
            if name.startswith(b"godiag_bench_"):
                struct.pack_into("<Q", d, off + 16, 1)  # st_size
                done += 1
    f.seek(0)
    f.write(d)
sys.exit(done != want)
EOF
}

# go_prepare DIR: both programs.
go_prepare() {
	local w
	for w in pingpong httpd; do
		if ! go_points "$1" "$w" || ! go_symbolize "$1" "$w"; then
			echo "go.sh: cannot find or mark godiag's probe points in $1/$w" >&2
			return 1
		fi
	done
}

# ---- bpftrace ------------------------------------------------------------------

# bt_prog PROGRAM PREFIX: the uprobes, each counting into @PREFIX_CFG_KIND:
# (c) at godiag's own probe points (the added symbols), (e) at the entries
# of the same functions (`uprobe:BIN:runtime.gopark`, as one writes it).
bt_prog() {
	local kind fn n=0
	while read -r kind _; do
		printf 'uprobe:%s:godiag_bench_%s_%d { @%s_c_%s = count(); }\n' \
			"$go_bin/$1.c" "$kind" "$n" "$2" "$kind"
		n=$((n + 1))
	done <"$go_src/$1.points"
	awk '{ print $1, $2 }' "$go_src/$1.points" | sort -u | while read -r kind fn; do
		printf 'uprobe:%s:%s { @%s_e_%s = count(); }\n' "$go_bin/$1.e" "$fn" "$2" "$kind"
	done
}

# bt_start: start one bpftrace for the (c) and (e) copies of both
# programs; bt_wait waits until it attached (bpftrace runs BEGIN once
# every probe is).
bt_start() {
	local p
	{
		# shellcheck disable=SC2028 # the \n is bpftrace's
		echo 'BEGIN { printf("bench: probes attached\n"); }'
		bt_prog pingpong pp
		bt_prog httpd hd
	} >"$work/go.bt.prog"
	bt_t0=$(date +%s)
	spawn p bpftrace -B none "$work/go.bt.prog" >"$work/go.bt" 2>&1
	go_bt_pid=$p
}

bt_wait() {
	[ -n "$go_bt_pid" ] || return 1
	if ! wait_for "$work/go.bt" '^bench: probes attached' 900 "$go_bt_pid"; then
		err "(c): bpftrace did not attach: $(tail -3 "$work/go.bt" | paste -sd' ')"
		reap "$go_bt_pid" INT
		go_bt_pid=''
		return 1
	fi
	sleep 1
	log "4. (c), (e): bpftrace attached $(grep -c '^uprobe:' "$work/go.bt.prog") uprobes" \
		"in $(($(date +%s) - bt_t0)) s"
}

# bt_end: stop bpftrace, keep its counts.
bt_end() {
	local w c k n
	[ -n "$go_bt_pid" ] || return
	reap "$go_bt_pid" INT || err "(c): bpftrace failed: $(tail -1 "$work/go.bt")"
	for w in pp hd; do
		for c in c e; do
			for k in create start park ready exit; do
				n=$(sed -n "s/^@${w}_${c}_$k: \([0-9]*\)$/\1/p" "$work/go.bt")
				go_bt[${w}_$c.$k]=${n:-0}
				go_add go_ev "${w}_$c" "${n:-0}"
			done
		done
	done
}

# ---- run ---------------------------------------------------------------------

go_bench() {
	local r k w i order cfg
	read -ra cfg <<<"$go_cfgs"
	mkdir -p "$go_bin"
	for w in pingpong httpd; do
		# Copies in the guest's RAM, no 9p or overlay under the uprobes
		# ((c)'s made by go_symbolize, on the host).
		for k in a b d e; do
			cp "$go_src/$w" "$go_bin/$w.$k" || { err "cannot copy $go_src/$w"; return; }
		done
		cp "$go_src/$w.c" "$go_bin/$w.c" || { err "cannot copy $go_src/$w.c"; return; }
	done
	go_version=$("$ctl" inspect "$go_bin/pingpong.a" | sed -n 's/^go version *//p')
	log "4. Go: $go_version, GO_SECS=$GO_SECS, GO_REPS=$GO_REPS;" \
		"warm-up $(GOMAXPROCS=1 "$go_bin/pingpong.a" -n 1000 | head -1)"
	load
	# bpftrace takes a minute to compile and attach: meanwhile, the
	# rest starts on the other vCPU.
	log "4. (c), (e): starting bpftrace"
	bt_start
	log "4. starting the processes"
	for k in a b d; do
		case $k in
		d)
			go_start "pp_$k" pingpong -d "${GO_SECS}s" --wait-signal --trace "$work/pp.trace"
			go_start "hd_$k" httpd --trace "$work/hd.trace"
			;;
		*)
			go_start "pp_$k" pingpong -d "${GO_SECS}s" --wait-signal
			go_start "hd_$k" httpd
			;;
		esac
	done
	log "4. (b): starting the godiagctl captures"
	# A configuration whose tracer did not start measures nothing.
	cap_start pp_b || go_stop pp_b
	cap_start hd_b || go_stop hd_b
	if bt_wait; then
		for k in c e; do
			go_start "pp_$k" pingpong -d "${GO_SECS}s" --wait-signal
			go_start "hd_$k" httpd
		done
	fi
	for r in $(seq "$GO_REPS"); do
		# a b c d e, then b c d e a, ...
		order=""
		for i in "${!cfg[@]}"; do
			order+=" ${cfg[$(((i + r - 1) % ${#cfg[@]}))]}"
		done
		log "4. round $r/$GO_REPS:$order"
		for k in $order; do
			pp_window "pp_$k" "$r"
		done
		for k in $order; do
			hd_window "hd_$k" "$r"
		done
	done
	for w in pp hd; do
		for k in $go_cfgs; do
			go_stop "${w}_$k"
		done
	done
	go_units[hd_served_d]=$(sed -n 's/^requests=//p' "${go_out[hd_d]:-/dev/null}")
	go_bytes[hd_d]=$(stat -c %s "$work/hd.trace" 2>/dev/null)
	cap_end pp_b
	cap_end hd_b
	bt_end
	unload
	for w in pp hd; do
		for k in $go_cfgs; do
			read -r "go_med[${w}_$k]" "go_best[${w}_$k]" < <(tr ' ' '\n' <<<"${go_runs[${w}_$k]:-}" |
				grep -Ev '^$|ERROR' | sort -g | awk '{ v[NR] = $1 }
				END { if (!NR) { print "ERROR -"; exit }
					printf "%.0f %.0f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[NR] }')
			log "${w}_$k: median ${go_med[${w}_$k]}, best ${go_best[${w}_$k]} (windows:${go_runs[${w}_$k]:-})"
		done
	done
}

# ---- table -------------------------------------------------------------------

go_isnum() { [[ ${1:-} =~ ^[0-9]+(\.[0-9]+)?$ ]]; }

# go_slowdown ARRAY KEY: untraced over KEY, from the medians or the bests
go_slowdown() {
	local -n src=$1
	local base=${src[${2%_*}_a]:-} v=${src[$2]:-}
	go_isnum "$base" && go_isnum "$v" && [ "$v" != 0 ] && calc "%.2f" "$base / $v" || echo -
}

go_per() { # N UNITS: N per unit
	go_isnum "${1:-}" && go_isnum "${2:-}" && [ "$2" -gt 0 ] && calc "%.2f" "$1 / $2" || echo -
}

# go_hit WORKLOAD CFG: microseconds CFG adds per probe hit, from the
# medians and the hits per unit of work
go_hit() {
	local a=${go_med[${1}_a]:-} v=${go_med[${1}_$2]:-} e=${go_ev[${1}_$2]:-} n=${go_units[${1}_$2]:-}
	go_isnum "$a" && go_isnum "$v" && go_isnum "$e" && go_isnum "$n" && [ "$e" -gt 0 ] && [ "$n" -gt 0 ] &&
		calc "%.1f" "(1e6 / $v - 1e6 / $a) / ($e / $n)" || echo -
}

# go_paired WORKLOAD CFG: godiag's window against CFG's of the same round
# (seconds apart, so host load hits both alike): in how many rounds
# godiag's rate was the higher, and the median of godiag's rate over CFG's.
go_paired() {
	local -a b c
	local i pairs=""
	read -ra b <<<"${go_runs[${1}_b]:-}"
	read -ra c <<<"${go_runs[${1}_$2]:-}"
	for i in "${!b[@]}"; do
		go_isnum "${b[$i]}" && go_isnum "${c[$i]:-}" && pairs+=" ${b[$i]}/${c[$i]}"
	done
	[ -n "$pairs" ] || { echo "no complete round"; return; }
	tr ' ' '\n' <<<"$pairs" | grep -v '^$' | awk -F/ -v c="$2" '{
			r = $1 / $2; all = all sprintf(" %.2f", r); w += (r > 1)
			for (i = NR; i > 1 && v[i - 1] > r; i--) v[i] = v[i - 1]
			v[i] = r }
		END { printf "(b) faster than (%s) in %d of %d rounds; rate (b)/(%s): median %.2f, rounds%s\n",
			c, w, NR, c, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, all }'
}

go_table() {
	local k w label u b c kind fn vaddr off insn
	echo "4. Go programs, goroutine tracing ($go_version, static, not stripped): $GO_REPS windows of ${GO_SECS} s"
	echo "   per configuration, the five taking turns (order rotating per round); one long-lived process per"
	echo "   configuration and program, its tracer attached before the first window; slowdown = untraced / traced"
	echo "   pingpong: 2 goroutines, 2 unbuffered channels, GOMAXPROCS=1 on CPU 0: rounds/s"
	echo "   httpd: net/http on 127.0.0.1, GOMAXPROCS=1, and wrk -t1 -c4 -d${GO_SECS}s, both on CPU 0: requests/s"
	echo
	printf '%-52s %9s %7s %7s %8s %7s %7s\n' "" "pingpong" "" "" "httpd" "" ""
	printf '%-52s %9s %7s %7s %8s %7s %7s\n' configuration "rounds/s" slowdn "(best)" "req/s" slowdn "(best)"
	for k in $go_cfgs; do
		case $k in
		a) label="(a) untraced" ;;
		b) label="(b) godiagctl capture --goroutines" ;;
		c) label="(c) bpftrace count(), uprobes at godiag's points" ;;
		d) label="(d) runtime/trace (trace.Start)" ;;
		e) label="(e) bpftrace count(), uprobes at function entries" ;;
		esac
		printf '%-52s %9s %7s %7s %8s %7s %7s\n' "$label" \
			"${go_med[pp_$k]:-ERROR}" "$(go_slowdown go_med "pp_$k")" "$(go_slowdown go_best "pp_$k")" \
			"${go_med[hd_$k]:-ERROR}" "$(go_slowdown go_med "hd_$k")" "$(go_slowdown go_best "hd_$k")"
	done
	echo "   slowdn: of the medians; (best): of the best windows (host load only ever slows a window down)"
	echo "   godiag's probe points (godiagctl inspect; (c) probes these, (e) the entries of the functions):"
	for w in pingpong httpd; do
		[ -s "$go_src/$w.points" ] || continue
		b=""
		while read -r kind fn vaddr off insn; do
			b+="; $kind $fn+$off ($insn)"
		done <"$go_src/$w.points"
		echo "     $w:${b#;}"
	done
	for w in pp hd; do
		case $w in pp) label=pingpong u=round ;; hd) label=httpd u=request ;; esac
		for k in $go_cfgs; do
			echo "   $label ($k) windows:${go_runs[${w}_$k]:- none}"
		done
		echo "   $label (b) godiag: ${go_ev[${w}_b]:-?} records, ${go_lost[${w}_b]:-?} lost;" \
			"$(go_per "${go_ev[${w}_b]:-}" "${go_units[${w}_b]:-}") per $u"
		for c in c e; do
			b=""
			for k in create start park ready exit; do
				b+=" $k ${go_bt[${w}_$c.$k]:-?}"
			done
			echo "   $label ($c) bpftrace: ${go_ev[${w}_$c]:-?} probe hits," \
				"$(go_per "${go_ev[${w}_$c]:-}" "${go_units[${w}_$c]:-}") per $u:$b"
		done
		case $w in
		pp) c=${go_units[pp_d]:-} ;;
		hd) c=${go_units[hd_served_d]:-} ;;
		esac
		echo "   $label (d) runtime/trace: $(go_per "${go_bytes[${w}_d]:-}" "$c") bytes of trace per $u"
		echo "   $label per probe hit (from the medians, TCG us): (b) godiag adds $(go_hit "$w" b)," \
			"(c) $(go_hit "$w" c), (e) $(go_hit "$w" e)"
		echo "   $label round by round: $(go_paired "$w" c)"
		echo "   $label round by round: $(go_paired "$w" e)"
		for k in $go_cfgs; do
			[ -z "${go_note[${w}_$k]:-}" ] || echo "   $label ($k) wrk:${go_note[${w}_$k]}"
		done
	done
	echo
	for w in pp hd; do
		case $w in pp) label=pingpong ;; hd) label=httpd ;; esac
		b=$(go_slowdown go_med "${w}_b")
		for k in c e; do
			c=$(go_slowdown go_med "${w}_$k")
			if ! go_isnum "$b" || ! go_isnum "$c"; then
				echo "$label: godiag's slowdown $b, bpftrace's ($k) $c: no comparison"
			elif awk "BEGIN { exit !($b < $c) }"; then
				echo "$label: godiag's slowdown $b is below bpftrace's ($k) $c (medians)"
			else
				echo "$label: godiag's slowdown $b is NOT below bpftrace's ($k) $c (medians)"
			fi
		done
	done
}

# Executed, not sourced: run.sh's part.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	prepare)
		ctl=$(cd "$(dirname "$0")/../.." && pwd)/ctl/godiagctl
		go_prepare "${2:?usage: go.sh prepare DIR}"
		;;
	*)
		echo "usage: tests/bench/go.sh prepare DIR (otherwise sourced by guest.sh)" >&2
		exit 2
		;;
	esac
fi
