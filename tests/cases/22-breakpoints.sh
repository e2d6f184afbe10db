# shellcheck shell=bash source-path=SCRIPTDIR
# Breakpoints (capture --break) against gobreak (tests/progs/go/gobreak),
# whose calls and arguments are known exactly, for the Go versions and
# build kinds tests/matrix gives this kernel (the stripped build by
# position with --arg): hit counts, argument values (ints, a string, a
# slice's length), goroutine ids, --if and --every, --latency at least the
# known sleep and a panic's entry left unmatched, a stack, a string at an
# unmapped address counted as a fault, --if refused where the arguments
# are not known (an inlined copy), an interface by its dynamic type and a
# nil error as nil (no fault), float64 and float32 arguments from the XMM
# registers; struct fields by path through pointers (--field); slices with
# their first elements (--slice-elems); --if on float64 and float32
# arguments (IEEE order: -0 == 0, NaN never equal); a file:line spec;
# --max-rate's accounting (recorded + rate limited == hits, no window of
# the module's over the rate); an inlined function's copies (breakplan's
# main.add) through capture; then attaching to the running
# service and detaching, which leaves its text as the file has it.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
module_load
cap=$work/cap

# bvals REPORT.json GT-LINE: the values the checks need, one "key<TAB>value"
# line each, from one python3 run (each start costs a second under TCG).
declare -A V
bvals() {
	V=()
	python3 - "$1" "$2" >"$work/vals" 2>"$work/vals.err" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
gt = json.loads(sys.argv[2])
out = {}
for b in d.get('breakpoints', []):
    f = b['spec']
    for k in ('hits', 'recorded', 'filtered', 'sampled_out', 'rate_limited', 'faults', 'sites'):
        out[f + ':' + k] = b[k]
    for i, a in enumerate(b['args']):
        v = ' '.join('%s=%d' % (t['value'], t['count'])
                     for t in sorted(a['top'], key=lambda t: t['value']))
        out[f + ':arg%d' % (i + 1)] = v
        out[f + ':' + a['name']] = v
    out[f + ':goids'] = ' '.join(str(g['count']) for g in b['goroutines'])
    out[f + ':zero_goids'] = sum(g['count'] for g in b['goroutines'] if g['goroutine'] == 0)
    if b['latency']:
        out[f + ':lat_count'] = b['latency']['count']
        out[f + ':lat_min_ok'] = int(b['latency']['p50_ns'] >= gt['slow_ns'])
        out[f + ':unmatched'] = b['latency']['unmatched']
    if b['stacks']:
        s = b['stacks'][0]
        out[f + ':stack'] = ' '.join(s['frames'][:2]) + ' x%d' % s['count']
out['gt:add_by_a'] = ' '.join('%s=%d' % kv for kv in sorted(gt['add_by_a'].items()))
out['gt:greet'] = gt['greet']['alice']
out['gt:mix_weight'] = ' '.join('%s=%d' % kv for kv in sorted(gt['mix_weight'].items()))
out['gt:mix_ratio'] = ' '.join('%s=%d' % kv for kv in sorted(gt['mix_ratio'].items()))
out['gt:settle'] = ' '.join('%s=%d' % kv for kv in sorted(gt['settle'].items()))
out['gt:total'] = ' '.join('len=%s cap=%s=%d' % (k, k, v) for k, v in sorted(gt['total_by_len'].items()))
for k in ('total_vals', 'tally_tags', 'tally_weights', 'tally_ok'):
    out['gt:' + k] = ' '.join('%s=%d' % kv for kv in sorted(gt.get(k, {}).items()))
for k in ('add', 'handle', 'risky', 'panics', 'scale', 'peek', 'slow', 'kind', 'get', 'post',
          'fee', 'fee_ge', 'ratio', 'ratio_lt', 'level', 'level_eq', 'stamp_line', 'beat'):
    out['gt:' + k] = gt.get(k, '')
for k, v in out.items():
    print(k + '\t' + str(v))
PY
	local k v
	while IFS=$'\t' read -r k v; do V[$k]=$v; done <"$work/vals"
}

