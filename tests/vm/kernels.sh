#!/bin/sh
# List and resolve the kernels the godiag test VM can boot.
#
#   kernels.sh list               one line per kernel: "NAME RELEASE"
#   kernels.sh resolve NAME       shell-assignable KERNEL_* variables
#   kernels.sh resolve NAME FIELD just one value: name|release|image|moddir|build
#   kernels.sh unpack-debug       unpack the debug kernel tarball (idempotent)
#
# NAME is a series ("6.1", "6.12": the newest installed Debian release of
# that series, generic flavour), "rt" (the newest installed Debian
# PREEMPT_RT kernel, 6.12.*-rt-amd64 from bookworm-backports), "debug"
# (the prebuilt debug kernel), or a full release string
# ("6.12.95+deb12-amd64", "6.12.95+deb12-rt-amd64", "6.1.192").
#
# Environment:
#   GODIAG_BUILD          scratch build dir (default: <repo>/build)
#   GODIAG_DEBUG_TARBALL  debug kernel tarball
#                         (default: newest ../shared/kernels/debug-kernel-*.tar.xz
#                         beside the project root)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${GODIAG_BUILD:-$repo/build}
debug_dir=$build/debug-kernel

die() {
	echo "kernels.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"
}

# Debian kernels: an image in /boot plus a module tree (the initramfs needs
# virtio/9p/overlay from it). The series names count the generic flavour
# only (cloud lacks drivers); the PREEMPT_RT flavour is the name "rt".
installed_releases() {
	for img in /boot/vmlinuz-*; do
		[ -e "$img" ] || continue
		rel=${img#/boot/vmlinuz-}
		[ -e "/lib/modules/$rel/modules.dep" ] || continue
		echo "$rel"
	done | sort -V
}

debian_releases() {
	installed_releases | grep -v -e '-cloud-' -e '-rt-' || true
}

# Newest installed PREEMPT_RT release; empty when none.
rt_release() {
	installed_releases | grep -e '-rt-' | tail -n 1 || true
}

# "6.12.95+deb12-amd64" -> "6.12"
series_of() {
	echo "$1" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p'
}

# Newest release per series, as "SERIES RELEASE" lines (input is sorted
# ascending, so the last release seen for a series wins).
debian_kernels() {
	debian_releases | while read -r rel; do
		echo "$(series_of "$rel") $rel"
	done | awk '{ last[$1] = $2; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
		END { for (i = 1; i <= n; i++) print order[i], last[order[i]] }'
}

debug_tarball() {
	if [ -n "${GODIAG_DEBUG_TARBALL:-}" ]; then
		echo "$GODIAG_DEBUG_TARBALL"
		return
	fi
	# shared/ sits beside the project root (for developers and CI alike).
	# shellcheck disable=SC2012 # names are ours, no odd characters
	ls "$repo"/../shared/kernels/debug-kernel-*.tar.xz 2>/dev/null | sort -V | tail -n 1
}

# Release of the debug kernel: from the unpacked tree if present, else
# from the tarball name. Empty when neither exists.
debug_release() {
	for img in "$debug_dir"/vmlinuz-*; do
		[ -e "$img" ] && { echo "${img##*/vmlinuz-}"; return; }
	done
	tb=$(debug_tarball)
	[ -n "$tb" ] && [ -e "$tb" ] || return 0
	tb=${tb##*/debug-kernel-}
	echo "${tb%.tar.xz}"
}

# Identify a tarball by path, size and mtime: cheap, and enough to notice
# a replaced tarball.
tarball_id() {
	stat -c '%n %s %Y' "$1"
}

unpack_debug() {
	tb=$(debug_tarball)
	if [ -z "$tb" ] || [ ! -e "$tb" ]; then
		die "no debug kernel tarball (set GODIAG_DEBUG_TARBALL)"
	fi
	id=$(tarball_id "$tb")
	[ "$(cat "$debug_dir/.tarball" 2>/dev/null)" = "$id" ] && return 0
	mkdir -p "$build"
	# Serialise concurrent unpackers (parallel test runs); the second one
	# finds the stamp written by the first.
	exec 9>"$build/.debug-kernel.lock"
	flock 9
	[ "$(cat "$debug_dir/.tarball" 2>/dev/null)" = "$id" ] && return 0
	echo "kernels.sh: unpacking $tb into $debug_dir" >&2
	tmp=$debug_dir.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# The tarball's files are read-only; keep them writable for us so a
	# later re-unpack or "rm -rf build" works without root.
	tar -xJf "$tb" -C "$tmp" --no-same-owner
	chmod -R u+w "$tmp"
	echo "$id" >"$tmp/.tarball"
	rm -rf "$debug_dir"
	mv "$tmp" "$debug_dir"
	exec 9>&-
}

list() {
	debian_kernels
	rel=$(rt_release)
	[ -z "$rel" ] || echo "rt $rel"
	rel=$(debug_release)
	[ -z "$rel" ] || echo "debug $rel"
}

# Print KERNEL_* assignments for NAME.
resolve_vars() {
	name=$1
	rel=
	dbg=$(debug_release)
	case $name in
	debug) rel=$dbg ;;
	rt) rel=$(rt_release) ;;
	*)
		if [ -n "$dbg" ] && [ "$name" = "$dbg" ]; then
			name=debug rel=$dbg
		elif [ -e "/boot/vmlinuz-$name" ]; then
			rel=$name
			case $rel in
			*-rt-*) name=rt ;;
			*) name=$(series_of "$rel") ;;
			esac
		else
			rel=$(debian_kernels | awk -v s="$name" '$1 == s { print $2 }')
		fi
		;;
	esac
	[ -n "$rel" ] || die "unknown kernel '$1' (have: $(list | awk '{print $1}' | paste -sd ' '))"
	if [ "$name" = debug ]; then
		unpack_debug
		image=$debug_dir/vmlinuz-$rel
		moddir=
		kbuild=$debug_dir/linux-headers-$rel
	else
		image=/boot/vmlinuz-$rel
		moddir=/lib/modules/$rel
		kbuild=/usr/src/linux-headers-$rel
	fi
	[ -r "$image" ] || die "kernel image $image is missing or unreadable"
	[ -d "$kbuild" ] || echo "kernels.sh: warning: no build dir $kbuild" >&2
	printf "KERNEL_NAME='%s'\nKERNEL_RELEASE='%s'\nKERNEL_IMAGE='%s'\nKERNEL_MODDIR='%s'\nKERNEL_BUILD='%s'\n" \
		"$name" "$rel" "$image" "$moddir" "$kbuild"
}

resolve() {
	[ $# -ge 1 ] || die "usage: kernels.sh resolve NAME [FIELD]"
	vars=$(resolve_vars "$1")
	[ $# -ge 2 ] || { echo "$vars"; return; }
	case $2 in
	name|release|image|moddir|build) ;;
	*) die "unknown field '$2' (name|release|image|moddir|build)" ;;
	esac
	field=KERNEL_$(echo "$2" | tr '[:lower:]' '[:upper:]')
	eval "$vars"
	eval "echo \"\$$field\""
}

case ${1:-} in
list) list ;;
resolve) shift; resolve "$@" ;;
unpack-debug) unpack_debug ;;
-h|--help|help) usage ;;
*) usage >&2; exit 2 ;;
esac
