# shellcheck shell=bash
# Helpers for test cases that run inside the test VM (tests/cases/*.sh).
# A case prints one "ok - DESC" or "not ok - DESC" line per assertion;
# tests/check.sh counts them.

repo=${GODIAG_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
build=${GODIAG_BUILD:-$repo/build}
ctl=$repo/ctl/godiagctl
progs=$build/progs
ko=${GODIAG_KO:-$build/mod/$(uname -r)/kmod/godiag.ko}
work=$(mktemp -d /tmp/godiag-test.XXXXXX)
failures=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

# check DESC CMD...: passes when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@" >"$work/out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/#   /' "$work/out" | head -20
	fi
}

# check_fails DESC STATUS CMD...: passes when CMD exits with STATUS.
check_status() {
	local desc=$1 want=$2 got
	shift 2
	"$@" >"$work/out" 2>&1 && got=0 || got=$?
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $got, wanted $want)"
		sed 's/^/#   /' "$work/out" | head -20
	fi
}

# check_eq DESC WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1: wanted '$2', got '$3'"
	fi
}

# check_match DESC ERE TEXT
check_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		not_ok "$1: '$3' does not match /$2/"
	fi
}

# re_escape TEXT: TEXT as an ERE matching itself.
re_escape() {
	printf '%s' "$1" | sed 's/[][\\.^$*+?(){}|/]/\\&/g'
}

# check_ge DESC MIN GOT (integers)
check_ge() {
	if [ "$3" -ge "$2" ] 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1: wanted >= $2, got '$3'"
	fi
}

module_load() {
	insmod "$ko"
}

module_unload() {
	rmmod godiag
}

module_loaded() {
	[ -d /sys/module/godiag ]
}

# Run as an unprivileged user.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$@"
}

finish() {
	rm -rf "$work"
	module_loaded && rmmod godiag 2>/dev/null
	exit $((failures > 0))
}
trap finish EXIT

# jget FILE EXPR: evaluate a Python expression on the JSON in FILE (as d).
jget() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# syscall_count REPORT.json NAME: calls of NAME in a report, 0 if absent.
syscall_count() {
	jget "$1" "sum(s['count'] for s in d['syscalls'] if s['name'] == '$2')"
}

# start_gt NAME PROG ARGS...: start a ground-truth program that waits for
# SIGUSR1; its pid goes into the variable NAME, its output file into gt_out.
start_gt() {
	local var=$1 i
	shift
	gt_out=$(mktemp "$work/gt.XXXXXX")
	"$@" >"$gt_out" 2>&1 &
	for i in $(seq 300); do
		grep -q '^ready ' "$gt_out" && break
		sleep 0.05
	done
	printf -v "$var" '%s' "$(sed -n 's/^ready //p' "$gt_out")"
	if [ -z "${!var}" ]; then
		# Nothing after this can mean anything: stop the case here.
		not_ok "$1 did not start: $(head -c 200 "$gt_out")"
		exit 1
	fi
}

# wait_running: until a session is running with at least N targets.
wait_running() {
	local want=${1:-1} i
	for i in $(seq 400); do
		"$ctl" sessions --json >"$work/sess.json" 2>/dev/null &&
			[ "$(jget "$work/sess.json" \
				"max([len(s['targets']) for s in d['sessions'] if s['state'] == 'running'] or [-1])")" -ge "$want" ] &&
			return 0
		sleep 0.05
	done
	echo "no running session with $want targets" >&2
	return 1
}

# capture_bg FILE ARGS...: start a capture in the background; $cap_pid.
capture_bg() {
	local file=$1
	shift
	"$ctl" capture "$@" -o "$file" 2>"$file.err" &
	cap_pid=$!
}

# report FILE: JSON report into FILE.json.
report() {
	"$ctl" report --json "$1" >"$1.json"
}