one_build() { # VERSION KIND BINARY
	local t="go$1 $2" b=$3 gt any=() iface=() mix=() fields=()
	# Interfaces: main.kind(v interface{}) empty, fmt.Fprintf(w io.Writer,
	# ...) not (an itab, read through); the stripped build by --arg.
	# Fields by path need DWARF: req.from is a pointer, one more hop.
	if [ "$2" = stripped ]; then
		any=(--arg 1:any) iface=(--arg 1:iface)
		mix=(--arg 1:float64 --arg 2:int --arg 3:float32)
	else
		fields=(--field req.method --field req.from.name --field req.from.port)
	fi
	if ! "$ctl" capture -o "$cap" \
		--break main.add --arg 1:int --arg 2:int --stack 4 \
		--break main.greet --arg 1:string --if 'arg1 == "alice"' \
		--break main.total --arg 1:slice \
		--break main.slow --latency \
		--break main.risky --arg 1:int --latency \
		--break main.scale --arg 1:int --if 'arg1 >= 5' --every 2 \
		--break main.peek --arg 1:string \
		--break 'main.(*server).handle' "${fields[@]}" \
		--break main.kind "${any[@]}" \
		--break fmt.Fprintf "${iface[@]}" \
		--break main.settle "${iface[@]}" \
		--break main.mix "${mix[@]}" \
		-- "$b" >"$work/prog.out" 2>"$work/err"; then
		not_ok "$t: capture: $(head -c 300 "$work/err")"
		return
	fi
	ok "$t: capture"
	gt=$(sed -n 's/^done //p' "$work/prog.out")
	report "$cap"
	bvals "$cap.json" "$gt" || { not_ok "$t: report: $(head -c 300 "$work/vals.err")"; return; }
	check_eq "$t: add: hits, every call" "${V[gt:add]}" "${V[main.add:hits]}"
	check_eq "$t: add: recorded, every call" "${V[gt:add]}" "${V[main.add:recorded]}"
	check_eq "$t: add: first argument per value" "${V[gt:add_by_a]}" "${V[main.add:arg1]}"
	check_eq "$t: add: second argument 0..9, 4 each" \
		"0=4 1=4 2=4 3=4 4=4 5=4 6=4 7=4 8=4 9=4" "${V[main.add:arg2]}"
	check_eq "$t: add: 4 goroutines, 10 calls each" "10 10 10 10" "${V[main.add:goids]}"
	check_eq "$t: add: every hit names its goroutine" 0 "${V[main.add:zero_goids]}"
	check_eq "$t: add: stack main.add < main.adder" "main.add main.adder x${V[gt:add]}" \
		"${V[main.add:stack]}"
	check_eq "$t: greet --if string ==: recorded" "${V[gt:greet]}" "${V[main.greet:recorded]}"
	check_eq "$t: greet --if: filtered" 2 "${V[main.greet:filtered]}"
	check_eq "$t: greet: the string" "alice=${V[gt:greet]}" "${V[main.greet:arg1]}"
	# --arg 1:slice: a slice of unknown elements, its length and capacity
	check_eq "$t: total --arg 1:slice: slice lengths" "${V[gt:total]}" "${V[main.total:arg1]}"
	check_eq "$t: slow --latency: every call paired" "${V[gt:slow]}" "${V[main.slow:lat_count]}"
	check_eq "$t: slow --latency: p50 at least the sleep" 1 "${V[main.slow:lat_min_ok]}"
	check_eq "$t: risky: hits" "${V[gt:risky]}" "${V[main.risky:recorded]}"
	check_eq "$t: risky: returns paired" "$((${V[gt:risky]} - ${V[gt:panics]}))" \
		"${V[main.risky:lat_count]}"
	check_eq "$t: risky: panicked entries unmatched" "${V[gt:panics]}" "${V[main.risky:unmatched]}"
	check_eq "$t: scale --if >= 5 --every 2: hits" "${V[gt:scale]}" "${V[main.scale:hits]}"
	check_eq "$t: scale: filtered" 5 "${V[main.scale:filtered]}"
	check_eq "$t: scale: sampled out" 2 "${V[main.scale:sampled_out]}"
	check_eq "$t: scale: recorded 5, 7, 9" "5=1 7=1 9=1" "${V[main.scale:arg1]}"
	check_eq "$t: peek: unmapped string bytes are faults" "${V[gt:peek]}" "${V[main.peek:faults]}"
	check_eq "$t: peek: ... and still recorded" "${V[gt:peek]}" "${V[main.peek:recorded]}"
	check_eq "$t: (*server).handle: hits" "${V[gt:handle]}" "${V[main.(*server).handle:hits]}"
	if [ "$2" != stripped ]; then
		check_eq "$t: --field req.method (string through req)" \
			"GET=${V[gt:get]} POST=${V[gt:post]}" "${V[main.(*server).handle:req.method]}"
		check_eq "$t: --field req.from.name (through two pointers)" \
			"cli=${V[gt:post]} web=${V[gt:get]}" "${V[main.(*server).handle:req.from.name]}"
		check_eq "$t: --field req.from.port (an int through two pointers)" \
			"8080=${V[gt:get]} 9090=${V[gt:post]}" "${V[main.(*server).handle:req.from.port]}"
		check_eq "$t: fields: no fault" 0 "${V[main.(*server).handle:faults]}"
	fi
	check_eq "$t: kind(v interface{}): hits" "${V[gt:kind]}" "${V[main.kind:recorded]}"
	check_eq "$t: kind: v by its dynamic type" "*main.request=1 int=1 string=1" \
		"${V[main.kind:arg1]}"
	# One call: "done ..." by fmt.Printf, to os.Stdout.
	check_eq "$t: fmt.Fprintf(w io.Writer): w by its dynamic type" "*os.File=1" \
		"${V[fmt.Fprintf:arg1]}"
	check_eq "$t: fmt.Fprintf: no fault" 0 "${V[fmt.Fprintf:faults]}"
	# settle(err error) after strconv.Atoi: a nil err has no itab to read
	# the type through (GODIAG_BW_NIL); it is nil, not a fault.
	check_eq "$t: settle(err error): err nil or by its dynamic type" "${V[gt:settle]}" \
		"${V[main.settle:arg1]}"
	check_eq "$t: settle: a nil error is no fault" 0 "${V[main.settle:faults]}"
	# mix(weight float64, n int, ratio float32): X0, RAX, X1
	check_eq "$t: mix: a float64 from X0" "${V[gt:mix_weight]}" "${V[main.mix:arg1]}"
	check_eq "$t: mix: an int between the floats, from RAX" "2=1 3=1 4=1" "${V[main.mix:arg2]}"
	check_eq "$t: mix: a float32 from X1" "${V[gt:mix_ratio]}" "${V[main.mix:arg3]}"
	check_eq "$t: mix: no fault" 0 "${V[main.mix:faults]}"
	# script: each entry of main.add one line, with its two arguments
	check "$t: script --json --kind break" "$ctl" script --json --kind break "$cap"
	check_eq "$t: script: main.add's entries, one line each" "${V[main.add:recorded]}" \
		"$(grep -c '"function":"main.add","spec":"main.add","ret":false,"args":\[{"name":[^]]*},{"name":[^]]*}\]' "$work/out")"
	check_eq "$t: script: main.add's second argument as report counts it" "${V[main.add:arg2]}" \
		"$(grep '"function":"main.add","spec":"main.add","ret":false' "$work/out" |
			sed -E 's/.*"args":\[\{[^}]*\},\{"name":"[^"]*","value":"([^"]*)"\}\].*/\1/' |
			LC_ALL=C sort | uniq -c | awk '{ s = s (NR > 1 ? " " : "") $2 "=" $1 } END { print s }')"
	more_build "$@"
	inlined_build "$@"
}

