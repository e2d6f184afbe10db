#!/bin/bash
# `make soak`: build what the soak needs, boot ONE test VM that runs
# tests/soak/soak.sh (a GODIAG_SOAK_MINUTES-long capture of a busy Go
# service, its counts checked against the service's own counters, slab
# memory sampled), print its summary and memory curve, and keep them in
# build/soak/: results-STAMP.txt (and results.txt, the latest),
# console-STAMP.log (the script's output) and the full console log with
# the guest's dmesg (run.sh --keep-log). Exits non-zero on any failed
# check, on a kernel problem, a guest that died or a timeout.
#
#   GODIAG_SOAK_MINUTES   capture length (default 30)
#   GODIAG_SOAK_KERNEL    kernel to boot (default 6.12; see tests/vm/kernels.sh)
#   GODIAG_SOAK_GO        Go version of the service (default 1.22; 1.19, 1.21,
#                         1.22 or 1.23, whichever toolchain tests/progs knows)
#   GODIAG_SOAK_*         the other knobs of tests/soak/soak.sh (sampling
#                         interval, warm-up, thresholds, workload shape)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
build=${GODIAG_BUILD:-$repo/build}
out=$build/soak
kernel=${GODIAG_SOAK_KERNEL:-6.12}
minutes=${GODIAG_SOAK_MINUTES:-30}
gover=${GODIAG_SOAK_GO:-1.22}

if ! [[ $minutes =~ ^[1-9][0-9]*$ ]]; then
	echo "soak: GODIAG_SOAK_MINUTES='$minutes' is not a positive number of minutes" >&2
	exit 2
fi
case $gover in
1.19) GO=/usr/bin/go ;;
1.2[1-3]) GO=/usr/lib/go-$gover/bin/go ;;
*) echo "soak: GODIAG_SOAK_GO='$gover': 1.19, 1.21, 1.22 or 1.23" >&2; exit 2 ;;
esac

mkdir -p "$out"
make -C ctl
# Only the one service binary: `go-all` would build every program for
# every Go version.
make -C tests/progs O="$build/progs" GO="$GO" GOSUFFIX="-go$gover" "$build/progs/gobusy-go$gover"
release=$(tests/vm/kernels.sh resolve "$kernel" release)
ko=$(tests/build-module.sh "$kernel" | tail -n 1)
# The guest runs these copies: a test run rebuilding build/mod, ctl or
# build/progs during the half hour cannot swap a binary under the soak.
cp "$ko" "$out/godiag-$release.ko"
cp ctl/godiagctl "$out/godiagctl"
cp "$build/progs/gobusy-go$gover" "$out/gobusy"
export GODIAG_KO=$out/godiag-$release.ko GODIAG_SOAK_CTL=$out/godiagctl \
	GODIAG_SOAK_GOBUSY=$out/gobusy GODIAG_SOAK_MINUTES=$minutes

# Boot, module load, the report of a few hundred MB and the unload take
# minutes under TCG on a busy host: the margin is generous, a hang still
# ends.
timeout=$((minutes * 60 + 1200 + minutes * 30))
stamp=$(date +%Y%m%d-%H%M%S)
console=$out/console-$stamp.log
results=$out/results-$stamp.txt
echo "soak: $minutes min on $kernel ($release) under qemu, timeout ${timeout}s;" \
	"progress every ${GODIAG_SOAK_INTERVAL:-30}s below, console in $console"
status=0
# (run.sh's console filter has dropped the serial console's \r already;
# a tr here would hold the progress lines back in its buffer.)
tests/vm/run.sh -k "$kernel" -t "$timeout" --keep-log "$out" -- tests/soak/soak.sh 2>&1 |
	tee "$console" |
	grep --line-buffered -E '^(ok|not ok|skip) - |^# |^run\.sh:' || status=${PIPESTATUS[0]}

# The results block, without kernel messages the console may interleave,
# then every check's line.
sed -n '/^SOAK-RESULTS-BEGIN$/,/^SOAK-RESULTS-END$/p' "$console" |
	sed '1d;$d' | grep -Ev '^\[ *[0-9]+\.[0-9]+\] ' >"$results" || true
npass=$(grep -c '^ok - ' "$console" || true)
nfail=$(grep -c '^not ok - ' "$console" || true)
echo
if grep -q '^verdict: ' "$results"; then
	cat "$results"
	{
		echo
		grep -E '^(ok|not ok|skip) - ' "$console"
	} >>"$results"
	cp "$results" "$out/results.txt"
	echo
	echo "soak: $npass passed, $nfail failed; results in $results"
else
	echo "soak: the guest printed no results; see $console" >&2
	[ "$status" -ne 0 ] || status=1
fi
[ "$nfail" = 0 ] || [ "$status" -ne 0 ] || status=1
if [ "$status" -ne 0 ]; then
	echo "soak: FAILED (exit $status); see $console and the full log in $out/" >&2
fi
exit "$status"
