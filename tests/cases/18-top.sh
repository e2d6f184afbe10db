# shellcheck shell=bash source-path=SCRIPTDIR
# godiagctl top against gotop (tests/progs/go/gotop), whose goroutines
# are parked where it says (5 on a channel receive, 3 on a mutex, 2 on a
# channel send, main in a select) and which makes exactly 1000 getpgid
# calls, through syscall.Getpgid, per SIGUSR1 (a top counts those made
# since it started): the errors (no module, no
# process, not Go, no permission); the plain text blocks when stdout is
# no terminal, with a breakpoint's hits; and on a terminal (tmux, 80x24):
# the numbers on the screen, every line within 80 columns, s changing the
# order of the syscall table, q and Ctrl-C quitting with the terminal as
# it was, ^Z and fg.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

"$progs/gotop" "$work/ready" "$work/done" 2>"$work/gotop.err" &
pid=$!
wait_for test -s "$work/ready"
check_eq "gotop has parked its goroutines" 0 $?
ready=$(cat "$work/ready")
echo "# gotop: $ready"
# Go before 1.20 names a sync.Mutex wait "semacquire".
case $ready in
*go=go1.19*) mutex=semacquire ;;
*) mutex=sync.Mutex.Lock ;;
esac
check_eq "gotop: its goroutines by runtime.NumGoroutine" 12 "${ready##*goroutines=}"
calls_are() { [ "$(sed -n '$s/^calls=//p' "$work/done" 2>/dev/null)" = "$1" ]; }

# ---- errors: one line, the documented exit code
check_status "no module: exit 2" 2 "$ctl" top -p "$pid" -n 1
module_load
check_status "no such process: exit 1" 1 "$ctl" top -p 999999 -n 1
check_eq "no such process: one line" 1 "$(wc -l <"$work/out")"
sleep 600 &
other=$!
check_status "not a Go program: exit 1" 1 "$ctl" top -p "$other" -n 1
check_match "not a Go program: says so" "is not a Go program" "$(cat "$work/out")"
kill "$other"
check_status "no ptrace access (nobody, a process of root): exit 4" 4 \
	as_nobody "$ctl" top -p "$pid" -n 1
check_status "bad --sort: exit 1" 1 "$ctl" top -p "$pid" --sort latency

# ---- not a terminal: a block per interval, until SIGTERM (a background
# job of a script ignores SIGINT, and top keeps it so)
"$ctl" top -p "$pid" --interval 500ms --break syscall.Getpgid >"$work/plain" 2>"$work/plain.err" &
top=$!
blocks() { grep -c '^PID ' "$work/plain"; }
has_blocks() { [ "$(blocks)" -ge "$1" ]; }
if ! wait_for_s=120 wait_for has_blocks 1; then
	not_ok "plain: a first block within 120 s"
	sed 's/^/#   stderr: /' "$work/plain.err"
	echo "#   top: $(cut -d' ' -f1-3 "/proc/$top/stat" 2>&1) in $(cat "/proc/$top/wchan" 2>&1)"
else
	ok "plain: a first block"
fi
kill -USR1 "$pid"
wait_for calls_are 1000
# the last complete block (a block ends with the "records" line)
last_block() { awk '/^PID /{b=""} {b=b $0 "\n"} /^records /{last=b} END{printf "%s", last}' "$work/plain"; }
seen_calls() { last_block | grep -Eq '^getpgid +1000 ' && last_block | grep -Eq '^syscall\.Getpgid +1000 '; }
wait_for_s=60 wait_for seen_calls
check_eq "plain: getpgid's 1000 calls and the breakpoint's 1000 hits are shown" 0 $?
kill -TERM "$top"
# (a zombie is gone too: it waits for the wait below)
ended() { ! grep -Eq '^[0-9]+ \(.*\) [^Z]' "/proc/$top/stat" 2>/dev/null; }
wait_for ended || kill -KILL "$top"
wait "$top"
check_eq "plain: SIGTERM ends it with exit 0" 0 $?
block=$(last_block)
printf '%s\n' "$block" | sed 's/^/# plain: /'
check_match "plain: the goroutines by state" \
	"^goroutines 12: 1 running, 0 runnable, 11 blocked; [0-9]+ of the runtime's not shown" "$block"
check_eq "plain: the wait reasons" "chan receive 5|$mutex 3|chan send 2|select 1" \
	"$(printf '%s\n' "$block" | awk '/^WAIT REASON/{on=1; next} on && /^$/{exit} on {n=$NF; $NF=""; sub(/ +$/, ""); printf "%s%s %s", s, $0, n; s="|"}')"
check_match "plain: a worker among the longest blocked" \
	"^[0-9]+ +main\.\(\*worker\)\.receive +chan receive +>" "$block"
check_eq "plain: no terminal control in the output" 0 "$(grep -c $'\033' "$work/plain")"
check_eq "plain: nothing on stderr" "" "$(cat "$work/plain.err")"

