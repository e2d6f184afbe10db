#!/bin/bash
# The layers of ctl/ (README.md, docs/DESIGN.md): a directory may use only
# its own files and those of the layers below it,
#
#   cmd -> model -> capfile, gobin, module -> base -> include
#
# (capfile, gobin and module do not use each other). Checked twice:
#   - includes: every #include "DIR/x.h" of a file in ctl/ against the
#     table below, and no circle of includes;
#   - links: every symbol an object of ctl/ takes from another object of
#     ctl/ (nm), against the same table, and no circle of files calling
#     each other, inside a directory too (tsort finds the circles).
# The objects come from ctl/Makefile (make -C ctl first); with --includes
# only the includes are checked.
#
#   tests/layers.sh [--includes] [CTL_DIR]
#
# Prints "layers: ok" or one line per violation, and exits 1 on any.
set -uo pipefail

includes_only=0
if [ "${1:-}" = --includes ]; then
	includes_only=1
	shift
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ctl=${1:-$here/../ctl}
cd "$ctl" || exit 2

# The rank of each directory: a file may use a lower rank, or its own
# directory. Directories of one rank may not use each other.
declare -A rank=([base]=1 [capfile]=2 [gobin]=2 [module]=2 [model]=3 [cmd]=4)
bad=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "layers: $*"
	bad=1
}

# allowed FROM-DIR TO-DIR
allowed() {
	[ "$1" = "$2" ] && return 0
	[ -n "${rank[$2]:-}" ] || return 1
	[ "${rank[$2]}" -lt "${rank[$1]}" ]
}

shopt -s nullglob
for d in *; do
	[ -d "$d" ] || continue
	[ -n "${rank[$d]:-}" ] || fail "$d/: a directory that is in no layer (add it to tests/layers.sh)"
done
loose=(*.c *.h)
[ ${#loose[@]} -eq 0 ] || fail "${loose[*]}: source files outside the layers"

# ---- includes -------------------------------------------------------------
for f in */*.c */*.h; do
	from=${f%%/*}
	[ -n "${rank[$from]:-}" ] || continue
	while IFS= read -r inc; do
		case $inc in
		*/*) ;;
		godiag_*.h) continue ;;	# include/, the ABI
		*) fail "$f includes \"$inc\": name headers from ctl/ (\"DIR/$inc\")"; continue ;;
		esac
		to=${inc%%/*}
		[ -e "$inc" ] || { fail "$f includes \"$inc\", which does not exist"; continue; }
		allowed "$from" "$to" || fail "$f includes $inc: $from/ may not use $to/ (a layer above or beside it)"
		echo "$f $inc" >>"$tmp/includes"
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done
if [ -s "$tmp/includes" ] && ! tsort "$tmp/includes" >/dev/null 2>"$tmp/err"; then
	fail "a circle of includes:"
	sed "s|^tsort: $tmp/includes: input contains a loop:|  a loop:|; s|^tsort: |    |" "$tmp/err"
fi

# ---- links ----------------------------------------------------------------
if [ "$includes_only" = 0 ]; then
	objs=(*/*.o)
	[ ${#objs[@]} -gt 0 ] || { fail "no objects in $ctl: run make -C ctl first"; objs=(); }
	# "file D symbol" for what a file defines, "file U symbol" for what it takes.
	for o in "${objs[@]}"; do
		nm "$o" | awk -v f="${o%.o}" '
			$1 == "U" { print f, "U", $2; next }
			NF == 3 && $2 ~ /^[TDBRC]$/ { print f, "D", $3 }'
	done >"$tmp/syms"
	# user provider pairs, one per symbol taken from another file of ctl/
	awk 'NR == FNR { if ($2 == "D") def[$3] = $1; next }
	     $2 == "U" && ($3 in def) && def[$3] != $1 { print $1, def[$3], $3 }' \
		"$tmp/syms" "$tmp/syms" | sort -u >"$tmp/uses"
	while read -r user provider sym; do
		allowed "${user%%/*}" "${provider%%/*}" ||
			fail "$user.c uses $sym of $provider.c: ${user%%/*}/ may not use ${provider%%/*}/"
	done <"$tmp/uses"
	# main uses every command; a circle is two files that use each other,
	# directly or through others.
	awk '{ print $1, $2 }' "$tmp/uses" | sort -u >"$tmp/calls"
	if [ -s "$tmp/calls" ] && ! tsort "$tmp/calls" >/dev/null 2>"$tmp/err"; then
		fail "a circle of files calling each other:"
		sed "s|^tsort: $tmp/calls: input contains a loop:|  a loop:|; s|^tsort: |    |" "$tmp/err"
	fi
fi

[ "$bad" = 0 ] && echo "layers: ok"
exit "$bad"
