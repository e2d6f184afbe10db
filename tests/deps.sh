#!/bin/sh
# Install every Debian package godiag needs to build, test and benchmark.
# Idempotent: packages already present are left alone, and a step with
# nothing to do prints one line; apt's own output shows only when it
# installs something or fails.
set -eu

[ "$(id -u)" -eq 0 ] || { echo "deps: must run as root (apt-get)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
installed_kernel=0

# quietly WHAT CMD...: CMD's output only when it fails.
quietly() {
	what=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		cat "$log" >&2
		echo "deps: $what failed: $*" >&2
		exit 1
	fi
}

# missing PKG...: those not installed, one a line.
missing() {
	have=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk '$NF == "installed" { print $1 }')
	for p in "$@"; do
		printf '%s\n' "$have" | grep -qxF -- "$p" || echo "$p"
	done
}

# install WHAT [-t SUITE] PKG...: apt-get install what is missing; did=1
# when that was something.
install() {
	what=$1
	shift
	suite=
	if [ "$1" = -t ]; then
		suite=$2
		shift 2
	fi
	did=0
	todo=$(missing "$@")
	if [ -z "$todo" ]; then
		echo "deps: $what: installed"
		return 0
	fi
	echo "deps: $what: installing $(echo "$todo" | paste -sd ' ')"
	# shellcheck disable=SC2086 # one package a word
	apt-get install -y -q --no-install-recommends ${suite:+-t "$suite"} $todo ||
		{ echo "deps: $what: apt-get install failed" >&2; exit 1; }
	did=1
}

# bookworm-backports carries the 6.12 kernels (generic and PREEMPT_RT) and
# Go 1.21..1.23.
src=/etc/apt/sources.list.d/godiag-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	uri=$(awk '/^URIs:/ && /debian\/?$/ {print $2; exit}' \
		/etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$uri" > "$src"
	echo "deps: added bookworm-backports to the apt sources ($src)"
fi

stamp=/var/lib/apt/periodic/godiag-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$src" /etc/apt/sources.list.d -newer "$stamp" 2>/dev/null)" ] \
   || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
	quietly "apt-get update" apt-get update -q
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
	echo "deps: apt package lists updated"
else
	echo "deps: apt package lists: up to date (less than 12 h old)"
fi

# (protobuf-compiler: the unit tests decode the Perfetto protobuf export with
# protoc --decode_raw, a decoder that is not ours.)
install "build, test and benchmark tools" build-essential pkg-config libnl-3-dev \
	libnl-genl-3-dev libmnl-dev libelf-dev libdw-dev libcapstone-dev libzstd-dev \
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd dkms \
	bc bison flex libssl-dev sparse shellcheck \
	golang-go strace bpftrace linux-perf wrk python3 clang libclang-rt-14-dev \
	protobuf-compiler tmux systemd

install "Go 1.21, 1.22, 1.23 (bookworm-backports)" -t bookworm-backports \
	golang-1.21-go golang-1.22-go golang-1.23-go

# Go 1.26 comes with the machine (the "go" kind has it at /usr/local/go);
# Go 1.27.3 is fetched once by that go command through the module proxy
# into root's module cache, where tests/progs/Makefile finds it (it builds
# with GOPROXY=off and GOTOOLCHAIN=local, naming that toolchain's bin/go).
go126=/usr/local/go/bin/go
case $("$go126" env GOVERSION 2>/dev/null) in
go1.26.*) ;;
*) echo "deps: $go126 is not Go 1.26 (the machine kind provides it at /usr/local/go)" >&2
	exit 1 ;;
esac
if ! GOFLAGS='' GOTOOLCHAIN=go1.27.3 "$go126" version >/dev/null; then
	echo "deps: cannot fetch the Go 1.27.3 toolchain through the module proxy" >&2
	exit 1
fi

# The test kernels side by side: Debian 12's own 6.1, and from backports
# 6.12 and its PREEMPT_RT flavour (same version: one metapackage source).
# The metapackages point at one version only, so install the versioned
# packages they depend on (linux-image-6.12.95+deb12-rt-amd64 and its
# headers, ...) and mark them manual so nothing autoremoves them.
kernel_pkgs() { # suite flavour
	for meta in "linux-image-$2" "linux-headers-$2"; do
		apt-cache depends "$meta/$1" 2>/dev/null |
			awk '/Depends: linux-(image|headers)-[0-9]/ {print $2}'
	done
}
for kernel in bookworm:amd64 bookworm-backports:amd64 bookworm-backports:rt-amd64; do
	suite=${kernel%%:*} flavour=${kernel#*:}
	pkgs=$(kernel_pkgs "$suite" "$flavour")
	[ -n "$pkgs" ] || { echo "deps: no $flavour kernel packages found in $suite" >&2; exit 1; }
	# shellcheck disable=SC2086
	install "test kernel $(echo $pkgs | awk '{ sub(/^linux-image-/, "", $1); print $1 }')" -t "$suite" $pkgs
	[ "$did" = 0 ] || installed_kernel=1
	# shellcheck disable=SC2086
	apt-mark manual $pkgs >/dev/null
done
# checkpatch.pl for `make checkpatch`, from the 6.1 sources (pinned to
# bookworm so the kbuild tools stay those of the installed 6.1 headers).
install "checkpatch.pl (linux-source-6.1)" -t bookworm linux-source-6.1
echo "deps: all packages installed"
# The kernels are for the test VM; on a machine that boots with GRUB the
# newest one (the RT kernel sorts last) becomes the default entry.
if [ "$installed_kernel" = 1 ] && [ -d /boot/grub ]; then
	echo "deps: note: GRUB boots the newest installed kernel by default; set GRUB_DEFAULT in /etc/default/grub if the test kernels should not be it"
fi
