#!/bin/sh
# godiagctl's exit codes and messages for what needs no module: bad
# options, missing and wrong files. Each error is one line on stderr
# naming the command, and the exit code is the one --help documents.
# Prints "ok NAME" or "FAIL NAME" per case, like the C tests.
set -u

here=$(cd "$(dirname "$0")" && pwd)
ctl=${GODIAG_CTL:-$here/../../ctl/godiagctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME STATUS PATTERN ARGS...: godiagctl ARGS exits STATUS and
# prints one line on stderr matching the extended regex PATTERN, or for
# a usage error (status 1 and PATTERN starting "usage:") that line and
# a second pointing at the help, or (PATTERN "-") nothing
expect() {
	name=$1 want=$2 pat=$3
	shift 3
	expect_run "$name" "$want" "$pat" "$ctl" "$@"
}

# expect_run NAME STATUS PATTERN CMD...: the same for a command line that
# runs godiagctl itself (under timeout, as another user)
expect_run() {
	name=$1 want=$2 pat=${3#usage:} nlines=1
	[ "$pat" = "$3" ] || nlines=2
	[ "$pat" != - ] || nlines=0 pat=
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$st" = "$want" ] && [ "$lines" = "$nlines" ] &&
		{ [ "$nlines" = 0 ] || head -n 1 "$tmp/err" | grep -Eq "$pat"; } &&
		{ [ "$nlines" != 2 ] || tail -n 1 "$tmp/err" | grep -q "^see 'godiagctl help"; }; then
		echo "ok $name"
	else
		echo "FAIL $name"
		echo "#   $*: exit $st (want $want), stderr ($lines lines):"
		sed 's/^/#     /' "$tmp/err"
	fi
}

if [ ! -x "$ctl" ]; then
	echo "FAIL godiagctl is built ($ctl)"
	exit 1
fi

mkdir "$tmp/dir"
printf 'GDIAGCAP but not really\n' >"$tmp/fake.gdc"
: >"$tmp/empty.gdc"

expect "an unknown command exits 1" 1 "usage:^godiagctl: unknown command 'frobnicate'$" frobnicate
expect "an unknown option exits 1" 1 "usage:^godiagctl: capture: invalid option '--no-such-option'$" \
	capture --no-such-option
expect "report without a file exits 1" 1 "usage:^godiagctl: report: missing capture FILE$" report
expect "report of a missing file exits 1" 1 \
	"^godiagctl: report: $tmp/none.gdc: No such file or directory$" report "$tmp/none.gdc"
expect "report of a directory exits 1" 1 "Is a directory" report "$tmp/dir"
expect "flight without an action exits 1" 1 "usage:^godiagctl: flight: missing action" flight
expect "flight with an unknown action exits 1" 1 \
	"usage:^godiagctl: flight: unknown action 'go' " flight go
expect "flight start with a bad name exits 1" 1 \
	"usage:^godiagctl: flight: invalid recorder name 'a/b'" flight start a/b -p 1
expect "flight start without -p exits 1" 1 \
	"usage:^godiagctl: flight: start: which process\\? \\(-p PID, --comm NAME or --cgroup PATH\\)$" \
	flight start x
expect "flight start --comm over 15 bytes exits 1" 1 \
	"usage:^godiagctl: flight: --comm a-very-long-name-x: longer than a process name" \
	flight start x --comm a-very-long-name-x
printf 'comm = api\nsize = 3Q\n' >"$tmp/bad.conf"
expect "flight start --config with a bad line exits 1, naming it" 1 \
	"^godiagctl: flight: $tmp/bad.conf:2: size = 3Q: unknown unit" \
	flight start x --config "$tmp/bad.conf"
expect "flight start --config of a missing file exits 1" 1 \
	"^godiagctl: flight: $tmp/none.conf: No such file or directory$" \
	flight start x --config "$tmp/none.conf"
expect "flight start --size out of range exits 1" 1 "usage:^godiagctl: flight: --size 1K: " \
	flight start x -p 1 --size 1K
expect "flight start --window 0 exits 1" 1 "usage:^godiagctl: flight: --window 0: out of range" \
	flight start x -p 1 --window 0
expect "flight snapshot without -o exits 1" 1 \
	"usage:^godiagctl: flight: snapshot: where to\\? \\(-o FILE\\)$" flight snapshot x
expect "flight stop without a name exits 1" 1 "usage:^godiagctl: flight: missing recorder NAME$" \
	flight stop
# Every bad --trigger: one line saying what is wrong, exit 1, before the module.
for t in '' syscall 'syscall>' 'syscall>fast' 'syscall>0' 'syscall:>1s' 'syscall:nosuch>1s' \
	'syscalls>1s' '>1s' break: break goroutines 'goroutines>' 'goroutines>many' \
	'goroutines>-5' 'blocked:>1s' blocked:select 'blocked:select>' gc-pause 'gc-pause>0s' \
	'cpu>90'; do
	expect "flight start --trigger '$t' exits 1" 1 "usage:^godiagctl: flight: --trigger " \
		flight start x -p 1 --trigger "$t"
done
expect "flight start --cooldown below 100ms exits 1" 1 \
	"usage:^godiagctl: flight: --cooldown 10ms: out of range" \
	flight start x -p 1 --trigger 'syscall>1s' --cooldown 10ms
expect "flight start --post past 10m exits 1" 1 "usage:^godiagctl: flight: --post 11m: out of range" \
	flight start x -p 1 --trigger 'syscall>1s' --post 11m
expect "flight start --post not shorter than --window exits 1" 1 \
	"usage:^godiagctl: flight: --post must be shorter than --window" \
	flight start x -p 1 --trigger 'syscall>1s' --post 5s --window 5s
expect "flight start --keep 0 exits 1" 1 "usage:^godiagctl: flight: invalid --keep '0'" \
	flight start x -p 1 --trigger 'syscall>1s' --keep 0
expect "flight start --snapshot-dir without --trigger exits 1" 1 \
	"usage:^godiagctl: flight: --snapshot-dir is for a recorder with --trigger$" \
	flight start x -p 1 --snapshot-dir /tmp
expect "flight start --foreground with neither --trigger nor following exits 1" 1 \
	"usage:^godiagctl: flight: --foreground is for a recorder with --trigger, --comm or --cgroup$" \
	flight start x -p 1 --foreground
# shellcheck disable=SC2046 # one word per option
expect "flight start: 17 --trigger exits 1" 1 "usage:^godiagctl: flight: more than 16 --trigger" \
	flight start x -p 1 $(for i in $(seq 17); do printf -- '--trigger syscall>%ds ' "$i"; done)
expect "flight daemon without a name exits 1" 1 "usage:^godiagctl: flight: missing recorder NAME$" \
	flight daemon
expect "flight daemon --keep 0 exits 1" 1 "usage:^godiagctl: flight: invalid --keep '0'" \
	flight daemon x --keep 0
expect "report of a program exits 1" 1 "^godiagctl: report: /bin/sh: not a godiag capture file$" report /bin/sh
expect "report of an empty file exits 1" 1 "^godiagctl: report: $tmp/empty.gdc: not a godiag capture file$" report "$tmp/empty.gdc"
expect "report of a damaged file exits 1" 1 "^godiagctl: report: $tmp/fake.gdc: not a godiag capture file$" report "$tmp/fake.gdc"
expect "inspect of a missing file exits 1" 1 "cannot open" inspect "$tmp/none"
expect "inspect of a C program exits 1" 1 "is not a Go program" inspect /bin/sh
expect "inspect of a directory exits 1" 1 "not a regular file" inspect "$tmp/dir"
expect "inspect --arg without --break exits 1" 1 \
	"usage:^godiagctl: inspect: --arg and --field go with --break$" inspect --arg 1:int /bin/sh

# inspect --break on the planner's test program (test_breakplan checks the plans)
bp=${GODIAG_PROGS:-$here/../../build/progs}/breakplan-go1.26
expect "inspect --break of an unknown function exits 1" 1 \
	"^godiagctl: inspect: no function main.Handle in $bp \\(closest: main.\\(\\*Server\\).Handle\\)$" \
	inspect "$bp" --break main.Handle
expect "inspect --break of a line without code exits 1" 1 \
	"^godiagctl: inspect: main.go:1 has no code$" inspect "$bp" --break main.go:1
expect "inspect --break plans a function" 0 - inspect "$bp" --break main.mixed --field req.Method
if grep -q "^  req.Method  *string  *string  *8   \[r9+8\], \[r9+16\]$" "$tmp/out"; then
	echo "ok inspect --break prints req.Method's words"
else
	echo "FAIL inspect --break prints req.Method's words"
	sed 's/^/#     /' "$tmp/out"
fi
expect "inspect --break --json plans a function" 0 - inspect "$bp" --json --break main.add
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); b=d["breakpoints"][0]; sys.exit(not (len(b["sites"]) == 3 and all(s["inlined"] for s in b["sites"])))' "$tmp/out"; then
	echo "ok inspect --break --json: main.add at 3 inlined sites"
else
	echo "FAIL inspect --break --json: main.add at 3 inlined sites"
	sed 's/^/#     /' "$tmp/out"
fi

# A capture file: META (start at 1 ms), 3 syscall records (64 bytes
# each, at 2, 3 and 4 ms) in two RECORDS sections with a NOTE between
# them, then END. Bytes: header 0..24, META 24..72, RECORDS 72..216, NOTE
# 216..240, RECORDS 240..320 (its record at 256..320), END 320..368.
make_capture() {
	python3 - "$1" <<'PY'
import struct, sys
def sec(t, payload):
    pad = b"\0" * (-len(payload) % 8)
    return struct.pack("<IIQ", t, 0, len(payload)) + payload + pad
def rec(ts):
    # struct godiag_rec_syscall: type SYSCALL (2), size 64, tgid 100
    return struct.pack("<HHHHIIQQQQqII", 2, 64, 0, 0, 100, 100, ts, 0,
                       ts - 1000, 1000, 0, 1, 0)
out = b"GODIAGCF" + struct.pack("<IIII", 1, 24, 1, 0)
out += sec(1, b"start_monotonic_ns=1000000\n")
out += sec(3, rec(2000000) + rec(3000000))
out += sec(4, b"between")
out += sec(3, rec(4000000))
out += sec(6, struct.pack("<QQQQ", 1, 5000000, 3, 192))
open(sys.argv[1], "wb").write(out)
PY
}

make_capture "$tmp/whole.gdc"
head -c 290 "$tmp/whole.gdc" >"$tmp/cut.gdc"
head -c 240 "$tmp/whole.gdc" >"$tmp/cut-between.gdc"
expect "report of a complete file exits 0" 0 - report "$tmp/whole.gdc"
expect "report of a file cut mid-record exits 5" 5 \
	"^godiagctl: warning: report: $tmp/cut.gdc: file cut at byte 290 in section RECORDS: the report covers the records of its first 2.00 ms$" \
	report "$tmp/cut.gdc"
if grep -q '^write .* 2 ' "$tmp/out"; then
	echo "ok a cut file's report holds its 2 whole records"
else
	echo "FAIL a cut file's report holds its 2 whole records"
	sed 's/^/#   /' "$tmp/out"
fi
expect "report of a file cut between sections exits 5" 5 \
	"file ends at byte 240 without its end section" report "$tmp/cut-between.gdc"
expect "script of a complete file exits 0" 0 - script "$tmp/whole.gdc"
expect "script of a file cut mid-record exits 5" 5 \
	"^godiagctl: warning: script: $tmp/cut.gdc: file cut at byte 290 in section RECORDS: printed the 2 records before it$" \
	script "$tmp/cut.gdc"
if [ "$(grep -c ' syscall ' "$tmp/out")" = 2 ]; then
	echo "ok a cut file's script prints its 2 whole records"
else
	echo "FAIL a cut file's script prints its 2 whole records"
	sed 's/^/#   /' "$tmp/out"
fi
expect "script --json of a cut file exits 5" 5 "file cut at byte 290" script --json "$tmp/cut.gdc"
expect "script of a missing file exits 1" 1 \
	"^godiagctl: script: $tmp/none.gdc: No such file or directory$" script "$tmp/none.gdc"
expect "script of a damaged file exits 1" 1 "^godiagctl: script: $tmp/fake.gdc: not a godiag capture file$" \
	script "$tmp/fake.gdc"
expect "script --kind of an unknown kind exits 1" 1 "usage:^godiagctl: script: unknown kind 'bogus'" \
	script --kind syscall,bogus "$tmp/whole.gdc"
expect "script --goroutine 0 exits 1" 1 "usage:^godiagctl: script: invalid goroutine id '0'$" \
	script --goroutine 0 "$tmp/whole.gdc"
echo keep >"$tmp/trace.json"
expect "export without --format exits 1" 1 "usage:^godiagctl: export: missing --format" \
	export "$tmp/whole.gdc" -o "$tmp/trace.json"
expect "export --format of an unknown format exits 1" 1 \
	"usage:^godiagctl: export: unknown format 'pprof' \(perfetto, perfetto-proto, gotrace\)$" \
	export "$tmp/whole.gdc" --format pprof -o "$tmp/trace.json"
expect "export --pid for perfetto exits 1" 1 \
	"usage:^godiagctl: export: --pid is for --format gotrace$" \
	export "$tmp/whole.gdc" --format perfetto --pid 1 -o "$tmp/trace.json"
expect "export --pid of a bad number exits 1" 1 "usage:^godiagctl: export: bad --pid '0x1'$" \
	export "$tmp/whole.gdc" --format gotrace --pid 0x1 -o "$tmp/trace.json"
expect "export --format gotrace of a file without goroutines exits 1" 1 \
	"^godiagctl: export: $tmp/whole.gdc: no goroutine records \(a capture with --goroutines has them\)$" \
	export "$tmp/whole.gdc" --format gotrace -o "$tmp/trace.json"
expect "export without -o exits 1" 1 "usage:^godiagctl: export: missing -o OUTPUT$" \
	export "$tmp/whole.gdc" --format perfetto
expect "export of a damaged file exits 1" 1 "^godiagctl: export: $tmp/fake.gdc: not a godiag capture file$" \
	export "$tmp/fake.gdc" --format perfetto -o "$tmp/trace.json"
if [ "$(cat "$tmp/trace.json")" = keep ] && [ -z "$(find "$tmp" -name '.trace.json*')" ]; then
	echo "ok a failed export leaves the output file as it was"
else
	echo "FAIL a failed export leaves the output file as it was"
fi
expect "export into a missing directory exits 1" 1 "^godiagctl: export: $tmp/none/t.json: No such file or directory$" \
	export "$tmp/whole.gdc" --format perfetto -o "$tmp/none/t.json"
expect "export of a complete file exits 0" 0 - export "$tmp/whole.gdc" -f perfetto -o "$tmp/trace.json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(len([e for e in d["traceEvents"] if e["ph"] == "X"]) != 3)' "$tmp/trace.json"; then
	echo "ok export writes valid JSON with the 3 syscall slices"
else
	echo "FAIL export writes valid JSON with the 3 syscall slices"
fi
expect "export --pid for perfetto-proto exits 1" 1 \
	"usage:^godiagctl: export: --pid is for --format gotrace$" \
	export "$tmp/whole.gdc" --format perfetto-proto --pid 1 -o "$tmp/trace.pftrace"
expect "export --format perfetto-proto of a complete file exits 0" 0 - \
	export "$tmp/whole.gdc" -f perfetto-proto -o "$tmp/trace.pftrace"
# Its first packet (field 1, length-delimited, short) is a track descriptor (field 60).
if [ "$(od -An -tx1 -N4 "$tmp/trace.pftrace" | awk '{ print $1, $3, $4 }')" = "0a e2 03" ]; then
	echo "ok export --format perfetto-proto writes packets"
else
	echo "FAIL export --format perfetto-proto writes packets"
fi
expect "export of a file cut mid-record exits 5" 5 \
	"^godiagctl: warning: export: $tmp/cut.gdc: file cut at byte 290 in section RECORDS: exported the 2 records before it$" \
	export "$tmp/cut.gdc" -f perfetto -o "$tmp/cut.json"
expect "report --json of a cut file exits 5" 5 "file cut at byte 290" \
	report --json "$tmp/cut.gdc"
if grep -q '"cut":{"byte":290,"section":"RECORDS","covers_ns":2000000}' "$tmp/out"; then
	echo "ok report --json says where the file was cut"
else
	echo "FAIL report --json says where the file was cut"
fi
# Endless and huge inputs are read only as far as a capture file can go
# (the timeout only stops a reader that would not stop by itself).
expect_run "report /dev/zero stops at once and exits 1" 1 \
	"^godiagctl: report: /dev/zero: not a godiag capture file$" \
	timeout 60 "$ctl" report /dev/zero
mkfifo "$tmp/fifo"
{ cat "$tmp/whole.gdc"; exec sleep 600; } >"$tmp/fifo" &
writer=$!
expect_run "report of a pipe that stays open after END exits 0" 0 - \
	timeout 60 "$ctl" report "$tmp/fifo"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null

# Permission: a file that may not be read exits 4 (root reads anything,
# so the check runs as nobody when run as root).
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}
mkdir "$tmp/private"
cp "$tmp/whole.gdc" "$tmp/private/secret.gdc"
cp /bin/true "$tmp/private/prog"
chmod 0600 "$tmp/private/secret.gdc" "$tmp/private/prog"
chmod 0755 "$tmp" "$tmp/private"
expect_run "report of an unreadable file exits 4" 4 "Permission denied" \
	as_user "$ctl" report "$tmp/private/secret.gdc"
