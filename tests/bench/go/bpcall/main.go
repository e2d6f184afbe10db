// SPDX-License-Identifier: GPL-2.0

// bpcall: the workload of section 5 of `make bench` (tests/bench/bp.sh): a
// tight loop calling one small function that is never inlined, the
// function a breakpoint or uprobe is put on.
//
//	bpcall [--wait-signal] [--reps R] N
//
// With --wait-signal it prints "ready PID" and waits for SIGUSR1, so that a
// tracer can attach first. Then N/10 untimed calls, and R repetitions of N
// calls, each timed by the program around its loop and printed as
// "rep=I n=N ns=T ns_per_op=X" (the format of tests/bench/sysloop.c).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

var sink int

// work is the probed function: a leaf without a stack check, so that its
// entry is where godiag and a plain uprobe both put the breakpoint.
//
//go:noinline
func work(a, b int) int {
	return a*b + 1
}

func loop(n int) {
	for i := 0; i < n; i++ {
		sink += work(i, n)
	}
}

func main() {
	wait := flag.Bool("wait-signal", false, "print ready and wait for SIGUSR1")
	reps := flag.Int("reps", 5, "timed repetitions")
	flag.Parse()
	n, err := strconv.Atoi(flag.Arg(0))
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "usage: bpcall [--wait-signal] [--reps R] N")
		os.Exit(2)
	}
	if *wait {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGUSR1)
		fmt.Printf("ready %d\n", os.Getpid())
		<-sigs
	}
	loop(n / 10)
	for r := 1; r <= *reps; r++ {
		t := time.Now()
		loop(n)
		ns := time.Since(t).Nanoseconds()
		fmt.Printf("rep=%d n=%d ns=%d ns_per_op=%.1f\n", r, n, ns, float64(ns)/float64(n))
	}
}
