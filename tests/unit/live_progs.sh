# shellcheck shell=bash disable=SC2034 # (set for the tests that source it)
# SPDX-License-Identifier: GPL-2.0
# The opening of the unit tests that read live Go test programs on the
# host (test_goroutines.sh, test_runtime.sh), sourced by them: godiagctl
# and the programs' directory, the Go versions to run, a scratch
# directory removed at the end with every process left in pids killed,
# and ok/nok. It exits when godiagctl is not built.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ctl=${GODIAG_CTL:-$here/../../ctl/godiagctl}
progs=${GODIAG_PROGS:-$here/../../build/progs}
versions=${GODIAG_GO_VERSIONS:-"1.19 1.21 1.22 1.23 1.26 1.27"}
tmp=$(mktemp -d)
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "ok $*"; }
nok() { echo "FAIL $*"; }

if [ ! -x "$ctl" ]; then
	nok "godiagctl is built ($ctl)"
	exit 1
fi
