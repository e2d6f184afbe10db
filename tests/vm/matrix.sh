#!/bin/bash
# Read the test matrix (tests/matrix; GODIAG_MATRIX overrides the file).
#
#   matrix.sh kernels TIER            the kernels TIER (check|full) boots
#   matrix.sh case-kernels TIER CASE  the kernels TIER runs CASE on
#   matrix.sh faults TIER             kernels that get the fault-injection build
#   matrix.sh go TIER KERNEL          "VERSION KIND" lines (KIND: static, pie,
#                                     stripped): the Go builds the cases test on
#                                     KERNEL; every build for the full tier and
#                                     for a kernel the table does not name
#                                     (debug, a full release)
#   matrix.sh versions                the Go versions of the table
#   matrix.sh check                   the table against tests/cases and the
#                                     toolchains of tests/progs/Makefile
#                                     (GO_VERSIONS): one line per problem,
#                                     status 1 when there is one
#   matrix.sh table                   the coverage of both tiers, as Markdown
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
matrix=${GODIAG_MATRIX:-$repo/tests/matrix}
KINDS="static pie stripped"

die() {
	echo "matrix.sh: $*" >&2
	exit 2
}

[ -r "$matrix" ] || die "cannot read $matrix"

# rows TYPE: the lines of that type, comments and the type word removed
rows() {
	awk -v t="$1" '{ sub(/#.*/, "") } $1 == t { $1 = ""; sub(/^ +/, ""); print }' "$matrix"
}

kernels() { # tier
	local k
	k=$(rows kernels | awk -v t="$1" '$1 == t { $1 = ""; sub(/^ +/, ""); print; exit }')
	[ -n "$k" ] || die "no 'kernels $1' line in $matrix"
	echo "$k"
}

case_kernels() { # tier case
	local k=
	if [ "$1" = check ]; then
		k=$(rows case | awk -v c="$2" '$1 == c { $1 = ""; sub(/^ +/, ""); print; exit }')
	fi
	[ -n "$k" ] || k=$(kernels "$1")
	echo "$k"
}

faults() { # tier
	if [ "$1" = full ]; then
		echo "$(kernels full) debug"
	else
		rows faults | head -n 1
	fi
}

# go_rows: "VERSION KERNELS-STATIC KERNELS-PIE KERNELS-STRIPPED"
go_rows() {
	rows go | awk 'NF { if (NF != 4) { print "bad go line: " $0 > "/dev/stderr"; exit 1 } print }'
}

go_builds() { # tier kernel
	local tier=$1 k=$2 named
	named=$(go_rows | awk '{ for (i = 2; i <= 4; i++) print $i }' | tr ',' '\n' | sort -u)
	if [ "$tier" = full ] || ! grep -qxF -- "$k" <<<"$named"; then
		go_rows | awk -v kinds="$KINDS" '{ split(kinds, K, " "); for (i = 1; i <= 3; i++) print $1, K[i] }'
		return
	fi
	go_rows | awk -v k="$k" -v kinds="$KINDS" '{
		split(kinds, K, " ")
		for (i = 2; i <= 4; i++) {
			n = split($i, ks, ",")
			for (j = 1; j <= n; j++) if (ks[j] == k) print $1, K[i - 1]
		}
	}'
}

# The versions tests/progs/Makefile knows how to build.
toolchain_versions() {
	make -s --no-print-directory -C "$repo/tests/progs" go-versions | tr ' ' '\n' | sed -n 's/:.*//p'
}

check() {
	local bad=0 k v known tv cases
	known=" $(kernels check) "
	while read -r v s p x; do
		for k in $(echo "$s $p $x" | tr ',' ' '); do
			if [[ $known != *" $k "* ]]; then
				echo "matrix: go $v names kernel '$k', which the check tier does not boot ($known)"
				bad=1
			fi
		done
	done < <(go_rows)
	cases=$(for c in "$repo"/tests/cases/*.sh; do basename "$c" .sh; done)
	while read -r c ks; do
		grep -qxF -- "$c" <<<"$cases" || { echo "matrix: 'case $c': no tests/cases/$c.sh"; bad=1; }
		for k in $ks; do
			[[ $known == *" $k "* ]] || { echo "matrix: 'case $c' names kernel '$k', which the check tier does not boot"; bad=1; }
		done
	done < <(rows case)
	tv=$(toolchain_versions | sort -u)
	for v in $tv; do
		go_rows | awk -v v="$v" '$1 == v { f = 1 } END { exit !f }' ||
			{ echo "matrix: Go $v has a toolchain in tests/progs/Makefile (GO_VERSIONS) but no 'go $v' line in tests/matrix"; bad=1; }
	done
	for v in $(go_rows | awk '{ print $1 }'); do
		grep -qxF -- "$v" <<<"$tv" ||
			{ echo "matrix: 'go $v' in tests/matrix has no toolchain in tests/progs/Makefile (GO_VERSIONS)"; bad=1; }
	done
	[ -n "$(go_rows)" ] || { echo "matrix: no go line"; bad=1; }
	# tests/README.md shows the table as it is
	if [ "$(table)" != "$(readme_table)" ]; then
		echo "matrix: the table in tests/README.md is not the matrix's: replace it with 'tests/vm/matrix.sh table'"
		bad=1
	fi
	return "$bad"
}

# The table tests/README.md shows: the lines after its marker comment, up
# to the first blank one.
readme_table() {
	sed -n '/^<!-- tests\/vm\/matrix.sh table -->$/,/^$/p' "$repo/tests/README.md" | sed '1d;/^$/d'
}

# Markdown: the cases, Go builds and module builds of each kernel, per
# tier.
table() {
	local k c all=() only cases go faults n
	for c in "$repo"/tests/cases/*.sh; do
		all+=("$(basename "$c" .sh)")
	done
	echo "| tier | kernel | cases | Go builds (VERSION KIND) | fault-injection build |"
	echo "| --- | --- | --- | --- | --- |"
	for k in $(kernels check); do
		only=
		n=0
		for c in "${all[@]}"; do
			if [[ " $(case_kernels check "$c") " == *" $k "* ]]; then
				n=$((n + 1))
			else
				only="$only, $c"
			fi
		done
		cases="$n of ${#all[@]}"
		[ -z "$only" ] || cases="$cases (not ${only#, })"
		go=$(go_builds check "$k" | paste -sd ',' | sed 's/,/, /g')
		faults=no
		[[ " $(faults check) " != *" $k "* ]] || faults=yes
		echo "| check | $k | $cases | $go | $faults |"
	done
	n=$(go_rows | wc -l)
	for k in $(kernels full); do
		echo "| full | $k | all ${#all[@]} | all $n versions x static, pie, stripped | yes |"
	done
}

case ${1:-} in
kernels) kernels "${2:?tier}" ;;
case-kernels) case_kernels "${2:?tier}" "${3:?case}" ;;
faults) faults "${2:?tier}" ;;
go) go_builds "${2:?tier}" "${3:?kernel}" ;;
versions) go_rows | awk '{ print $1 }' ;;
check) check ;;
table) table ;;
*) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
