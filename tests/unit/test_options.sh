#!/bin/bash
# Every command's long options are the same in its --help, in its part of
# godiagctl(8) and in what the bash completion offers: one list cannot
# gain or lose an option without the others. Prints "ok NAME" or
# "FAIL NAME" per command, like the C tests.
set -u

here=$(cd "$(dirname "$0")" && pwd)
ctl=${GODIAG_CTL:-$here/../../ctl/godiagctl}
man=$here/../../ctl/godiagctl.8
completion=$here/../../ctl/godiagctl.bash-completion

if [ ! -x "$ctl" ]; then
	echo "FAIL godiagctl is built ($ctl)"
	exit 1
fi

# longs: the long options (--name) in standard input, one per line, sorted
longs() {
	grep -oE -- '--[a-z][a-z-]*' | sort -u
}

# from_help CMD: the options its --help lists ("" for the global ones):
# the lines that start with an option, up to the description
from_help() {
	if [ -n "$1" ]; then "$ctl" "$1" --help; else "$ctl" --help; fi |
		sed -nE 's/^ +(-.*)/\1/p' | sed -E 's/  .*//' | longs
}

# from_man CMD: the options in its entry of COMMANDS (the OPTIONS section
# for ""), with the man page's \- unescaped
from_man() {
	sed 's/\\-/-/g' "$man" | awk -v cmd="$1" '
		/^\.SH/ { sec = $0; cur = ""; next }
		sec ~ /OPTIONS/ && cmd == "" { print; next }
		sec ~ /COMMANDS/ && prev == ".TP" && $1 ~ /^\.B[RI]?$/ {
			w = $2; gsub(/"/, "", w)
			if (w ~ /^[a-z]+$/) cur = w
		}
		{ prev = $1 }
		sec ~ /COMMANDS/ && cur == cmd && cmd != "" { print }
		# OPTIONS says every command takes --help.
		END { if (cmd != "") print "--help" }' | longs
}

# from_completion CMD: what completing "--" after CMD offers
from_completion() {
	# shellcheck disable=SC1090,SC1091 # the completion file, not a script
	. "$completion"
	if [ -n "$1" ]; then
		COMP_WORDS=(godiagctl "$1" --)
		COMP_CWORD=2
	else
		COMP_WORDS=(godiagctl --)
		COMP_CWORD=1
	fi
	COMPREPLY=()
	_godiagctl
	printf '%s\n' "${COMPREPLY[@]}" | longs
}

failed=0
check() {
	local cmd=$1 name=${1:-godiagctl} h m c
	h=$(from_help "$cmd")
	m=$(from_man "$cmd")
	c=$(from_completion "$cmd")
	if [ -n "$h" ] && [ "$h" = "$m" ] && [ "$h" = "$c" ]; then
		echo "ok $name: --help, godiagctl(8) and the completion list the same options"
	else
		echo "FAIL $name: --help, godiagctl(8) and the completion list the same options"
		echo "#   --help:     $(echo "$h" | tr '\n' ' ')"
		echo "#   man:        $(echo "$m" | tr '\n' ' ')"
		echo "#   completion: $(echo "$c" | tr '\n' ' ')"
		failed=$((failed + 1))
	fi
}

# The commands, as godiagctl help lists them (help itself takes none).
commands=$("$ctl" help | awk '/^Commands:/ { on = 1; next } on && NF == 0 { on = 0 } on { print $1 }')
[ -n "$commands" ] || { echo "FAIL godiagctl help lists the commands"; exit 1; }
check ""
for c in $commands; do
	[ "$c" = help ] || check "$c"
done
exit "$failed"
