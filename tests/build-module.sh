#!/bin/sh
# Build godiag.ko for one test kernel into build/mod/<release>/kmod/.
# Each kernel gets its own copy of the sources: Kbuild writes objects next
# to them, and 6.1 cannot put them elsewhere.
#
#   tests/build-module.sh KERNEL          (6.1, 6.12, rt, debug or a release)
#   tests/build-module.sh KERNEL faults   the test build with allocation
#                                         failures on demand (kmod/faults.h),
#                                         into build/mod-faults/<release>/kmod/
#
# Cached by content: the build is redone only when the hash of its inputs
# (the module's sources, this script, the variant, the kernel's build dir)
# differs from the one the last build left in <out>/.key. Prints the path
# of godiag.ko last.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${GODIAG_BUILD:-$repo/build}
kernels=$repo/tests/vm/kernels.sh

release=$("$kernels" resolve "$1" release)
kdir=$("$kernels" resolve "$1" build)
out=$build/mod/$release
faults=
case ${2:-} in
'') ;;
faults) out=$build/mod-faults/$release faults=CONFIG_GODIAG_FAULTS=y ;;
*) echo "build-module.sh: unknown variant '$2' (faults)" >&2; exit 2 ;;
esac

key=$({
	cd "$repo" && cat tests/build-module.sh Kbuild kmod/Kbuild kmod/*.[ch] include/*.h
	echo "$release $faults"
	stat -c '%n %s %Y' "$kdir/Makefile" "$kdir/.config" 2>/dev/null
} | sha256sum | cut -c1-32)
if [ -e "$out/kmod/godiag.ko" ] && [ "$(cat "$out/.key" 2>/dev/null)" = "$key" ]; then
	echo "$out/kmod/godiag.ko"
	exit 0
fi

rm -rf "$out"
mkdir -p "$out/kmod" "$out/include"
cp "$repo/Kbuild" "$out/"
cp "$repo"/kmod/Kbuild "$repo"/kmod/*.[ch] "$out/kmod/"
cp "$repo"/include/*.h "$out/include/"
# No BTF for out-of-tree modules: the headers package has no vmlinux.
make -C "$kdir" M="$out" CONFIG_DEBUG_INFO_BTF_MODULES= ${faults:+"$faults"} modules
echo "$key" >"$out/.key"
echo "$out/kmod/godiag.ko"