expect_run "inspect of an unreadable file exits 4" 4 "Permission denied" \
	as_user "$ctl" inspect "$tmp/private/prog"

# A PID that names no process is a bad argument for every command.
sh -c 'exit 0' &
dead=$!
wait "$dead"
expect "inspect -p of a dead PID exits 1" 1 "^godiagctl: inspect: no process $dead$" \
	inspect -p "$dead"
expect "capture --cgroup and --container together exit 1" 1 \
	"usage:^godiagctl: capture: --container: one --cgroup or --container per capture$" \
	capture --cgroup /x --container abc --syscalls -o "$tmp/g.gdc"
expect "capture --cgroup '' exits 1" 1 "usage:^godiagctl: capture: empty --cgroup$" \
	capture --cgroup '' --syscalls -o "$tmp/g.gdc"
expect "capture without targets names every way to give them" 1 \
	"usage:^godiagctl: capture: nothing to trace: give -p PID, --cgroup PATH, --container ID or -- COMMAND$" \
	capture --syscalls -o "$tmp/g.gdc"
expect "capture -p of a dead PID exits 1" 1 "^godiagctl: capture: no process $dead$" \
	capture -p "$dead" --syscalls -o "$tmp/dead.gdc"
expect "capture --goroutines -p of a dead PID exits 1" 1 \
	"^godiagctl: capture: no process $dead$" \
	capture -p "$dead" --goroutines -o "$tmp/dead.gdc"