# ---- a terminal: tmux, 80x24, a shell running top
export TMUX_TMPDIR=$work
sock=godiag-top
tm() { tmux -L "$sock" "$@"; }
pane() { tm capture-pane -p -t top; }
on_screen() { pane | grep -Eq -- "$1"; }
tm new-session -d -s top -x 80 -y 24 "bash --norc --noprofile"
tm send-keys -t top "stty -g >$work/stty.before; $ctl top -p $pid; echo rc=\$? >$work/rc; stty -g >$work/stty.after" Enter
wait_for_s=120 wait_for on_screen '^goroutines 12: '
check_eq "tty: top draws its screen" 0 $?
pane >"$work/screen1"
sed 's/^/# tty: /' "$work/screen1"
check_match "tty: the title" "^PID $pid \(gotop\) go1\.[0-9.]+ +up .* sort rate" "$(head -n 1 "$work/screen1")"
check_match "tty: the goroutines by state" "^goroutines 12: 1 running, 0 runnable, 11 blocked" \
	"$(cat "$work/screen1")"
check_match "tty: the mutex waiters" "^$mutex +3$" "$(cat "$work/screen1")"
check_eq "tty: no line wider than 80 columns" 0 "$(awk 'length > 80' "$work/screen1" | wc -l)"
kill -USR1 "$pid"
wait_for calls_are 2000
# (counted since this top started: the 1000 of the first signal are not)
wait_for_s=60 wait_for on_screen '^getpgid +1000 '
check_eq "tty: getpgid's 1000 calls since top started on the screen" 0 $?
# s: rate -> count; the table is then in decreasing order of COUNT
tm send-keys -t top s
wait_for on_screen '^PID .* sort count '
check_eq "tty: s changes the order to count" 0 $?
counts=$(pane | awk '/^SYSCALL/{on=1; next} on && /^$/{exit} on {print $2}')
echo "# tty: counts in order: $(tr '\n' ' ' <<<"$counts")"
check_eq "tty: the syscall rows by count, most first" "$(printf '%s\n' "$counts" | sort -rn)" "$counts"
check_match "tty: getpgid leads by count" "^1000" "$counts"
tm send-keys -t top s
wait_for on_screen '^PID .* sort total '
check_eq "tty: s again: by total time" 0 $?
tm send-keys -t top q
wait_for test -s "$work/rc"
check_eq "tty: q quits with exit 0" "rc=0" "$(cat "$work/rc")"
wait_for test -s "$work/stty.after"
check_eq "tty: the terminal's settings are as before" "$(cat "$work/stty.before")" "$(cat "$work/stty.after")"
check_eq "tty: the screen is the shell's again" 0 "$(pane | grep -c 'WAIT REASON')"
# ^Z stops it with the shell's screen back, fg brings top's again
rm -f "$work/rc" "$work/stty.after"
tm send-keys -t top "($ctl top -p $pid; echo rc=\$? >$work/rc; stty -g >$work/stty.after)" Enter
wait_for_s=120 wait_for on_screen '^goroutines 12: '
tm send-keys -t top C-z
wait_for on_screen 'Stopped'
check_eq "tty: ^Z stops it, the shell's screen back" 0 $?
check_eq "tty: stopped, not ended" "" "$(cat "$work/rc" 2>/dev/null)"
# The shell running top stops at once, top once it has put the terminal
# back; a person types fg after that, and so does this test.
stopped_top() { grep -Eq '^[0-9]+ \(godiagctl\) T ' /proc/"$(pgrep -n -f "$ctl top -p $pid")"/stat; }
wait_for stopped_top
check_eq "tty: top itself stopped" 0 $?
tm send-keys -t top fg Enter
wait_for on_screen '^goroutines 12: '
check_eq "tty: fg: top's screen again" 0 $?
tm send-keys -t top q
wait_for test -s "$work/rc"
check_eq "tty: q after ^Z and fg: exit 0" "rc=0" "$(cat "$work/rc")"
wait_for test -s "$work/stty.after"
check_eq "tty: after ^Z, fg and q the terminal's settings are as before" \
	"$(cat "$work/stty.before")" "$(cat "$work/stty.after")"
# Ctrl-C: the same end
rm -f "$work/rc" "$work/stty.after"
tm send-keys -t top "$ctl top -p $pid; echo rc=\$? >$work/rc; stty -g >$work/stty.after" Enter
wait_for_s=120 wait_for on_screen '^goroutines 12: '
tm send-keys -t top C-c
wait_for test -s "$work/rc"
check_eq "tty: Ctrl-C quits with exit 0" "rc=0" "$(cat "$work/rc")"
wait_for test -s "$work/stty.after"
check_eq "tty: after Ctrl-C the terminal's settings are as before" \
	"$(cat "$work/stty.before")" "$(cat "$work/stty.after")"
tm kill-server

kill "$pid"
wait "$pid" 2>/dev/null
