#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs each libFuzzer target of tests/fuzz for a fixed time, one after the
# other (one process, one core each), and ends with one line per target:
#
#   fuzz_gobin: 1234567 execs in 300 s, cov 1234, 0 crashes
#
# Large seeds (seeds/TARGET-large: real Go programs) are run once first,
# or with FUZZ_LARGE=1 fuzzed too, inputs up to FUZZ_MAX_LEN_LARGE.
# A crash (also a leak, a hang or running out of memory) stops that
# target's run; its input is copied to tests/fuzz/regress/TARGET/ under
# libFuzzer's name for it (crash-SHA1, leak-SHA1, timeout-SHA1, oom-SHA1)
# and the script exits 1. Called by 'make fuzz' (tests/fuzz/Makefile sets
# the variables below).
#
#   O                  build/fuzz: binaries, seeds/, corpus/, artifacts/, logs/
#   FUZZ_SECONDS       per target (300)
#   FUZZ_TARGETS       "fuzz_capfile fuzz_gobin"
#   FUZZ_TIMEOUT       seconds one input may take (25)
#   FUZZ_MAX_LEN_<target>  largest input
#   FUZZ_FLAGS         more libFuzzer flags
#   FUZZ_LARGE, FUZZ_MAX_LEN_LARGE   fuzz the large seeds too (0; 4194304)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
O=${O:-$here/../../build/fuzz}
seconds=${FUZZ_SECONDS:-300}
targets=${FUZZ_TARGETS:-fuzz_capfile fuzz_gobin}
timeout=${FUZZ_TIMEOUT:-25}
flags=${FUZZ_FLAGS:-}
found=0
summary=()

for t in $targets; do
	bin=$O/$t
	if [ ! -x "$bin" ]; then
		echo "fuzz: no $bin (make -C tests/fuzz fuzz builds it)" >&2
		exit 2
	fi
	maxlen_var=FUZZ_MAX_LEN_$t
	maxlen=${!maxlen_var:-65536}
	corpus=$O/corpus/$t
	seeds=$O/seeds/$t
	art=$O/artifacts/$t
	log=$O/logs/$t.log
	dict=()
	[ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
	mkdir -p "$corpus" "$seeds" "$art" "$O/logs"
	rm -f "$art"/*
	dirs=("$corpus" "$seeds")
	crashes=0
	large_failed=0

	# Large seeds (real Go programs): fuzzed with FUZZ_LARGE=1, else
	# each run once through the target.
	large=$O/seeds/$t-large
	if compgen -G "$large/*" >/dev/null; then
		if [ "${FUZZ_LARGE:-0}" = 1 ]; then
			dirs+=("$large")
			maxlen=${FUZZ_MAX_LEN_LARGE:-4194304}
		else
			n=$(find "$large" -type f | wc -l)
			if "$bin" -timeout="$timeout" -rss_limit_mb=2048 -artifact_prefix="$art/" \
				"$large"/* >"$O/logs/$t-large.log" 2>&1; then
				echo "$t: $n large seeds run once: ok"
			else
				echo "$t: a large seed crashed (see $O/logs/$t-large.log)"
				large_failed=1
			fi
		fi
	fi

	echo "== $t for $seconds s (log $log)"
	start=$(date +%s)
	# New inputs go to the first directory; the seeds are read only.
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$seconds" -max_len="$maxlen" -timeout="$timeout" \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
		"${dict[@]}" $flags "${dirs[@]}" >"$log" 2>&1
	status=$?
	secs=$(($(date +%s) - start))

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	for a in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
		[ -f "$a" ] || continue
		crashes=$((crashes + 1))
		mkdir -p "$here/regress/$t"
		cp "$a" "$here/regress/$t/"
		echo "$t: $(basename "$a") copied to tests/fuzz/regress/$t/"
	done
	[ "$large_failed" = 0 ] || [ "$crashes" -gt 0 ] || crashes=1
	if [ "$status" -ne 0 ] && ! compgen -G "$art/*" >/dev/null; then
		# Died without leaving an input (killed, out of disk...).
		echo "$t: libFuzzer exited with status $status without an artifact; see $log"
		tail -n 20 "$log"
		crashes=1
	elif [ "$crashes" -gt 0 ]; then
		grep -m1 -E 'ERROR: |runtime error: |broken promise' "$log" || true
	fi
	[ "$crashes" -eq 0 ] || found=1
	summary+=("$t: ${execs:-0} execs in $secs s, cov ${cov:-0}, $crashes crashes")
done

printf '%s\n' "${summary[@]}" | tee "$O/summary.txt"
exit "$found"
