#!/bin/bash
# The VM harness's verdict on a case (tests/check.sh verdict_of), so that
# a case that asserts nothing, dies outside an assertion or loses its
# guest can never count as passed. Prints "ok NAME" or "FAIL NAME".
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null # (its main would look like the end of this script)
. "$here/../check.sh" vm

# verdict NAME WANT ENDED STATUS OK BAD
verdict() {
	local name=$1 want=$2 got
	shift 2
	got=$(verdict_of "$@")
	if [ "$got" = "$want" ]; then
		echo "ok verdict: $name"
	else
		echo "FAIL verdict: $name"
		echo "#   verdict_of $*: '$got', want '$want'"
	fi
}

verdict "assertions, all passed" pass 1 0 12 0
verdict "no assertion at all fails" "no assertion (the case tested nothing)" 1 0 0 0
verdict "a failed assertion fails" "1 assertions failed" 1 1 11 1
verdict "exit 2 after passed assertions fails" "exit 2 outside an assertion" 1 2 5 0
verdict "a guest that stopped mid-case fails" "the guest stopped while it ran" 0 0 5 0
