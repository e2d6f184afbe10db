#!/bin/bash
# Boot a test kernel in qemu and run a script inside it; see usage().
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${GODIAG_BUILD:-$repo/build}
vmdir=$build/vm

# Exit codes of the harness itself (the script's own status otherwise).
readonly E_KERNEL=121 E_NOEXIT=122 E_SETUP=123 E_TIMEOUT=124 E_HARNESS=125 E_INTR=130

# Kernel messages that fail a run (shared with tests/vm/runner.sh). Only
# lines carrying a printk timestamp are searched, so a script printing
# "WARNING:" itself does not count.
PROBLEMS=$(cat "$here/problems.ere")
readonly PROBLEMS

usage() {
	cat <<EOF
usage: tests/vm/run.sh [options] [--] SCRIPT [ARGS...]
       tests/vm/run.sh [options] --shell [-- SCRIPT [ARGS...]]

Boot a test kernel under qemu with the host's / as a read-only root (tmpfs
overlay on top, fresh /tmp) and run SCRIPT with bash inside it, in the repo
root ($repo). SCRIPT is a host path; the guest sees the same path, so it
must not live under /tmp, /run, /proc, /sys or /dev (use build/), unless
it is in the checkout or the build dir: those the guest mounts at their
own path when they are under /tmp or /run. The guest's console (script
output, kernel errors) goes to stdout.

options:
  -k KERNEL     kernel: 6.1, 6.12, rt, debug or a full release (default:
                6.12, env GODIAG_VM_KERNEL); see tests/vm/kernels.sh list
  -t SECONDS    kill the VM after this long (default 600, env
                GODIAG_VM_TIMEOUT; none with --shell unless given; 0 = none;
                with kmemleak the scan budget comes on top)
  -m MEM        guest memory in MiB (default 3072, env GODIAG_VM_MEM)
  -C DIR        guest working directory (default: the repo root)
  --shell       interactive bash on the guest console instead of a
                scripted run (after SCRIPT, if one is given); 'exit' powers
                off, Ctrl-a x kills qemu
  --keep-log DIR  also copy the console log into DIR on success
  -h, --help    this text

environment:
  GODIAG_VM_KVM=1        use KVM (-cpu host) instead of TCG
  GODIAG_VM_SMP          vCPUs (default 2)
  GODIAG_VM_TCG          single (default: one host thread runs every vCPU)
                         or multi (a thread each; kernel text patching can
                         then crash the guest: see qemu_cmd)
  GODIAG_VM_QEMU_ARGS    extra qemu arguments (word-split)
  GODIAG_VM_APPEND       extra kernel command line
  GODIAG_VM_DMESG=1      also show the guest dmesg dump on stdout
  GODIAG_VM_KMEMLEAK=1   kmemleak (debug kernel): no automatic scans during
                         the run, two scans after the script; fail the run
                         when a suspected leak's allocation backtrace is in
                         godiag (other leaks only warn)
  GODIAG_VM_KMEMLEAK_TIMEOUT  budget of those scans in seconds (default 900);
                         not finishing in time fails the run
  GODIAG_VM_IGNORE       ERE of kernel lines not to count as problems
  GODIAG_VM_STRICT_BOOT=1  also fail on problems logged before /init ran
                         (default: only warn, the test cannot cause them)
  GODIAG_BUILD           scratch dir (default: <repo>/build)
  GODIAG_*               every exported GODIAG_* variable is passed to the
                         guest script, plus GODIAG_VM=1, GODIAG_VM_KERNEL
                         (name), GODIAG_VM_KBUILD (kernel build dir)

exit status: the script's, or
  $E_KERNEL  the kernel logged a problem (Oops, BUG, WARNING, KASAN, lockdep ...)
  $E_NOEXIT  the guest died before the script finished (panic, crash)
  $E_SETUP  the guest could not set up its root file system
  $E_TIMEOUT  timeout
  $E_HARNESS  usage or harness error (unknown kernel, qemu failed to start)
  $E_INTR  interrupted
