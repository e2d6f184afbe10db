#!/bin/bash
# For dedicated hosts (dist/): the flight recorder unit passes
# systemd-analyze verify as make install writes it (test_flight_conf
# parses the example config); make install and make uninstall (DESTDIR)
# put every file in place and take them away again. Prints "ok NAME" or
# "FAIL NAME", like the C tests.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
ctl=${GODIAG_CTL:-$top/ctl/godiagctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# result NAME STATUS [OUTPUT-FILE]: ok when STATUS is 0
result() {
	if [ "$2" = 0 ]; then
		echo "ok $1"
	else
		echo "FAIL $1"
		[ -z "${3:-}" ] || sed 's/^/#     /' "$3"
	fi
}

# The unit as make install writes it (its BINDIR: the built godiagctl),
# verified as instance "api" with a config in place.
unit() {
	mkdir -p "$tmp/u" "$tmp/etc/godiag/flight"
	sed -e "s|@BINDIR@|$(dirname "$ctl")|g" -e "s|@SYSCONFDIR@|$tmp/etc|g" \
		"$top/dist/godiag-flight@.service.in" >"$tmp/u/godiag-flight@.service"
	cp "$top/dist/flight-example.conf" "$tmp/etc/godiag/flight/api.conf"
}

unit
if ! command -v systemd-analyze >/dev/null; then
	echo "# skipped: systemd-analyze verify of dist/godiag-flight@.service:" \
		"systemd-analyze is missing (Debian: apt-get install systemd)"
else
	# Any word from it is a finding (an unknown key is only a warning).
	systemd-analyze verify --man=no "$tmp/u/godiag-flight@api.service" >"$tmp/v" 2>&1
	st=$?
	[ -s "$tmp/v" ] && [ "$st" = 0 ] && st=1
	result "systemd-analyze verify godiag-flight@api.service: clean" "$st" "$tmp/v"
	# The check can fail: a misspelt key is found.
	sed -i 's/^ProtectSystem=/ProtectSystm=/' "$tmp/u/godiag-flight@.service"
	systemd-analyze verify --man=no "$tmp/u/godiag-flight@api.service" >"$tmp/v" 2>&1
	grep -q "Unknown key 'ProtectSystm'" "$tmp/v"
	result "systemd-analyze verify finds a misspelt key" $?
	unit
fi

grep -q "^ExecStart=$(dirname "$ctl")/godiagctl flight start %i --config $tmp/etc/godiag/flight/%i.conf --foreground$" \
	"$tmp/u/godiag-flight@.service"
result "the unit runs flight start %i --config .../%i.conf --foreground" $?
grep -q "^ExecStop=-$(dirname "$ctl")/godiagctl flight stop %i$" "$tmp/u/godiag-flight@.service"
result "the unit's ExecStop is flight stop %i" $?

# make install / uninstall with DESTDIR.
root=$tmp/root
make -s -C "$top" install DESTDIR="$root" PREFIX=/usr >"$tmp/i" 2>&1
st=$?
for f in usr/bin/godiagctl usr/lib/systemd/system/godiag-flight@.service \
	etc/modules-load.d/godiag.conf usr/share/doc/godiag/flight-example.conf; do
	[ -f "$root/$f" ] || { echo "missing $f" >>"$tmp/i"; st=1; }
done
grep -q '^ExecStart=/usr/bin/godiagctl flight start %i --config /etc/godiag/flight/%i.conf --foreground$' \
	"$root/usr/lib/systemd/system/godiag-flight@.service" || st=1
[ "$(grep -v '^#' "$root/etc/modules-load.d/godiag.conf")" = godiag ] || st=1
result "make install DESTDIR: the unit, modules-load.d, the example" "$st" "$tmp/i"
make -s -C "$top" uninstall DESTDIR="$root" PREFIX=/usr >"$tmp/i" 2>&1
left=$(find "$root" -type f)
[ -z "$left" ]
result "make uninstall DESTDIR leaves no file" $? "$tmp/i"
