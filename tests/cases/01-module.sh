# shellcheck shell=bash source-path=SCRIPTDIR
# godiag-case: no-go-programs (runs while check.sh builds them)
# The module loads, creates /dev/godiag and the netlink family, and unloads
# without leaving anything behind, 20 times in a row.
. "$(dirname "$0")/../lib.sh"

check "module loads" module_load
check "/dev/godiag exists" test -c /dev/godiag
check_eq "/dev/godiag is root-only 0600" "600 root root" \
	"$(stat -c '%a %U %G' /dev/godiag)"
check "generic netlink family is registered" "$ctl" status
check "module unloads" module_unload
check "/dev/godiag is gone after unload" test ! -e /dev/godiag
check_status "status without the module exits 2" 2 "$ctl" status
check_match "status without the module says how to load it" \
	"not loaded.*modprobe godiag" "$(cat "$work/out")"

cycles=0
for _ in $(seq 20); do
	if module_load && "$ctl" status >/dev/null && module_unload; then
		cycles=$((cycles + 1))
	else
		break
	fi
done
check_eq "20 load/status/unload cycles" 20 "$cycles"
check "no module left loaded" test ! -d /sys/module/godiag