expect "capture --arg before any --break exits 1" 1 \
	"usage:^godiagctl: capture: --arg applies to the --break before it: give --break first$" \
	capture -p 1 --arg 1:int --break main.f -o "$tmp/dead.gdc"
expect "capture --stack above 32 exits 1" 1 \
	"usage:^godiagctl: capture: invalid --stack '33' \\(0 to 32\\)$" \
	capture -p 1 --break main.f --stack 33 -o "$tmp/dead.gdc"
expect "capture --max-rate 0/s exits 1" 1 \
	"usage:^godiagctl: capture: invalid --max-rate '0' " \
	capture -p 1 --break main.f --max-rate 0/s -o "$tmp/dead.gdc"
if [ ! -e "$tmp/dead.gdc" ] && [ -z "$(find "$tmp" -name '.dead.gdc*')" ]; then
	echo "ok a refused capture leaves no file"
else
	echo "FAIL a refused capture leaves no file"
fi

# A breakpoint on a process whose program was redeployed while it ran:
# the build it runs lacks the function, and the line says why.
progs=${GODIAG_PROGS:-$here/../../build/progs}
cp "$progs/gosched-go1.23" "$tmp/svc"
: >"$tmp/svc.out"
"$tmp/svc" --wait-signal >"$tmp/svc.out" 2>&1 &
svc=$!
i=0
while ! grep -q '^ready ' "$tmp/svc.out" && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
expect "inspect --break of a function the process lacks" 1 \
	"^godiagctl: inspect: no function runtime.runCleanups in /proc/$svc/exe$" \
	inspect -p "$svc" --break runtime.runCleanups
