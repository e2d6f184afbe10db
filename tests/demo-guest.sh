#!/bin/bash
# The demo's main job, run inside the test VM by tests/demo.sh: load the
# module, start a sample Go service under HTTP load, trace its goroutines
# and syscalls for a few seconds without touching it, and print the report.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${GODIAG_BUILD:-$repo/build}
export PATH=$repo/ctl:$PATH
cap=/tmp/demo.gdc

step() { printf '\n==> %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "loading godiag.ko into $(uname -r)"
run insmod "$build/mod/$(uname -r)/kmod/godiag.ko"
run godiagctl status

step "starting a sample Go service (HTTP on 127.0.0.1:18080, goroutines ping-ponging)"
"$build/progs/gobusy" --port 18080 --seconds 0 >/tmp/gobusy.out 2>&1 &
svc=$!
for _ in $(seq 100); do
	wrk -t1 -c1 -d1s http://127.0.0.1:18080/ >/dev/null 2>&1 && break
	sleep 0.1
done
wrk -t2 -c8 -d8s http://127.0.0.1:18080/ >/tmp/wrk.out 2>&1 &
load=$!

step "what godiag sees in its binary"
run godiagctl inspect -p "$svc"

step "tracing its goroutines and syscalls for 5 s (PID $svc), while wrk loads it"
run godiagctl capture -p "$svc" --goroutines --syscalls --duration 5s -o "$cap"

step "the report"
run godiagctl report "$cap"

wait "$load" || true
kill -TERM "$svc"
wait "$svc" || true
step "the service was traced without a restart or a code change:"
cat /tmp/gobusy.out
run rmmod godiag
