# shellcheck shell=bash source-path=SCRIPTDIR
# godiag-case: no-go-programs (runs while check.sh builds them)
# Privilege checks run from a checkout under a directory only root may
# enter (mode 0700, as a clone in root's home is): what a test runs as
# another user, or as root in that user's namespace, must still get the
# module's own answer (its errno, godiagctl's exit status 4), never the
# shell's "Permission denied" for a program it cannot reach. lib.sh's
# as_nobody runs such programs from a copy that user can execute.
#
# The case copies what it needs of the tree (tests/lib.sh, this file,
# godiagctl, the test programs, the module) under a new 0700 directory and
# runs itself again from there.
if [ "${1:-}" != --from-copy ]; then
	src=$(cd "$(dirname "$0")/../.." && pwd)
	bld=${GODIAG_BUILD:-$src/build}
	priv=$(mktemp -d /tmp/godiag-0700.XXXXXX)	# mode 0700
	x=$priv/checkout
	rel=$(uname -r)
	mkdir -p "$x/tests/cases" "$x/ctl" "$x/build/progs" "$x/build/mod/$rel/kmod" || exit 1
	cp "$src/tests/lib.sh" "$x/tests/" &&
		cp "$0" "$x/tests/cases/" &&
		cp "$src/ctl/godiagctl" "$x/ctl/" &&
		cp "$bld/progs/nlraw" "$bld/progs/devprobe" "$x/build/progs/" &&
		cp "$bld/mod/$rel/kmod/godiag.ko" "$x/build/mod/$rel/kmod/" || exit 1
	GODIAG_REPO=$x GODIAG_BUILD=$x/build GODIAG_KO='' bash "$x/tests/cases/${0##*/}" --from-copy
	st=$?
	rm -rf "$priv"
	exit "$st"
fi

# ---- from here on: the copy
. "$(dirname "$0")/../lib.sh"
nlraw=$progs/nlraw
devprobe=$progs/devprobe
check_eq "the checkout is under a directory of mode 0700" 700 "$(stat -c %a "$(dirname "$repo")")"
check_match "the module is the copy's" "^$(re_escape "$repo")/" "$ko"
# Without as_nobody's help, root in uid 65534's user namespace cannot
# even start the copy's programs (setpriv itself still can: it executes
# with root's capabilities, which it drops at that exec): what this case
# guards against, so it can fail.
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- \
	unshare -Ur "$nlraw" send status >"$work/direct" 2>&1
check_eq "in place, the copy's programs cannot be executed in a user namespace (126)" 126 "$?"

module_load
check_status "non-root godiagctl status: refused by the module, exit 4" 4 as_nobody "$ctl" status
check_eq "... in one line" 1 "$(wc -l <"$work/out")"
check_status "root in a user namespace: godiagctl status exits 4" 4 as_nobody unshare -Ur "$ctl" status
for cmd in status session-new target-add; do
	# shellcheck disable=SC2046 # one attribute per word
	out=$(as_nobody unshare -Ur "$nlraw" send "$cmd" $(req_attrs "$cmd" 1 1) 2>&1)
	check_match "root in a user namespace: $cmd refused by the module (EPERM)" "^errno=1 " "$out"
done
out=$(as_nobody "$nlraw" send --dump sessions 2>&1)
check_match "non-root: dump sessions refused by the module (EPERM)" "^errno=1 " "$out"
sid=$("$nlraw" session-new | sed -n 's/^session=//p')
check_match "non-root: /dev/godiag refused by its mode (EACCES)" "^open=13 " \
	"$(as_nobody "$devprobe" "$sid" 2>&1)"
chmod 0666 /dev/godiag
check_match "mode 0666: root in a user namespace refused by the module (EPERM)" "^open=1 " \
	"$(as_nobody unshare -Ur "$devprobe" "$sid" 2>&1)"
chmod 0600 /dev/godiag
check "root runs the copy's godiagctl" "$ctl" status
