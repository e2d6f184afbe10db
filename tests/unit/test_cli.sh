#!/bin/sh
# godiagctl's exit codes and messages for what needs no module: bad
# options, missing and wrong files. Each error is one line on stderr
# naming the command, and the exit code is the one --help documents.
# Prints "ok NAME" or "FAIL NAME" per case, like the C tests.
set -u

here=$(cd "$(dirname "$0")" && pwd)
ctl=${GODIAG_CTL:-$here/../../ctl/godiagctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME STATUS PATTERN ARGS...: godiagctl ARGS exits STATUS and
# prints one line on stderr matching the extended regex PATTERN, or for
# a usage error (status 1 and PATTERN starting "usage:") that line and
# a second pointing at the help
expect() {
	name=$1 want=$2 pat=${3#usage:} nlines=1
	[ "$pat" = "$3" ] || nlines=2
	shift 3
	"$ctl" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$st" = "$want" ] && [ "$lines" = "$nlines" ] &&
		head -n 1 "$tmp/err" | grep -Eq "$pat" &&
		{ [ "$nlines" = 1 ] || tail -n 1 "$tmp/err" | grep -q "^see 'godiagctl help"; }; then
		echo "ok $name"
	else
		echo "FAIL $name"
		echo "#   godiagctl $*: exit $st (want $want), stderr ($lines lines):"
		sed 's/^/#     /' "$tmp/err"
	fi
}

if [ ! -x "$ctl" ]; then
	echo "FAIL godiagctl is built ($ctl)"
	exit 1
fi

mkdir "$tmp/dir"
printf 'GDIAGCAP but not really\n' >"$tmp/fake.gdc"
: >"$tmp/empty.gdc"

expect "an unknown command exits 1" 1 "usage:^godiagctl: unknown command 'frobnicate'$" frobnicate
expect "an unknown option exits 1" 1 "usage:^godiagctl: capture: invalid option '--no-such-option'$" \
	capture --no-such-option
expect "report without a file exits 1" 1 "usage:^godiagctl: report: missing capture FILE$" report
expect "report of a missing file exits 1" 1 \
	"^godiagctl: report: $tmp/none.gdc: No such file or directory$" report "$tmp/none.gdc"
expect "report of a directory exits 1" 1 "Is a directory" report "$tmp/dir"
expect "report of a program exits 1" 1 "^godiagctl: report: /bin/sh: not a godiag capture file$" report /bin/sh
expect "report of an empty file exits 1" 1 "^godiagctl: report: $tmp/empty.gdc: not a godiag capture file$" report "$tmp/empty.gdc"
expect "report of a damaged file exits 1" 1 "^godiagctl: report: $tmp/fake.gdc: not a godiag capture file$" report "$tmp/fake.gdc"
expect "inspect of a missing file exits 1" 1 "cannot open" inspect "$tmp/none"
expect "inspect of a C program exits 1" 1 "is not a Go program" inspect /bin/sh
expect "inspect of a directory exits 1" 1 "not a regular file" inspect "$tmp/dir"

# --help: exit 0, the exit codes on stdout, nothing on stderr
if "$ctl" --help >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ] &&
	grep -q '^  3  the operation failed$' "$tmp/out"; then
	echo "ok --help exits 0 and lists the exit codes"
else
	echo "FAIL --help exits 0 and lists the exit codes"
fi
