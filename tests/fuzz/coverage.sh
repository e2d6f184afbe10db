#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Line coverage of the parsers by what the fuzzers found: builds each
# target with driver.c and gcc --coverage (no sanitizers), replays
# seeds/TARGET and corpus/TARGET through it, and prints gcov's figure per
# source file. libFuzzer's "cov" counts instrumented edges, sanitizer
# checks included, so it is not a percentage of the code; this is.
# Files linked in but unreachable from the target (0%) are left out.
# Called by 'make -C tests/fuzz coverage' (after 'make fuzz').
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
O=${O:-$here/../../build/fuzz}
CC=${CC:-cc}
targets=${FUZZ_TARGETS:-fuzz_capfile fuzz_gobin}

for t in $targets; do
	srcvar=SRC_$t
	flagvar=CFLAGS_$t
	libvar=LIBS_$t
	dir=$O/coverage/$t
	rm -rf "$dir"
	mkdir -p "$dir"
	objs=()
	for src in "$here/driver.c" "$here/$t.c" ${!srcvar}; do
		obj=$dir/$(basename "$src" .c).o
		# shellcheck disable=SC2086
		(cd "$dir" && $CC -std=c11 -D_GNU_SOURCE -O0 -g --coverage ${INC} \
			${!flagvar} -c "$src" -o "$obj")
		objs+=("$obj")
	done
	# shellcheck disable=SC2086
	$CC --coverage -o "$dir/replay" "${objs[@]}" ${!libvar}
	dirs=()
	for d in "$O/seeds/$t" "$O/corpus/$t"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	n=$("$dir/replay" "$t" "${dirs[@]}" 2>/dev/null | grep -c '^ok ' || true)
	echo "== $t: line coverage by $n inputs (seeds and corpus)"
	# shellcheck disable=SC2086
	(cd "$dir" && gcov -n ${!srcvar} -o "$dir" 2>/dev/null) |
		awk '/^File /{ f = $2; gsub(/\x27/, "", f); n = split(f, p, "/"); f = p[n] }
		     /^Lines executed/{ if (f != "" && $0 !~ /:0.00%/) printf "  %-14s %s\n", f, $0; f = "" }'
done