When the status is not 0 the console log is kept in $vmdir/logs/.
EOF
}

say() {
	echo "run.sh: $*" >&2
}

die() { # status message
	say "$2"
	exit "$1"
}

parse_args() {
	kernel=${GODIAG_VM_KERNEL:-6.12}
	timeout=${GODIAG_VM_TIMEOUT:-}
	mem=${GODIAG_VM_MEM:-3072}
	cwd=$repo
	shell=0
	keep_dir=
	while [[ $# -gt 0 ]]; do
		case $1 in
		-k) kernel=${2:?-k needs a kernel}; shift 2 ;;
		-t) timeout=${2:?-t needs seconds}; shift 2 ;;
		-m) mem=${2:?-m needs MiB}; shift 2 ;;
		-C) cwd=${2:?-C needs a directory}; shift 2 ;;
		--shell) shell=1; shift ;;
		--keep-log) keep_dir=${2:?--keep-log needs a directory}; shift 2 ;;
		-h|--help) usage; exit 0 ;;
		--) shift; break ;;
		-*) die $E_HARNESS "unknown option $1 (run.sh -h for help)" ;;
		*) break ;;
		esac
	done
	[[ $# -gt 0 || $shell = 1 ]] || die $E_HARNESS "no script given (run.sh -h for help)"
	script=
	if [[ $# -gt 0 ]]; then
		script=$(realpath -e -- "$1") || die $E_HARNESS "no such script: $1"
		shift
	fi
	args=("$@")
	if [[ -z $timeout ]]; then
		timeout=600
		[[ $shell = 0 ]] || timeout=0
	fi
	[[ $timeout =~ ^[0-9]+$ ]] || die $E_HARNESS "bad timeout '$timeout'"
	kmemleak_secs=0
	if [[ ${GODIAG_VM_KMEMLEAK:-0} = 1 ]]; then
		kmemleak_secs=${GODIAG_VM_KMEMLEAK_TIMEOUT:-900}
		[[ $kmemleak_secs =~ ^[1-9][0-9]*$ ]] ||
			die $E_HARNESS "bad GODIAG_VM_KMEMLEAK_TIMEOUT '$kmemleak_secs'"
		# The scans come after the script: they get their own budget,
		# plus two minutes for the dump and the power-off.
		[[ $timeout = 0 ]] || timeout=$((timeout + kmemleak_secs + 120))
	fi
	[[ $mem =~ ^[0-9]+$ ]] || die $E_HARNESS "bad memory size '$mem'"
	cwd=$(realpath -e -- "$cwd") || die $E_HARNESS "no such directory: $cwd"
}

# top_dir PATH: its first component
top_dir() {
	local top=${1#/}
	echo "${top%%/*}"
}

# The guest mounts its own /tmp, /run, /proc, /sys and /dev over the host's.
# The checkout and the build dir are mounted at their own path when they
# live under /tmp or /run (extra_mounts), so anything in them is visible.
extra_mounts() {
	local d
	mounts=()
	for d in "$repo" "$build"; do
		case $(top_dir "$d") in
		tmp|run) ;;
		proc|sys|dev) die $E_HARNESS "$d cannot be shared with the guest (it mounts its own /$(top_dir "$d"))" ;;
		*) continue ;;
		esac
		[[ ${#mounts[@]} -gt 0 && $d/ == "${mounts[0]}"/* ]] && continue
		[[ $d != *[[:space:],\"\']* ]] || die $E_HARNESS "$d: a directory shared with the guest must not contain blanks, commas or quotes (it goes on the kernel command line)"
		mounts+=("$d")
	done
}

check_visible() { # path
	local m top
	for m in "${mounts[@]}"; do
		[[ $1/ != "$m"/* ]] || return 0
	done
	top=$(top_dir "$1")
	case $top in
	tmp|run|proc|sys|dev)
		die $E_HARNESS "$1 is not visible in the guest (it mounts its own /$top); put it under $build" ;;
	esac
}

resolve_kernel() {
	local vars
	vars=$("$here/kernels.sh" resolve "$kernel") || die $E_HARNESS "cannot resolve kernel '$kernel'"
	eval "$vars"
	initrd=$vmdir/initramfs-$KERNEL_RELEASE.cpio.gz
	"$here/mkinitramfs.sh" "$KERNEL_RELEASE" "$initrd" || die $E_HARNESS "cannot build $initrd"
}

# Per-run directory under build/ (the guest cannot see the host's /tmp):
# holds the env file the guest sources and the console log.
make_rundir() {
	stamp=$(date +%Y%m%d-%H%M%S)
	mkdir -p "$vmdir/run" "$vmdir/logs"
	rundir=$(mktemp -d "$vmdir/run/$stamp-XXXXXX")
	[[ $rundir != *[[:space:]\"\']* ]] || die $E_HARNESS "build dir path $rundir must not contain spaces or quotes (it goes on the kernel command line)"
	envfile=$rundir/env
	log=$rundir/console.log
	: >"$log"
}

write_envfile() {
	local name
	{
		echo "# generated by tests/vm/run.sh, sourced by the guest"
		for name in $(compgen -e); do
			if [[ $name = GODIAG_* ]]; then
				printf 'export %s=%q\n' "$name" "${!name}"
			fi
		done
		printf 'export GODIAG_VM_KERNEL=%q GODIAG_VM_KBUILD=%q\n' "$KERNEL_NAME" "$KERNEL_BUILD"
		printf 'GODIAG_VM_SCRIPT=%q\nGODIAG_VM_CWD=%q\n' "$script" "$cwd"
		printf 'GODIAG_VM_ARGS=('
		[[ ${#args[@]} -eq 0 ]] || printf ' %q' "${args[@]}"
		printf ' )\n'
		if [[ $shell = 1 ]] && [[ -t 0 ]]; then
			# A serial console has no window size; tell the guest's tty.
			read -r rows cols < <(stty size 2>/dev/null || echo "24 80")
			printf 'GODIAG_VM_TTY_ROWS=%q GODIAG_VM_TTY_COLS=%q\n' "$rows" "$cols"
		fi
	} >"$envfile"
}

kernel_cmdline() {
	local term=dumb kmemleak=0
	[[ $shell = 0 ]] || term=${TERM:-vt220}
	[[ $kmemleak_secs = 0 ]] || kmemleak=$kmemleak_secs
	local extra=
	# The debug kernel (KASAN, lockdep) interprets the PCI routing method
	# (_PRT) of qemu's ACPI tables so slowly under TCG that it hits the
	# 30 s AML loop timeout; the MP table routes the interrupts as well.
	# KASAN reports only its first finding by default: an early-boot
	# report would hide every later one.
	[[ $KERNEL_NAME != debug ]] || extra="acpi=noirq kasan_multi_shot"
	[[ ${#mounts[@]} -eq 0 ]] || extra="$extra godiagvm.mounts=$(IFS=,; echo "${mounts[*]}")"
	echo "console=ttyS0 quiet printk.time=1 panic=-1 oops=panic $extra" \
		"godiagvm.env=$envfile godiagvm.shell=$shell godiagvm.term=$term" \
		"godiagvm.kmemleak=$kmemleak ${GODIAG_VM_APPEND:-}"
}

qemu_cmd() {
	# No LA57: with 5-level paging an interrupt hitting identify_cpu()
	# (which briefly clears the CPU feature bits, LA57 included) makes the
	# debug kernel's KASAN report a bogus wild-memory-access at boot, and
	# real machines run 4-level paging anyway.
	#
	# One host thread for all vCPUs by default: with qemu's multi-threaded
	# TCG a vCPU can still run a translated block of kernel text that
	# another vCPU has just patched, so text_poke_bp's int3 (static keys,
	# tracepoints, at boot too) is hit after the patch is over and the
	# guest dies in "Oops: int3". Seen with Debian's qemu 7.2 on 6.12 and
	# 6.12-rt; real CPUs and KVM are not affected. GODIAG_VM_TCG=multi
	# (make bench: the reader's vCPU must not take the workload's time).
	# shellcheck disable=SC2054 # the commas belong to the qemu option
	local accel=(-accel "tcg,thread=${GODIAG_VM_TCG:-single}" -cpu max,la57=off) extra=() signal=on
	[[ ${GODIAG_VM_KVM:-0} != 1 ]] || accel=(-accel kvm -cpu host)
	# shellcheck disable=SC2206 # word splitting is the documented interface
	[[ -z ${GODIAG_VM_QEMU_ARGS:-} ]] || extra=(${GODIAG_VM_QEMU_ARGS})
	# In a shell ^C belongs to the guest; Ctrl-a x still quits qemu.
	[[ $shell = 0 ]] || signal=off
	# shellcheck disable=SC2054 # the commas belong to qemu options
	qemu=(qemu-system-x86_64 "${accel[@]}" -smp "${GODIAG_VM_SMP:-2}" -m "$mem"
		-nodefaults -no-user-config -display none -no-reboot
		-kernel "$KERNEL_IMAGE" -initrd "$initrd" -append "$(kernel_cmdline)"
		# The console: stdio, muxed with the monitor (what -nographic
		# does), and logged by qemu itself so nothing is lost when it
		# is killed.
		-chardev "stdio,id=con,mux=on,signal=$signal,logfile=$log"
		-serial chardev:con -mon chardev=con,mode=readline
		-pidfile "$rundir/qemu.pid"
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
		"${extra[@]}")
}

# Script mode: show the console without the dmesg dump (it is in the log
# and gets searched), the final power-down line and the serial line's
# carriage returns.
console_filter() {
	# (mawk, Debian's awk, reads a pipe a block at a time unless told)
	local awk=(awk)
	! awk -W version 2>&1 | grep -q '^mawk' || awk=(awk -W interactive)
	"${awk[@]}" -v all="${GODIAG_VM_DMESG:-0}" '{ sub(/\r$/, "") }
		all != 1 && /^GODIAG-DMESG-BEGIN/ { hide = 1 }
		!hide && !/\] reboot: Power down$/ { print; fflush() }
		/^GODIAG-DMESG-END/ { hide = 0 }'
}

run_qemu() {
	local tmo=(timeout --foreground -k 10 "$timeout")
	[[ $timeout != 0 ]] || tmo=()
	t0=$EPOCHREALTIME
	# In the background, so that a signal to run.sh alone (a test runner
	# stopping it) is handled now and stops qemu, not after qemu ends.
	# (The status goes through a file: it is a pipeline in the background.)
	if [[ $shell = 1 ]]; then
		# Explicit <&0: a background job would get /dev/null otherwise.
		{ st=0; "${tmo[@]}" "${qemu[@]}" || st=$?; echo $st >"$rundir/qemu.status"; } <&0 &
	else
		{ st=0; "${tmo[@]}" "${qemu[@]}" </dev/null || st=$?; echo $st >"$rundir/qemu.status"; } |
			console_filter &
	fi
	job=$!
	trap 'interrupted=1; stop_qemu' INT TERM HUP
	# wait returns early when a trapped signal arrives; go on waiting
	# until the job has really ended.
	while kill -0 "$job" 2>/dev/null; do
		wait "$job" || true
	done
	trap - INT TERM HUP
	qemu_status=$(cat "$rundir/qemu.status" 2>/dev/null || echo unknown)
	elapsed=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
}

# qemu writes its pid file right after it starts; give it 5 s for that.
# shellcheck disable=SC2317 # called from a trap
stop_qemu() {
	local tries=10 qpid
	while [[ ! -s $rundir/qemu.pid ]] && kill -0 "$job" 2>/dev/null && ((tries-- > 0)); do
		sleep 0.5
	done
	# qemu removes the file when it exits, possibly just now.
	qpid=$(cat "$rundir/qemu.pid" 2>/dev/null) || return 0
	kill -TERM "$qpid" 2>/dev/null || true
}

# Kernel lines (printk timestamp anywhere on the line) matching PROBLEMS,
# minus GODIAG_VM_IGNORE, unique, each prefixed "boot " when logged
# before /init started (nothing of the test can have caused those) or
# "run ". The dmesg dump tells when /init started: the console is quiet.
kernel_problems() {
	local clean=$rundir/console.txt
	tr -d '\r' <"$log" >"$clean"
	awk -v pat="$PROBLEMS" -v ign="${GODIAG_VM_IGNORE:-}" -v kml="$kmemleak_secs" '
		!match($0, /\[ *[0-9]+\.[0-9]+\] /) { next }
		{ ts = substr($0, RSTART + 1, RLENGTH - 3) + 0; msg = substr($0, RSTART + RLENGTH) }
		NR == FNR { if (msg ~ /^Run \/init as init process/ && init == "") init = ts; next }
		msg !~ pat || (ign != "" && msg ~ ign) { next }
		# kmemleak mode: its count of leaks is judged by kmemleak_check.
		kml != 0 && msg ~ /^kmemleak: [0-9]+ new suspected memory leaks/ { next }
		{ line = ((init != "" && ts < init) ? "boot " : "run ") msg }
		!seen[line]++ { print line }
	' "$clean" "$clean"
}

# kmemleak mode: read the report the guest dumped. Sets kml_fail when a
# suspected leak was allocated by godiag: a backtrace line naming godiag,
# or an address in the module area that kallsyms cannot name any more (a
# module unloaded before the scan; the test kernels load no other module).
# Other leaks (the kernel's own, from boot) are only shown. Sets
# kml_timeout / kml_missing when the scans did not finish / could not run.
kmemleak_check() {
	local outcome counts total ours
	kml_fail='' kml_timeout='' kml_missing=''
	[[ $kmemleak_secs != 0 ]] || return 0
	outcome=$(grep -m1 '^GODIAG-KMEMLEAK: ' "$rundir/console.txt" | cut -d' ' -f2- || true)
	case $outcome in
	per-case*) say "kmemleak: $outcome"; return 0 ;;
	scanned*) say "kmemleak: $outcome" ;;
	timeout*) kml_timeout=1; say "kmemleak: $outcome"; return 0 ;;
	unavailable*|failed*) kml_missing=1; say "kmemleak: $outcome"; return 0 ;;
	*) return 0 ;; # the guest did not get that far: the run fails anyway
	esac
	counts=$(awk -v on=0 -v ours="$rundir/kmemleak-godiag.txt" -v others="$rundir/kmemleak-other.txt" \
		-f "$here/kmemleak.awk" "$rundir/console.txt")
	read -r total ours <<<"$counts"
	if [[ $ours -gt 0 ]]; then
		kml_fail=1
		say "kmemleak: $ours of $total suspected leaks were allocated by godiag:"
		head -n 60 "$rundir/kmemleak-godiag.txt" | sed 's/^/    /' >&2
	elif [[ $total -gt 0 ]]; then
		say "kmemleak: $total suspected leaks, none allocated by godiag (not failing the run); the first:"
		head -n 20 "$rundir/kmemleak-other.txt" | sed 's/^/    /' >&2
	else
		say "kmemleak: no suspected leaks"
	fi
}

# Decide the run's exit status from qemu's status and the console log.
verdict() {
	local all problems boot marker
	all=$(kernel_problems)
	problems=$(sed -n 's/^run //p' <<<"$all")
	boot=$(sed -n 's/^boot //p' <<<"$all")
	if [[ -n $boot && ${GODIAG_VM_STRICT_BOOT:-0} = 1 ]]; then
		problems=$boot${problems:+$'\n'$problems}
	elif [[ -n $boot ]]; then
		say "warning: the kernel reported problems while booting, before /init (not failing the run; GODIAG_VM_STRICT_BOOT=1 would):"
		head -n 10 <<<"$boot" | sed 's/^/    /' >&2
	fi
	marker=$(grep -oE '^GODIAG-EXIT: [0-9]+' "$rundir/console.txt" | tail -n 1 || true)
	if [[ -n $problems ]]; then
		say "kernel reported problems:"
		head -n 30 <<<"$problems" | sed 's/^/    /' >&2
	fi
	kmemleak_check
	if [[ ${interrupted:-0} = 1 ]]; then
		status=$E_INTR; say "interrupted"
	elif [[ $qemu_status = 124 || $qemu_status = 137 ]] && [[ $timeout != 0 ]]; then
		status=$E_TIMEOUT; say "timeout: the VM ran longer than ${timeout}s and was killed"
	elif grep -q '^GODIAG-SETUP-FAILED' "$rundir/console.txt"; then
		status=$E_SETUP; say "guest setup failed: $(grep -m1 '^GODIAG-SETUP-FAILED' "$rundir/console.txt" | cut -d' ' -f2-)"
	elif [[ -z $marker && $qemu_status != 0 ]]; then
		status=$E_HARNESS; say "qemu failed (status $qemu_status)"
	elif [[ -z $marker ]]; then
		status=$E_NOEXIT; say "the guest stopped before the script finished (kernel panic or crash?)"
	elif [[ -n $problems || -n $kml_fail ]]; then
		status=$E_KERNEL; say "failing the run (the script itself exited ${marker#GODIAG-EXIT: })"
	elif [[ -n $kml_timeout ]]; then
		status=$E_TIMEOUT; say "failing the run: the kmemleak scans did not finish in ${kmemleak_secs}s (GODIAG_VM_KMEMLEAK_TIMEOUT; the script itself exited ${marker#GODIAG-EXIT: })"
	elif [[ -n $kml_missing ]]; then
		status=$E_HARNESS; say "failing the run: GODIAG_VM_KMEMLEAK=1 but kmemleak could not scan (the script itself exited ${marker#GODIAG-EXIT: })"
	else
		status=${marker#GODIAG-EXIT: }
	fi
}

logname() {
	local what=shell
	[[ -z $script ]] || what=$(basename "$script" .sh)
	echo "$stamp-$KERNEL_NAME-$what.log"
}

# Keep the console log of a failed run (and in --keep-log DIR, always);
# drop the rundir.
finish() {
	local name
	name=$(logname)
	if [[ -n $keep_dir ]]; then
		mkdir -p "$keep_dir" && cp "$log" "$keep_dir/$name"
	fi
	if [[ $status != 0 ]]; then
		# Two runs of one script in the same second must not collide.
		[[ ! -e $vmdir/logs/$name ]] || name=${name%.log}-${rundir##*-}.log
		mv "$log" "$vmdir/logs/$name"
		say "console log: $vmdir/logs/$name"
	fi
	rm -rf "$rundir"
}

main() {
	parse_args "$@"
	command -v qemu-system-x86_64 >/dev/null || die $E_HARNESS "qemu-system-x86_64 not installed (tests/deps.sh)"
	extra_mounts
	[[ -z $script ]] || check_visible "$script"
	check_visible "$cwd"
	resolve_kernel
	make_rundir
	trap 'rm -rf "$rundir"' EXIT
	write_envfile
	qemu_cmd
	run_qemu
	verdict
	say "$KERNEL_NAME ($KERNEL_RELEASE): ${elapsed}s, exit $status"
	finish
	exit "$status"
}

main "$@"
