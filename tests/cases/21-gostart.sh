# shellcheck shell=bash source-path=SCRIPTDIR
# Goroutine start functions as Go names them, against gostart
# (tests/progs/go/gostart), for every Go version and build kind: go
# statements with arguments (functions, methods with pointer and value
# receivers, a closure called with an argument, a function that Go 1.22
# and later inline into the compiler's wrapper), a closure without
# arguments, and net/http's goroutine per connection. The report's
# by_start counts are exact under the names Go gives these goroutines,
# and no compiler wrapper (main.main.func1, main.main.gowrap1) is left.
# Then a Go program reached through env and through sh -c 'exec ...'.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
module_load
cap=$work/cap
N=5

# compare REPORT.json GT.json: what the report says against gostart's own
# JSON (its by_start and by_creator), one "KEY WANT GOT" line each; under
# TCG every python3 start costs about a second, so one run per capture.
compare() {
	python3 - "$1" "$2" >"$work/cmp" 2>"$work/cmp.err" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2]))
g = d['goroutines']
def groups(key):
    out = {}
    for x in g[key]:
        out[x['function']] = out.get(x['function'], 0) + x['created']
    return out
bs, bc = groups('by_start'), groups('by_creator')
for f, n in sorted(t['by_start'].items()):
    print('by_start:%s %d %d' % (f, n, bs.get(f, 0)))
for f, n in sorted(t['by_creator'].items()):
    print('by_creator:%s %d %d' % (f, n, bc.get(f, 0)))
want = sorted(f for f in t['by_start'] if f.startswith('main.'))
got = sorted(f for f in bs if f.startswith('main.'))
print('main.*_start_functions %s %s' % (','.join(want), ','.join(got)))
wrappers = sorted(f for f in bs if '.gowrap' in f)
print('wrappers_left none %s' % (','.join(wrappers) or 'none'))
rows = sum(1 for r in g['list'] if r['start'] in t['by_start'] and r['created'])
print('rows_under_these_names %d %d' % (sum(t['by_start'].values()), rows))
print('lost 0 %d' % d['events']['lost'])
PY
}

# check_names NAME REPORT.json GT.json
check_names() {
	local key want got
	if ! compare "$2" "$3"; then
		not_ok "$1: cannot compare: $(tail -1 "$work/cmp.err")"
		return
	fi
	while read -r key want got; do
		check_eq "$1: $key" "$want" "$got"
	done <"$work/cmp"
}

# ---- a. every Go version and build kind ------------------------------
for ver in 1.19 1.21 1.22 1.23; do
	for kind in "" -pie -stripped; do
		name=go$ver${kind:--static}
		b=$progs/gostart-go$ver$kind
		if [ ! -x "$b" ]; then
			not_ok "$name: $b is not built (make -C tests/progs go-all)"
			continue
		fi
		start_gt pid "$b" --wait-signal --json -n "$N"
		capture_bg "$cap.$name" -p "$pid" --goroutines
		if ! wait_running 1; then
			not_ok "$name: capture did not start: $(head -c 300 "$cap.$name.err")"
			kill "$pid" "$cap_pid" 2>/dev/null
			wait "$pid" "$cap_pid"
			continue
		fi
		kill -USR1 "$pid"
		check "$name: the capture ends when gostart exits" wait "$cap_pid"
		wait "$pid"
		check_eq "$name: gostart exit status" 0 $?
		grep '^{' "$gt_out" >"$work/gt.$name.json"
		"$ctl" report --json "$cap.$name" >"$cap.$name.json" 2>"$work/report.err"
		check_eq "$name: report of a complete file exits 0" 0 $?
		check_names "$name" "$cap.$name.json" "$work/gt.$name.json"
	done
done

# ---- b. the Go program behind a wrapper that execs it ----------------
# (-n 3: gostart's ground truth for the functions checked here is 3)
b=$progs/gostart-go1.23-pie
# report_starts FILE: "main.worker=N main.pinger=N main.(*server).serve=N"
report_starts() {
	"$ctl" report --json "$1" >"$1.json" &&
		jget "$1.json" "' '.join('%s=%d' % (f, sum(x['created'] for x in d['goroutines']['by_start'] if x['function'] == f)) for f in ('main.worker', 'main.pinger', 'main.(*server).serve'))"
}
want="main.worker=3 main.pinger=3 main.(*server).serve=3"
check "env GOSTART: capture --goroutines follows env's exec" \
	"$ctl" capture --goroutines -o "$cap.env" -- env GOSTART_ENV=1 "$b" -n 3
check_eq "env GOSTART: goroutines named as Go names them" "$want" "$(report_starts "$cap.env")"
check "sh -c 'exec GOSTART': capture --goroutines follows the shell's exec" \
	"$ctl" capture --goroutines -o "$cap.sh" -- sh -c "exec '$b' -n 3"
check_eq "sh -c 'exec GOSTART': goroutines named as Go names them" "$want" \
	"$(report_starts "$cap.sh")"
# A shell that runs the program as its child, without exec: refused with
# what to do (the program ran, untraced for goroutines).
check_status "sh -c 'GOSTART; true' (no exec): exit 1" 1 \
	"$ctl" capture --goroutines -o "$cap.noexec" -- sh -c "'$b' -n 1; true"
check_match "no exec: the message says what to do" \
	"exited without exec'ing a Go program: .*exec ./server" "$(cat "$work/out")"
check_eq "no exec: no file is left" 0 "$(find "$work" -name '*cap.noexec*' | wc -l)"
check_eq "no session left behind" 0 \
	"$("$ctl" sessions --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')"
