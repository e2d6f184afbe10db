#!/bin/bash
# make demo: install what is needed, build module and tool, boot a test VM
# with a Debian kernel, load the module and run the main job in it. Works
# from any checkout path without a blank in it; a step with nothing to do
# prints one line.
#
# Environment: GODIAG_DEMO_KERNEL (default 6.12; 6.1 works too).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${GODIAG_BUILD:-$repo/build}
kernel=${GODIAG_DEMO_KERNEL:-6.12}

step() { printf '\n==> %s\n' "$*"; }

# quietly LOG CMD...: CMD's output only when it fails.
quietly() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 || { cat "$log"; echo "make demo: failed: $* (log: $log)" >&2; exit 1; }
}

if [ "$(id -u)" -ne 0 ]; then
	echo "make demo: run as root (it installs Debian packages and boots a VM)" >&2
	exit 1
fi
case $repo$build in
*[[:space:]]*)
	echo "make demo: '$repo' has a blank in its path: Kbuild cannot build there; clone into a path without one" >&2
	exit 1 ;;
esac
mkdir -p "$build"
step "installing the Debian packages godiag needs"
sh "$repo/tests/deps.sh"
step "building godiagctl and the sample programs"
quietly "$build/demo-build.log" make -s -C "$repo/ctl"
quietly "$build/demo-build.log" make -s -C "$repo/tests/progs" O="$build/progs" c go
echo "built: ctl/godiagctl and the sample programs in $build/progs"
step "building godiag.ko for the $kernel kernel"
quietly "$build/demo-module.log" "$repo/tests/build-module.sh" "$kernel"
tail -n 1 "$build/demo-module.log"
step "booting Debian's $kernel kernel under qemu and running the demo in it"
exec "$repo/tests/vm/run.sh" -k "$kernel" -t 900 -- "$repo/tests/demo-guest.sh"
