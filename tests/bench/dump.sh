#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The host section of `make bench`: what a goroutine dump costs. Runs on
# the host (no VM, no module: godiagctl goroutines and runtime read
# /proc/PID/mem), as root or as the owner of the program.
#
#   tests/bench/dump.sh BENCH_DIR
#
# BENCH_DIR holds pingpong (tests/bench/run.sh builds it). For N = 0,
# 10,000 and 100,000 parked goroutines (pingpong --park N):
#   - the wall time of `godiagctl goroutines -p PID` (grouped text, to
#     /dev/null) and of `godiagctl runtime -p PID`, the median of REPS,
#     and per goroutine: (time at N - time at 0) / N, the setup (reading
#     the binary, establishing the facts) being the time at 0;
#   - the program's throughput (pingpong rounds/s, the median of REPS runs
#     of SECS) alone, then while `godiagctl goroutines -p PID` runs once a
#     second, and the change.
# Prints the table; a figure, not a test (it fails only when a tool fails).
#
#   GODIAG_BENCH_DUMP_REPS  repetitions (default 5)
#   GODIAG_BENCH_DUMP_SECS  length of a throughput run, seconds (default 3)
#   GODIAG_BENCH_DUMP_NS    the goroutine counts (default "0 10000 100000")
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: tests/bench/dump.sh BENCH_DIR}
ctl=${GODIAG_CTL:-$repo/ctl/godiagctl}
reps=${GODIAG_BENCH_DUMP_REPS:-5}
secs=${GODIAG_BENCH_DUMP_SECS:-3}
ns=${GODIAG_BENCH_DUMP_NS:-"0 10000 100000"}
tmp=$(mktemp -d)
prog=
dumper=

cleanup() {
	[ -z "$dumper" ] || kill "$dumper" 2>/dev/null || true
	[ -z "$prog" ] || kill "$prog" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

now_ns() { date +%s%N; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# timed CMD...: the wall time of one run in ns (its output discarded)
timed() {
	local t0
	t0=$(now_ns)
	"$@" >/dev/null
	echo $(($(now_ns) - t0))
}

# wait_line FILE N SECONDS: until FILE has N lines
wait_line() {
	local end=$((SECONDS + $3))
	while [ "$(wc -l <"$1")" -lt "$2" ]; do
		if [ $SECONDS -ge $end ] || ! kill -0 "$prog" 2>/dev/null; then
			echo "bench: pingpong did not answer ($(cat "$1"))" >&2
			exit 1
		fi
		sleep 0.05
	done
}

# rate: one pingpong run (SIGUSR1), its rounds/s (the line it adds)
rate() {
	local n
	n=$(($(wc -l <"$tmp/out") + 1))
	kill -USR1 "$prog"
	wait_line "$tmp/out" "$n" $((secs * 10 + 60))
	sed -n "${n}p" "$tmp/out" | sed -n 's/.* rate=\([0-9]*\)$/\1/p'
}

# dump_loop: godiagctl goroutines once a second until killed
dump_loop() {
	while :; do
		"$ctl" goroutines -p "$prog" >/dev/null || exit 1
		sleep 1
	done
}

ms() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1e6 }'; }

echo "host: goroutine dump cost (pingpong --park N; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-9s %10s %14s %10s %14s %12s %14s %8s\n' goroutines "dump ms" "dump us/g" \
	"runtime ms" "runtime us/g" "rounds/s" "dumping 1/s" change
base_dump=0
base_rt=0
for n in $ns; do
	: >"$tmp/out"
	"$dir/pingpong" --park "$n" --wait-signal -d "${secs}s" >"$tmp/out" 2>"$tmp/err" &
	prog=$!
	wait_line "$tmp/out" 1 300
	d=$(for _ in $(seq "$reps"); do timed "$ctl" goroutines -p "$prog"; done | median)
	r=$(for _ in $(seq "$reps"); do timed "$ctl" runtime -p "$prog"; done | median)
	if [ "$n" = 0 ]; then
		base_dump=$d
		base_rt=$r
		dpg=-
		rpg=-
	else
		dpg=$(awk -v t="$d" -v b="$base_dump" -v n="$n" 'BEGIN { printf "%.2f", (t - b) / n / 1000 }')
		rpg=$(awk -v t="$r" -v b="$base_rt" -v n="$n" 'BEGIN { printf "%.2f", (t - b) / n / 1000 }')
	fi
	alone=$(for _ in $(seq "$reps"); do rate; done | median)
	dump_loop &
	dumper=$!
	busy=$(for _ in $(seq "$reps"); do rate; done | median)
	kill "$dumper" 2>/dev/null || true
	wait "$dumper" 2>/dev/null || true
	dumper=
	change=$(awk -v a="$alone" -v b="$busy" 'BEGIN { printf "%+.1f%%", (b - a) * 100 / a }')
	printf '%-9s %10s %14s %10s %14s %12s %14s %8s\n' "$n" "$(ms "$d")" "$dpg" "$(ms "$r")" \
		"$rpg" "$alone" "$busy" "$change"
	kill "$prog"
	wait "$prog" 2>/dev/null || true
	prog=
done