# window_check SCRIPT.jsonl SPEC: the module's --max-rate windows
# rebuilt from the records' times (a window opens at the first hit past
# the last one's second, and that hit is always recorded): "windows N
# fullest M total T", M the most records of one window, T all of them.
window_check() {
	python3 - "$1" "$2" <<'PY'
import json, sys
ts = sorted(json.loads(l)['ts_ns'] for l in open(sys.argv[1])
            if '"spec":"%s"' % sys.argv[2] in l and '"ret":false' in l)
windows, fullest, start, n = 0, 0, None, 0
for t in ts:
    if start is None or t - start >= 1000000000:
        windows, start, n = windows + 1, t, 0
    n += 1
    fullest = max(fullest, n)
print('windows %d fullest %d total %d' % (windows, fullest, len(ts)))
PY
}

# The second capture of a build: slices with their elements, --if on
# floats, a file:line spec, --max-rate.
more_build() { # VERSION KIND BINARY
	local t="go$1 $2" b=$3 gt line tally=() total=() fee=() ratio=() level=() x=x r=r a=amount
	local rate=100 w
	line=$(grep -n 'thirds++ // gobreak:line' "$repo/tests/progs/go/gobreak/main.go" | cut -d: -f1)
	if [ "$2" = stripped ]; then
		tally=(--arg 1:'[]string' --arg 2:'[]float64' --arg 3:'[]bool') total=(--arg 1:'[]int')
		fee=(--arg 1:float64) ratio=(--arg 1:float32) level=(--arg 1:float64)
		x=arg1 r=arg1 a=arg1
	fi
	if ! "$ctl" capture -o "$cap.2" \
		--break main.tally "${tally[@]}" --slice-elems 3 \
		--break main.total "${total[@]}" \
		--break main.fee "${fee[@]}" --if "$a >= 2.5" \
		--break main.ratio "${ratio[@]}" --if "$r < -0.5" \
		--break main.level "${level[@]}" --if "$x == 0" \
		--break "main.go:$line" \
		--break main.beat --max-rate "$rate/s" \
		-- "$b" >"$work/prog.out" 2>"$work/err"; then
		not_ok "$t: capture (slices, floats, line, rate): $(head -c 300 "$work/err")"
		return
	fi
	ok "$t: capture (slices, floats, line, rate)"
	gt=$(sed -n 's/^done //p' "$work/prog.out")
	report "$cap.2"
	bvals "$cap.2.json" "$gt" || { not_ok "$t: report: $(head -c 300 "$work/vals.err")"; return; }
	check_eq "$t: tally([]string) --slice-elems 3" "${V[gt:tally_tags]}" "${V[main.tally:arg1]}"
	check_eq "$t: tally([]float64)" "${V[gt:tally_weights]}" "${V[main.tally:arg2]}"
	check_eq "$t: tally([]bool)" "${V[gt:tally_ok]}" "${V[main.tally:arg3]}"
	check_eq "$t: tally: no fault" 0 "${V[main.tally:faults]}"
	check_eq "$t: total([]int), --slice-elems' default 4" "${V[gt:total_vals]}" \
		"${V[main.total:arg1]}"
	check_eq "$t: fee(float64) --if >= 2.5: hits" "${V[gt:fee]}" "${V[main.fee:hits]}"
	check_eq "$t: fee: recorded" "${V[gt:fee_ge]}" "${V[main.fee:recorded]}"
	check_eq "$t: fee: filtered" "$((${V[gt:fee]} - ${V[gt:fee_ge]}))" "${V[main.fee:filtered]}"
	check_eq "$t: fee: the values recorded" "10=1 2.5=1 2.5000000000000004=1" "${V[main.fee:arg1]}"
	check_eq "$t: ratio(float32) --if < -0.5: recorded" "${V[gt:ratio_lt]}" "${V[main.ratio:recorded]}"
	check_eq "$t: ratio: filtered" "$((${V[gt:ratio]} - ${V[gt:ratio_lt]}))" \
		"${V[main.ratio:filtered]}"
	check_eq "$t: ratio: the values recorded" "-0.5000001=1 -1=1 -2.75=1" "${V[main.ratio:arg1]}"
	check_eq "$t: level --if == 0: 0 and -0, not NaN" "${V[gt:level_eq]}" \
		"${V[main.level:recorded]}"
	check_eq "$t: level: filtered" "$((${V[gt:level]} - ${V[gt:level_eq]}))" \
		"${V[main.level:filtered]}"
	check_eq "$t: main.go:$line (a line in a branch): hits" "${V[gt:stamp_line]}" \
		"${V[main.go:$line:hits]}"
	check_eq "$t: main.go:$line: recorded" "${V[gt:stamp_line]}" "${V[main.go:$line:recorded]}"
	check_eq "$t: beat --max-rate: hits" "${V[gt:beat]}" "${V[main.beat:hits]}"
	check_eq "$t: beat: recorded + rate limited == hits" "${V[gt:beat]}" \
		"$((${V[main.beat:recorded]} + ${V[main.beat:rate_limited]}))"
	check "$t: script --json --kind break (rate)" "$ctl" script --json --kind break "$cap.2"
	w=$(window_check "$work/out" main.beat)
	check_match "$t: beat: the script has every record" \
		"^windows [1-9][0-9]* fullest [0-9]+ total ${V[main.beat:recorded]}\$" "$w"
	check_eq "$t: beat: no window of the module's holds more than $rate records ($w)" 1 \
		"$(awk -v w="$w" -v n="$rate" 'BEGIN { split(w, f, " ");
			print (f[4] >= 1 && f[4] <= n) ? 1 : 0 }')"
}

