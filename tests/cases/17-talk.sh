# shellcheck shell=bash source-path=SCRIPTDIR
# A capture that talks, and the default buffer: the README's demo (its
# Go service under wrk, goroutines and syscalls for 5 s, tests/demo-guest.sh)
# captured with the default buffer loses no record; capture's --json
# summary has report's figures for the same file; on a terminal (a pty
# under script(1)) capture says what it attached to, rewrites a status
# line in place and sums up at the end, and in a pipe it prints only its
# one-line summary; capture --compress writes a file report reads, with
# the same records, much smaller.
. "$(dirname "$0")/../lib.sh"
module_load
port=18090
svc_up() { wrk -t1 -c1 -d1s "http://127.0.0.1:$port/" >/dev/null 2>&1; }

"$progs/gobusy" --port "$port" --seconds 0 >"$work/gobusy.out" 2>&1 &
svc=$!
wait_for_s=120 wait_for svc_up
check_eq "the demo's service answers" 0 $?
wrk -t2 -c8 -d8s "http://127.0.0.1:$port/" >"$work/wrk.out" 2>&1 &
load=$!

# ---- the demo, default buffer, --json, stderr a file
"$ctl" capture -p "$svc" --goroutines --syscalls --duration 5s --json \
	-o "$work/demo.gdc" >"$work/demo.json" 2>"$work/demo.err"
check_eq "demo capture exits 0" 0 $?
cat "$work/demo.err"
wait "$load"
j() { jget "$work/demo.json" "$1"; }
r() { jget "$work/demo.gdc.json" "$1"; }
report "$work/demo.gdc"
echo "# demo: $(j "d['records']") records, $(j "d['lost']") lost," \
	"$(j "d['buffer_size']") bytes per CPU x $(j "d['cpus']")"
check_eq "the demo with the default buffer loses nothing (--json)" 0 "$(j "d['lost']")"
check_eq "the demo with the default buffer loses nothing (report)" 0 "$(r "d['events']['lost']")"
check_ge "the demo recorded goroutine and syscall events" 1000 "$(j "d['records']")"
# same_as KEY REPORT-EXPR: --json's KEY is what report --json says.
same_as() {
	check_eq "--json $1 is report's $2" "$(r "$2")" "$(j "d['$1']")"
}
same_as records "d['events']['recorded']"
same_as lost "d['events']['lost']"
same_as written "d['capture']['written']"
same_as duration_ns "d['capture']['duration_ns']"
same_as buffer_size "d['capture']['buffer_size']"
same_as processes "len(d['processes'])"
same_as goroutines "d['goroutines']['seen']"
check_eq "--json reason" duration "$(j "d['reason']")"
check_match "not on a terminal: the one-line summary" "^captured [1-9][0-9]* records" \
	"$(cat "$work/demo.err")"
check_eq "not on a terminal: no status line, no attach line" 0 \
	"$(grep -c $'\r\|\033\|^capturing ' "$work/demo.err")"

# ---- on a terminal: script(1) gives capture a pty for stdin/out/err
TERM=xterm script -q -e -c "$ctl capture -p $svc --syscalls --duration 3s -o $work/tty.gdc" \
	"$work/tty.log" </dev/null >/dev/null 2>&1
check_eq "capture on a terminal exits 0" 0 $?
log=$(tr -d '\000' <"$work/tty.log")
# What the terminal showed, each rewrite of the status line on a line of its own.
tr '\r' '\n' <"$work/tty.log" | sed -n 's/\x1b\[K//; /[^[:space:]]/s/^/# tty: /p' | tail -n 8
tty_gdc=$(re_escape "$work/tty.gdc")
check_match "terminal: says what it attached to" \
	"capturing syscall events of PID $svc \(gobusy\), [0-9.]+ [KM]iB per CPU x [0-9]+ -> $tty_gdc" "$log"
check_match "terminal: a status line rewritten in place" \
	$'\r\033\\[K +[0-9]+\\.[0-9] s  [0-9]+ records \\([0-9]+/s\\)  [0-9.]+ [KMG]?i?B  [0-9]+ lost' "$log"
check_match "terminal: the summary" "captured [0-9]+ records .*-> $tty_gdc" "$log"
check_match "terminal: the summary's second line" "of records, [0-9]+ records/s, [0-9]+ written by the module" "$log"
# A terminal that cannot rewrite a line (a serial console, TERM=dumb):
# the attach line and the summary, no status line.
TERM=dumb script -q -e -c "$ctl capture -p $svc --syscalls --duration 1s -o $work/dumb.gdc" \
	"$work/dumb.log" </dev/null >/dev/null 2>&1
check_eq "capture on a dumb terminal exits 0" 0 $?
log=$(tr -d '\000' <"$work/dumb.log")
check_match "dumb terminal: says what it attached to" "capturing syscall events of PID $svc" "$log"
check_match "dumb terminal: the summary's second line" "of records, [0-9]+ records/s" "$log"
check_eq "dumb terminal: no status line" 0 "$(grep -c $'\033' "$work/dumb.log")"
# A pipe on stdout and stderr: quiet again.
"$ctl" capture -p "$svc" --syscalls --duration 1s -o "$work/pipe.gdc" 2>&1 | cat >"$work/pipe.out"
check_eq "in a pipe: one line, the summary" 1 "$(wc -l <"$work/pipe.out")"

# ---- --compress: zstd sections, read as any file
wrk -t2 -c8 -d5s "http://127.0.0.1:$port/" >/dev/null 2>&1 &
load=$!
"$ctl" capture -p "$svc" --goroutines --syscalls --duration 3s -z --json \
	-o "$work/z.gdc" >"$work/z.json" 2>/dev/null
check_eq "capture -z exits 0" 0 $?
wait "$load"
"$ctl" report --json "$work/z.gdc" >"$work/z.gdc.json"
check_eq "report reads the compressed file" 0 $?
zrec=$(jget "$work/z.json" "d['records']")
check_eq "the compressed file holds the records capture counted" "$zrec" \
	"$(jget "$work/z.gdc.json" "d['events']['recorded']")"
check_eq "the compressed file says so (META)" 1 "$(grep -c -a 'compression=zstd level 3' "$work/z.gdc")"
zsize=$(stat -c %s "$work/z.gdc")
echo "# --compress: $zrec records in $zsize bytes"
# (a record is 56 to 72 bytes plain; the demo's compress about 12 times)
check_ge "the compressed file is under 16 bytes a record" "$zsize" $((zrec * 16))

kill -TERM "$svc"
wait "$svc"