cp "$progs/gosched-go1.26" "$tmp/svc.new"
mv "$tmp/svc.new" "$tmp/svc"
expect "... after a redeploy: the line says the process runs another build" 1 \
	"^godiagctl: inspect: no function runtime.runCleanups in /proc/$svc/exe; PID $svc runs another build of $tmp/svc \\(build id go:[^)]+\\) than the file there now \\(build id go:[^)]+\\): redeployed, the process not restarted$" \
	inspect -p "$svc" --break runtime.runCleanups
rm "$tmp/svc"
expect "... and when the file was deleted" 1 \
	"^godiagctl: inspect: no function runtime.runCleanups in /proc/$svc/exe; PID $svc runs a build of $tmp/svc that was deleted from the disk since it started \\(build id go:[^)]+\\): redeployed\\?$" \
	inspect -p "$svc" --break runtime.runCleanups
kill "$svc"
wait "$svc" 2>/dev/null

# --help: exit 0, the exit codes on stdout, nothing on stderr
if "$ctl" --help >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ] &&
	grep -q '^  3  the operation failed$' "$tmp/out" &&
	grep -q '^  5  report, script, export: the capture file was cut short' "$tmp/out" &&
	grep -q '^  6  capture --strict' "$tmp/out"; then
	echo "ok --help exits 0 and lists the exit codes"
else
	echo "FAIL --help exits 0 and lists the exit codes"
fi