# An inlined function through capture: breakplan's main.add has no code
# of its own, only copies (two in main.twice, one in main.main), each
# probed: every call counted, as the program counts them.
inlined_build() { # VERSION KIND BINARY
	local t="go$1 $2" bpl=${3/gobreak/breakplan} adds
	if [ ! -x "$bpl" ]; then
		not_ok "$t: inlined: $bpl is not built"
		return
	fi
	if ! "$ctl" capture -o "$cap.3" --break main.add -- "$bpl" 5 >"$work/prog.out" \
		2>"$work/err"; then
		not_ok "$t: capture --break main.add (inlined only): $(head -c 300 "$work/err")"
		return
	fi
	adds=$(sed -n 's/.* adds \([0-9]*\)$/\1/p' "$work/prog.out")
	report "$cap.3"
	check_eq "$t: inlined main.add: 3 copies probed" 3 "$(jget "$cap.3.json" "d['breakpoints'][0]['sites']")"
	check_eq "$t: inlined main.add: every call a hit" "$adds" \
		"$(jget "$cap.3.json" "d['breakpoints'][0]['hits']")"
	check_eq "$t: inlined main.add: every hit recorded" "$adds" \
		"$(jget "$cap.3.json" "d['breakpoints'][0]['recorded']")"
}

# text_unchanged PID BINARY: bytes of PID's executable mappings of BINARY
# that differ from the file (a breakpoint left behind shows as one).
text_unchanged() {
	python3 - "$1" "$2" <<'PY'
import os, sys
pid, path = sys.argv[1], os.path.realpath(sys.argv[2])
ino = str(os.stat(path).st_ino)
diff = 0
with open(path, 'rb') as f, open('/proc/%s/mem' % pid, 'rb', 0) as mem:
    for line in open('/proc/%s/maps' % pid):
        x = line.split(maxsplit=5)
        if len(x) < 6 or 'x' not in x[1] or x[4] != ino:
            continue
        lo, hi = (int(v, 16) for v in x[0].split('-'))
        f.seek(int(x[2], 16))
        want = f.read(hi - lo)
        mem.seek(lo)
        got = mem.read(len(want))
        diff += sum(a != b for a, b in zip(want, got))
print(diff)
PY
}

