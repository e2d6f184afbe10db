#!/bin/bash
# make demo: install what is needed, build module and tool, boot a test VM
# with a Debian kernel, load the module and run the main job in it.
#
# Environment: GODIAG_DEMO_KERNEL (default 6.12; 6.1 works too).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${GODIAG_BUILD:-$repo/build}
kernel=${GODIAG_DEMO_KERNEL:-6.12}

step() { printf '\n==> %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "make demo: run as root (it installs Debian packages and boots a VM)" >&2
	exit 1
fi
step "installing the Debian packages godiag needs"
sh "$repo/tests/deps.sh"
step "building godiagctl and the sample programs"
make -s -C "$repo/ctl"
make -s -C "$repo/tests/progs" O="$build/progs" c
make -s -C "$repo/tests/progs" O="$build/progs" go
step "building godiag.ko for the $kernel kernel"
"$repo/tests/build-module.sh" "$kernel" >"$build/demo-module.log" 2>&1 ||
	{ cat "$build/demo-module.log"; exit 1; }
step "booting Debian's $kernel kernel under qemu and running the demo in it"
exec "$repo/tests/vm/run.sh" -k "$kernel" -t 900 -- "$repo/tests/demo-guest.sh"
