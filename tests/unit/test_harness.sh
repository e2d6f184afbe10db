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

# The plan of make check's VM phase (tests/check.sh plan) on the real
# matrix and case times: every (kernel, case) pair in exactly one boot,
# and the cases that need no Go program first, so the guests have work
# while the Go programs build: first in every boot, and the first boot
# of each guest starts with one.
plan_check() {
	local name=$1 want=$2 got=$3
	if [ "$got" = "$want" ]; then
		echo "ok plan: $name"
	else
		echo "FAIL plan: $name"
		echo "#   got '$got', want '$want'"
	fi
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# (check.sh's plan reads these; it sets matrix)
# shellcheck disable=SC2034
jobs=2
# shellcheck disable=SC2034
tier=check
# shellcheck disable=SC2034,SC2154
kernels=$("$matrix" kernels check)
plan
plan_check "every pair in one boot" "$(awk '{ print $1, $2 }' "$out/items" | sed 's|/.*/||' | sort)" \
	"$(for f in "$out"/q*/*; do k=$(head -n 1 "$f" | cut -d' ' -f1); tail -n +2 "$f" | while read -r c; do echo "$k $(basename "$c")"; done; done | sort)"
late=0
for f in "$out"/q*/*; do
	seen_go=0
	while read -r c; do
		if no_go "$c"; then
			[ "$seen_go" = 0 ] || late=$((late + 1))
		else
			seen_go=1
		fi
	done < <(tail -n +2 "$f")
done
plan_check "no case needing no Go program after one that needs them" 0 "$late"
firsts=0
for q in $(seq "$jobs"); do
	no_go "$(sed -n 2p "$out/q$q/01")" && firsts=$((firsts + 1))
done
plan_check "each guest's first boot starts with a case needing no Go program" "$jobs" "$firsts"