# GODIAG_BP_BUILDS=N: only the first N builds (a quick run on a slow kernel)
first='' n=0
while read -r v k b; do
	[ -n "$first" ] || first=$b
	n=$((n + 1))
	[ "$n" -le "${GODIAG_BP_BUILDS:-1000}" ] || break
	if [ ! -x "$b" ]; then
		not_ok "go$v $k: $b is not built"
		continue
	fi
	one_build "$v" "$k" "$b"
done < <(go_builds gobreak)

# ---- --if where the arguments are not known (breakplan's main.add has
# only inlined copies): refused with one line, nothing captured
bpl=$progs/breakplan-go1.26
if [ ! -x "$bpl" ]; then
	not_ok "--if on inlined copies: $bpl is not built"
elif "$ctl" capture -o "$cap" --break main.add --if 'x > 1' -- "$bpl" \
	>/dev/null 2>"$work/err"; then
	not_ok "--if on inlined copies: capture refused it"
else
	check_match "--if on inlined copies: one line saying why" \
		'^godiagctl: .*--break main.add: --if needs the arguments, which are not known at 0x[0-9a-f]+ \(a copy inlined into main\.[a-z]+\)' \
		"$(cat "$work/err")"
fi

# ---- attach to a running service, detach: no breakpoint is left
b=$first
start_gt pid "$b" --wait-signal --loop
kill -USR1 "$pid"
check "attach: the service runs its loop" wait_for grep -q '^done ' "$gt_out"
check "attach: capture -p for 2 s" "$ctl" capture -p "$pid" --duration 2s -o "$cap" \
	--break main.add --arg 2:int
