// SPDX-License-Identifier: GPL-2.0

// gotop: a known workload for `godiagctl top` (tests/cases/18-top.sh).
//
//	gotop READY DONE
//
// It starts goroutines as services do and waits until its own
// runtime.Stack shows them all parked:
//
//	go statement                          blocked in              count
//	go w.receive(jobs) (method)           chan receive            NRecv
//	go locker(&mu, i)                     sync.Mutex.Lock         NMutex
//	                                      (semacquire before 1.20)
//	go func(i int) { out <- i }(i)        chan send               NSend
//	  (in main.startSenders)
//	main, waiting for SIGUSR1             select                  1
//
// and os/signal's goroutine (signal.Notify's, in a syscall). It then
// writes "pid=P go=VERSION goroutines=N" to READY (N from
// runtime.NumGoroutine). On each SIGUSR1 it makes NCalls getpgid(0)
// syscalls (nothing else of the program or its runtime makes that call)
// from one goroutine and appends "calls=K" (K in total so far) to DONE.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	NRecv  = 5
	NMutex = 3
	NSend  = 2
	NCalls = 1000
)

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "gotop: "+format+"\n", a...)
	os.Exit(1)
}

type worker struct {
	id int
}

//go:noinline
func (w *worker) receive(jobs <-chan int) {
	for j := range jobs {
		w.id += j
	}
}

//go:noinline
func locker(mu *sync.Mutex, i int) {
	mu.Lock()
	defer mu.Unlock()
	_ = i
}

func startSenders(out chan<- int) {
	for i := 0; i < NSend; i++ {
		go func(i int) { out <- i }(i)
	}
}

// parked: every goroutine but the caller is blocked where it should be.
func parked() bool {
	buf := make([]byte, 1<<20)
	text := string(buf[:runtime.Stack(buf, true)])
	want := NRecv + NMutex + NSend
	n := strings.Count(text, "[chan receive]") + strings.Count(text, "[chan send]") +
		strings.Count(text, "[sync.Mutex.Lock]") + strings.Count(text, "[semacquire]")
	return n >= want
}

func write(path, text string, flag int) {
	f, err := os.OpenFile(path, flag|os.O_WRONLY|os.O_CREATE, 0644)
	if err != nil {
		die("%v", err)
	}
	if _, err := f.WriteString(text); err != nil {
		die("%v", err)
	}
	if err := f.Close(); err != nil {
		die("%v", err)
	}
}

func main() {
	if len(os.Args) != 3 {
		die("usage: gotop READY DONE")
	}
	ready, done := os.Args[1], os.Args[2]
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)

	jobs := make(chan int)
	for i := 0; i < NRecv; i++ {
		w := &worker{id: i}
		go w.receive(jobs)
	}
	var mu sync.Mutex
	mu.Lock()
	for i := 0; i < NMutex; i++ {
		go locker(&mu, i)
	}
	out := make(chan int)
	startSenders(out)
	for !parked() {
		time.Sleep(10 * time.Millisecond)
	}
	write(ready, fmt.Sprintf("pid=%d go=%s goroutines=%d\n", os.Getpid(),
		runtime.Version(), runtime.NumGoroutine()), os.O_TRUNC)

	never := make(chan int) // a second case: main waits in a select
	calls := 0
	for {
		select {
		case <-sig:
			for i := 0; i < NCalls; i++ {
				if _, err := syscall.Getpgid(0); err != nil {
					die("getpgid: %v", err)
				}
			}
			calls += NCalls
			write(done, fmt.Sprintf("calls=%d\n", calls), os.O_APPEND)
		case <-never:
			return
		}
	}
}
