// SPDX-License-Identifier: GPL-2.0

// gowrite: ground truth for tracing a Go program.
//
//	gowrite [--wait-signal] --n N
//
// The main goroutine, locked to the main thread (runtime.LockOSThread in
// init), does exactly N syscall.Write calls of one byte to /dev/null
// (opened before the handshake). With --wait-signal it first prints
// "ready <pid>" and blocks until SIGUSR1 (signal.Notify is set up before
// the line is printed), and prints "done" at the end.
//
// Window (from SIGUSR1 to the exit): the write(2) count is exact: N on the
// main thread plus the one write(1, "done\n"). Everything else belongs to
// the Go runtime and varies by version: rt_sigreturn after the signal
// handler, futex wake-ups of the signal-forwarding goroutine,
// nanosleep/futex of sysmon and idle Ms, and exit_group.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

func init() {
	runtime.LockOSThread()
}

func main() {
	n := flag.Int64("n", 0, "number of write(2) calls to /dev/null (required)")
	wait := flag.Bool("wait-signal", false, `print "ready <pid>", wait for SIGUSR1, work, print "done"`)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [--wait-signal] --n N\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	haveN := false
	flag.Visit(func(f *flag.Flag) { haveN = haveN || f.Name == "n" })
	if flag.NArg() != 0 || !haveN || *n < 0 {
		flag.Usage()
		os.Exit(2)
	}

	f, err := os.OpenFile("/dev/null", os.O_WRONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gowrite:", err)
		os.Exit(1)
	}
	fd := int(f.Fd())
	buf := []byte{0}

	if *wait {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGUSR1)
		fmt.Printf("ready %d\n", os.Getpid())
		<-ch
	}

	for i := int64(0); i < *n; i++ {
		if _, err := syscall.Write(fd, buf); err != nil {
			fmt.Fprintln(os.Stderr, "gowrite: write:", err)
			os.Exit(1)
		}
	}

	if *wait {
		os.Stdout.Write([]byte("done\n"))
	}
	runtime.KeepAlive(f)
}
