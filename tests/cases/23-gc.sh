# shellcheck shell=bash source-path=SCRIPTDIR
# GC cycles and stop-the-world pauses (capture --gc) against gogc
# (tests/progs/go/gogc), which forces K GCs, grows its heap by a known
# step and prints what its own runtime says (runtime/metrics, MemStats),
# for the Go versions and build kinds tests/matrix gives this kernel:
# every cycle the program's runtime counts is seen (exactly), the GC's
# pauses are as many as its pause histogram holds and none longer than
# twice its highest bucket, every stop-the-world is paired, "read mem
# stats" stops are the program's ReadMemStats calls (Go 1.21 on, where
# the runtime names reasons), and the heap figures read at each cycle's
# end agree with the MemStats the program read right after (GOGC 50,
# GOMEMLIMIT 512 MiB exactly; heap live and goal within a factor of two).
# A stripped binary is checked the same: its runtime variables are
# found in its code (ctl/gobin/gostatrec.c), the GC phase among them,
# which tells GC pauses from others before Go 1.21.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
module_load
cap=$work/cap
K=6

# gc_checks REPORT.json GT-LINE VERSION KIND: "desc<TAB>want<TAB>got"
# lines, from one python3 run.
gc_checks() {
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
gt = json.loads(sys.argv[2])
minor = int(sys.argv[3].split('.')[1])
g = d.get('gc')
out = []
def c(desc, want, got):
    out.append('%s\t%s\t%s' % (desc, want, got))
if g is None:
    c('report has a gc section', 'yes', 'no')
else:
    c('every stop paired with its start', 0, g['unpaired'])
    c('pauses: the GC pause histogram + ReadMemStats calls',
      gt['pause_count'] + gt['readmemstats'], g['pauses'])
    named = minor >= 21
    c('classified by', 'reason' if named else 'phase', g['classified_by'])
    c('cycles: the program\'s /gc/cycles/total', gt['cycles'], g['cycles'])
    c('cycles: all ended', gt['cycles'], g['completed'])
    gcp = sum(r['count'] for r in g['reasons'] if r['reason'].startswith('GC '))
    c('GC pauses: the histogram\'s count', gt['pause_count'], gcp)
    # Each pause as godiag sees it spans the runtime's own figure: from
    # stopTheWorldWithSema's entry, before the runtime's startedStopping,
    # to startTheWorldWithSema's entry, after the runtime's end. Mark
    # termination ends its figure (gcMarkTermination's `now`) before
    # gcSweep and the rest it does with the world still stopped, so there
    # godiag's pause can be much longer (141 ms against a 10.5 ms bucket
    # on a loaded 6.12 guest): only a lower bound holds. The highest
    # bucket's lower bound is above half its upper one; 1 ms covers the
    # uprobe's own time where the runtime ends its figure after it.
    c('GC pause max at least the histogram\'s highest bucket\'s lower bound', 1,
      int(g['gc_pause']['max_ns'] + 1000000 >= gt['pause_max_ns'] // 2))
    if named:
        rms = sum(r['count'] for r in g['reasons'] if r['reason'] == 'read mem stats')
        c('"read mem stats" pauses: ReadMemStats calls', gt['readmemstats'], rms)
    ends = {x['numgc']: x for x in g['list'] if x['numgc'] is not None and x['duration_ns'] is not None}
    # numgc read when the cycle starts: the cycle that ends as number G
    # started with numgc G-1
    bad = []
    for a in gt['after']:
        x = ends.get(a['numgc'] - 1)
        if x is None:
            bad.append('cycle %d not seen' % a['numgc'])
            continue
        if x['gogc'] != gt['gogc'] or x['memlimit'] != gt['memlimit']:
            bad.append('cycle %d: GOGC %s GOMEMLIMIT %s' % (a['numgc'], x['gogc'], x['memlimit']))
        for k, want in (('heap_live_end', a['heap_alloc']), ('heap_goal', a['next_gc'])):
            if x[k] is None or not (want / 2 <= x[k] <= want * 2):
                bad.append('cycle %d: %s %s, MemStats %d' % (a['numgc'], k, x[k], want))
    c('heap figures at each forced cycle\'s end agree with MemStats', 'none', '; '.join(bad) or 'none')
    c('heap curve: two points per pause', 2 * g['pauses'], len(g['heap']))
if g is not None:
    print('info\tcycles %d (program %d), pauses %d (histogram %d + ReadMemStats %d), '
          'GC pause p50 %d max %d ns (histogram max bucket %d ns), stw %d ns, by %s' % (
          g['cycles'], gt['cycles'], g['pauses'], gt['pause_count'], gt['readmemstats'],
          g['gc_pause']['p50_ns'], g['gc_pause']['max_ns'], gt['pause_max_ns'],
          g['stw_ns'], g['classified_by']))
for line in out:
    print(line)
PY
}

one_build() { # VERSION KIND BINARY
	local t="go$1 $2" b=$3 gt desc want got
	if ! "$ctl" capture -o "$cap" --gc -- "$b" -k "$K" >"$work/prog.out" 2>"$work/err"; then
		not_ok "$t: capture --gc: $(head -c 300 "$work/err")"
		return
	fi
	ok "$t: capture --gc"
	gt=$(sed -n 's/^done //p' "$work/prog.out")
	check_eq "$t: the program forced $K GCs" "$K" \
		"$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["forced_cycles"])' "$gt")"
	report "$cap"
	"$ctl" report "$cap" >"$cap.txt"
	check_match "$t: text: the gc line" '^gc +[0-9]+ cycles \([0-9]+ ended\), [0-9]+ stop-the-world pauses' \
		"$(grep '^gc ' "$cap.txt")"
	while IFS=$'\t' read -r desc want got; do
		if [ "$desc" = info ]; then
			echo "# $t: $want"
			continue
		fi
		check_eq "$t: $desc" "$want" "$got"
	done < <(gc_checks "$cap.json" "$gt" "$1" "$2" 2>"$work/py.err" ||
		echo "checks ran	yes	$(head -c 300 "$work/py.err")")
}

n=0
while read -r v k b; do
	n=$((n + 1))
	if [ ! -x "$b" ]; then
		not_ok "go$v $k: $b is not built"
		continue
	fi
	one_build "$v" "$k" "$b"
done < <(go_builds gogc)
check_ge "Go builds tried" 1 "$n"