report "$cap"
h=$(jget "$cap.json" "d['breakpoints'][0]['hits']")
r=$(jget "$cap.json" "d['breakpoints'][0]['recorded']")
check_ge "attach: the loop's calls hit" 1 "$h"
check_eq "attach: every hit recorded" "$h" "$r"
check_eq "detach: the text in memory is the file's again" 0 "$(text_unchanged "$pid" "$b")"
kill -TERM "$pid"
check "detach: the service exits 0" wait "$pid"
check "detach: ... after its loop" grep -q '^loops ' "$gt_out"

# ---- a breakpoint on a service redeployed while it ran: the function is
# only in the new build, and the refusal says the process runs another
old=$progs/gobreak-go1.23 new=$progs/gobreak-go1.26
cp "$old" "$work/svc"
start_gt pid "$work/svc" --wait-signal --loop
kill -USR1 "$pid"
check "redeployed: the service runs its loop" wait_for grep -q '^done ' "$gt_out"
cp "$new" "$work/svc.new"
mv "$work/svc.new" "$work/svc"
"$ctl" capture -p "$pid" --duration 2s -o "$cap.redeploy" --break runtime.runCleanups \
	>/dev/null 2>"$work/err" && st=0 || st=$?
check_eq "redeployed: capture --break of a function only the new build has: exit 1" 1 "$st"
check_match "redeployed: ... one line naming the redeploy" \
	"^godiagctl: capture: PID $pid: .*no function runtime.runCleanups in /proc/$pid/exe; PID $pid runs another build of $work/svc \(build id go:[^)]+\) than the file there now \(build id go:[^)]+\): redeployed, the process not restarted$" \
	"$(cat "$work/err")"
check_eq "redeployed: ... and no file written" 0 "$(find "$work" -maxdepth 1 -name 'cap.redeploy*' | wc -l)"
kill -TERM "$pid"
check "redeployed: the service exits 0" wait "$pid"
