#!/bin/bash
# `make bench`: build what the benchmark needs, boot ONE test VM that runs
# tests/bench/guest.sh, print its table and keep it in
# build/bench/results.txt (the whole console log in build/bench/console.log).
#
# A figure, not a test: it fails only when a build, the VM or a tool in the
# guest fails, never because of a number. See docs/PERFORMANCE.md.
#
#   GODIAG_BENCH_KERNEL   kernel to boot (default 6.12; see tests/vm/kernels.sh)
#   GODIAG_BENCH_N, GODIAG_BENCH_N_STRACE, GODIAG_BENCH_N_PERF,
#   GODIAG_BENCH_REPS, GODIAG_BENCH_SECS, GODIAG_BENCH_GO_SECS, GODIAG_BENCH_GO_REPS
#                         loop sizes, repetitions, run lengths
#                         (tests/bench/guest.sh, tests/bench/go.sh)
#   GODIAG_BENCH_GO       the Go toolchain of the Go programs (default: the
#                         first installed of Go 1.22, 1.23, 1.21, /usr/bin/go)
#   GODIAG_BENCH_HOST     0: leave out the host section (the cost of a
#                         goroutine dump, tests/bench/dump.sh), run first
#   GODIAG_BENCH_VM       0: the host section only, no VM and no module
#   GODIAG_BENCH_DUMP_*   its repetitions, run length, goroutine counts
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
build=${GODIAG_BUILD:-$repo/build}
out=$build/bench
kernel=${GODIAG_BENCH_KERNEL:-6.12}
CC=${CC:-gcc}

host=${GODIAG_BENCH_HOST:-1}
vm=${GODIAG_BENCH_VM:-1}

mkdir -p "$out"
make -C ctl
make -C tests/progs O="$build/progs" c
if [ "$vm" != 0 ]; then
	ko=$(tests/build-module.sh "$kernel" | tail -n 1)
	# The guest loads this copy: a test run rebuilding build/mod meanwhile
	# cannot swap the module under the benchmark.
	cp "$ko" "$out/godiag-$(tests/vm/kernels.sh resolve "$kernel" release).ko"
fi
for p in sysloop slowread; do
	echo "  CC      $out/$p"
	"$CC" -O2 -std=c11 -Wall -Wextra -Werror -I"$repo/include" \
		-o "$out/$p" "tests/bench/$p.c"
done

# The Go section's programs: static, with their symbol table and DWARF
# (bpftrace resolves runtime.* by name). Never downloads anything.
GO=${GODIAG_BENCH_GO:-}
if [ -z "$GO" ]; then
	for GO in /usr/lib/go-1.22/bin/go /usr/lib/go-1.23/bin/go /usr/lib/go-1.21/bin/go /usr/bin/go; do
		[ -x "$GO" ] && break
	done
fi
for p in pingpong httpd bpcall; do
	echo "  GO      $out/$p ($GO)"
	(cd tests/bench/go && env GOCACHE="$out/go/cache" GOPATH="$out/go/path" \
		GOMODCACHE="$out/go/path/pkg/mod" GOENV=off GOTOOLCHAIN=local GOPROXY=off \
		GOFLAGS= GO111MODULE=on GOWORK=off CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
		HOME="$out/go" "$GO" build -trimpath -o "$out/$p" "./$p")
done
# godiag's probe points in them, and bpftrace's copies with a symbol at
# each (tests/bench/go.sh)
echo "  PREP    $out/pingpong.c $out/httpd.c"
bash tests/bench/go.sh prepare "$out"

# The host section first: it needs no VM (godiagctl reads /proc/PID/mem).
rm -f "$out/host.txt"
if [ "$host" != 0 ]; then
	echo "bench: the host section (goroutine dumps of pingpong --park N)"
	bash tests/bench/dump.sh "$out" | tee "$out/host.txt"
fi
if [ "$vm" = 0 ]; then
	echo "bench: host section saved in $out/host.txt (GODIAG_BENCH_VM=0: no VM)"
	exit 0
fi

echo "bench: booting $kernel under qemu; this takes several minutes (progress below)"
rm -f "$out/results.txt"
status=0
# The console goes to the log; progress lines and the table to the terminal
# (progress comes in bursts: the harness's console filter reads in blocks).
# A host thread per vCPU: the readers run on CPU 1 so as not to take the
# workload's time on CPU 0, which one thread for both would undo.
GODIAG_VM_TCG=${GODIAG_VM_TCG:-multi} tests/vm/run.sh -k "$kernel" -t 2700 -- tests/bench/guest.sh 2>&1 |
	tee "$out/console.log" | grep --line-buffered -E '^(bench:|run\.sh:)' || status=${PIPESTATUS[0]}

# The table, without kernel messages that the console may interleave.
sed -n '/^GODIAG-BENCH-BEGIN$/,/^GODIAG-BENCH-END$/p' "$out/console.log" |
	sed '1d;$d' | grep -Ev '^\[ *[0-9]+\.[0-9]+\] ' >"$out/results.txt" || true
echo
if [ -s "$out/results.txt" ]; then
	[ ! -s "$out/host.txt" ] || cat "$out/host.txt" >>"$out/results.txt"
	cat "$out/results.txt"
	echo
	echo "bench: table saved in $out/results.txt, console log in $out/console.log"
else
	echo "bench: the guest printed no table; see $out/console.log" >&2
	[ "$status" -ne 0 ] || status=1
fi
if [ "$status" -ne 0 ]; then
	echo "bench: FAILED (exit $status); see $out/console.log" >&2
fi
exit "$status"
