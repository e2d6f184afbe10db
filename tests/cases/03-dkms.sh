# shellcheck shell=bash source-path=SCRIPTDIR
# godiag-case: no-go-programs (runs while check.sh builds them)
# A real DKMS install for the running kernel: modprobe works, godiagctl
# talks to the module, and removal leaves nothing behind.
. "$(dirname "$0")/../lib.sh"

kver=$(uname -r)
version=$(sed -n 's/^#define GODIAG_VERSION "\(.*\)"/\1/p' "$repo/include/godiag_version.h")
# Install from a clean copy of the sources, as a user's checkout would be.
mkdir "$work/src"
cp -r "$repo"/Kbuild "$repo"/Makefile "$repo"/kmod "$repo"/include "$repo"/dkms "$work/src/"


# GODIAG_DKMS_PREBUILT (make check): a binaries-only DKMS tarball of the
# module DKMS built on the host from these sources (tests/build-dkms.sh),
# loaded instead of building here: what `make dkms-install` does (dkms-src,
# dkms add, dkms install), with `dkms ldtarball` doing the add, and
# loading the build. Without it (make check-dkms) DKMS builds in the guest.
prebuilt=${GODIAG_DKMS_PREBUILT:+$GODIAG_DKMS_PREBUILT/$kver/godiag-$version-$kver.dkms.tar.gz}
if [ -n "$prebuilt" ]; then
	check "make dkms-src" make -C "$work/src" dkms-src
	check "dkms ldtarball: adds the sources and the module DKMS built on the host" \
		dkms ldtarball --archive "$prebuilt"
	check "dkms install, of the loaded build" dkms install -m godiag -v "$version" -k "$kver"
	cp "$work/out" "$work/install.out"
	check "dkms install built nothing" sh -c "! grep -q 'Building module' '$work/install.out'"
else
	check "make dkms-install builds for $kver" make -C "$work/src" dkms-install KVER="$kver"
fi
check "dkms reports godiag installed" sh -c "dkms status godiag | grep -q 'godiag/$version, $kver, .*: installed'"
check_status "dkms skips another architecture (BUILD_EXCLUSIVE_ARCH, exit 77)" 77 \
	dkms build -m godiag -v "$version" -k "$kver" -a aarch64
check "modprobe godiag" modprobe godiag
check "godiagctl status talks to the DKMS module" "$ctl" status
check_match "the loaded module is the DKMS one" "/updates/dkms/godiag.ko" "$(modinfo -n godiag)"
check_eq "the DKMS module has the sources the other cases test (srcversion)" \
	"$(modinfo -F srcversion "$ko")" "$(modinfo -F srcversion godiag)"
check "rmmod" rmmod godiag
check "make dkms-uninstall" make -C "$work/src" dkms-uninstall KVER="$kver"
# shellcheck disable=SC2016 # expanded by the inner shell, on purpose
check "dkms status is empty" sh -c '[ -z "$(dkms status godiag)" ]'
check "no source tree left in /usr/src" sh -c '! ls -d /usr/src/godiag-* 2>/dev/null'
check "no dkms tree left" test ! -e /var/lib/dkms/godiag
check "no module file left" sh -c "! find /lib/modules/$kver -name 'godiag.ko*' | grep -q ."
check_status "modprobe fails after removal" 1 modprobe godiag
