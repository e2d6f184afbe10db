#!/bin/sh
# Build godiag with DKMS on the host, for a test kernel, into private DKMS
# trees under build/dkms/<release>/, and pack the result as a DKMS
# binaries-only tarball. make check's DKMS case loads it into the guest's
# DKMS (dkms ldtarball) instead of building there: the same dkms.conf and
# `make dkms-src` tree, built by DKMS itself, natively (seconds) instead of
# under emulation (5 minutes and more). make check-dkms still builds in the
# guest.
#
#   tests/build-dkms.sh KERNEL      (6.1, 6.12, rt or a release)
#
# Touches nothing outside build/: DKMS runs with its own trees, and signs
# with a key of its own making in build/dkms/ (Debian's DKMS signs what it
# builds). Cached by content like build-module.sh. Prints the tarball's
# path last.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${GODIAG_BUILD:-$repo/build}
kernels=$repo/tests/vm/kernels.sh
command -v dkms >/dev/null || { echo "build-dkms.sh: dkms is not installed (make deps)" >&2; exit 1; }

release=$("$kernels" resolve "$1" release)
kdir=$("$kernels" resolve "$1" build)
version=$(sed -n 's/^#define GODIAG_VERSION "\(.*\)"/\1/p' "$repo/include/godiag_version.h")
out=$build/dkms/$release
tarball=$out/godiag-$version-$release.dkms.tar.gz

key=$({
	cd "$repo" && cat tests/build-dkms.sh Makefile Kbuild kmod/Kbuild kmod/*.[ch] include/*.h dkms/dkms.conf
	echo "$release"
	stat -c '%n %s %Y' "$kdir/Makefile" "$kdir/.config" "$(command -v dkms)" 2>/dev/null
} | sha256sum | cut -c1-32)
if [ -e "$tarball" ] && [ "$(cat "$out/.key" 2>/dev/null)" = "$key" ]; then
	echo "$tarball"
	exit 0
fi

rm -rf "$out"
mkdir -p "$out/tree" "$out/tmp"
make -s -C "$repo" dkms-src DESTDIR="$out/root"
trees="--dkmstree $out/tree --sourcetree $out/root/usr/src --installtree $out/install"
# (DKMS reads these from /etc/dkms/framework.conf, and the environment)
export mok_signing_key="$build/dkms/mok.key" mok_certificate="$build/dkms/mok.pub" TMPDIR="$out/tmp"
# shellcheck disable=SC2086 # the options are words
dkms add $trees -m godiag -v "$version"
# shellcheck disable=SC2086
dkms build $trees -m godiag -v "$version" -k "$release" --kernelsourcedir "$kdir" ||
	{ cat "$out/tree/godiag/$version/build/make.log" >&2 2>/dev/null; exit 1; }
# shellcheck disable=SC2086
dkms mktarball $trees -m godiag -v "$version" -k "$release" --binaries-only --archive "$tarball"
echo "$key" >"$out/.key"
echo "$tarball"
