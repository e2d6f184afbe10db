#!/bin/sh
# Install every Debian package godiag needs to build, test and benchmark.
# Idempotent: packages already present are left alone.
set -eu

[ "$(id -u)" -eq 0 ] || { echo "deps: must run as root (apt-get)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

# bookworm-backports carries the 6.12 kernels (generic and PREEMPT_RT) and
# Go 1.21..1.23.
src=/etc/apt/sources.list.d/godiag-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	uri=$(awk '/^URIs:/ && /debian\/?$/ {print $2; exit}' \
		/etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$uri" > "$src"
fi

stamp=/var/lib/apt/periodic/godiag-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$src" /etc/apt/sources.list.d -newer "$stamp" 2>/dev/null)" ] \
   || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
	apt-get update -q
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi

apt_install() {
	apt-get install -y -q --no-install-recommends "$@"
}

apt_install build-essential pkg-config libnl-3-dev libnl-genl-3-dev libmnl-dev \
	libelf-dev libdw-dev libcapstone-dev \
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd dkms \
	bc bison flex libssl-dev sparse shellcheck \
	golang-go strace bpftrace linux-perf wrk python3 clang libclang-rt-14-dev

apt_install -t bookworm-backports golang-1.21-go golang-1.22-go golang-1.23-go

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
	apt_install -t "$suite" $pkgs
	# shellcheck disable=SC2086
	apt-mark manual $pkgs >/dev/null
done
# checkpatch.pl for `make checkpatch`, from the 6.1 sources (pinned to
# bookworm so the kbuild tools stay those of the installed 6.1 headers).
apt_install -t bookworm linux-source-6.1
echo "deps: all packages installed"
# The kernels are for the test VM; on a machine that boots with GRUB the
# newest one (the RT kernel sorts last) becomes the default entry.
if [ -d /boot/grub ]; then
	echo "deps: note: GRUB boots the newest installed kernel by default; set GRUB_DEFAULT in /etc/default/grub if the test kernels should not be it"
fi
