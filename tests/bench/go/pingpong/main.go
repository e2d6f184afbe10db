// SPDX-License-Identifier: GPL-2.0

// pingpong: a scheduler-bound Go workload for `make bench`.
//
//	pingpong [-d DURATION | -n ROUNDS] [--trace FILE] [--wait-signal] [--park N]
//
// Two goroutines pass a counter back and forth over two unbuffered
// channels: main sends on ping, the partner receives it and sends it back
// on pong. Every round is two channel handoffs; each one parks the
// receiver (runtime.gopark), readies it (runtime.ready) and runs it again
// (runtime.execute), so the program spends its time in exactly the runtime
// functions goroutine tracers probe. With GOMAXPROCS=1 both goroutines
// share one P and every handoff is a direct switch on one thread.
//
// A run lasts DURATION (default 3s) or ROUNDS rounds and prints one line:
//
//	rounds=N seconds=S rate=R
//
// with R the rounds per second. The timing covers the rounds only: not the
// start-up, not starting or stopping the trace. With --trace FILE,
// runtime/trace records each run into FILE (created anew for each run;
// trace.Start before the timed part, trace.Stop after it).
//
// With --wait-signal it prints "ready PID" and then makes one run per
// SIGUSR1, until SIGTERM or SIGINT (exit 0), so that a tracer can attach
// first and stay attached over several runs. Without it, one run.
//
// With --park N it first starts N more goroutines, each blocked in a
// channel receive two calls deep (a service's idle connections), and
// waits until they all are: what a goroutine dump of a big process reads
// (godiagctl goroutines and runtime, tests/bench/dump.sh).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

func partner(ping <-chan int, pong chan<- int) {
	for v := range ping {
		pong <- v + 1
	}
	close(pong)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pingpong:", err)
	os.Exit(1)
}

// run makes one run and prints its line.
func run(dur time.Duration, rounds int64, traceFile string) {
	var tf *os.File
	if traceFile != "" {
		var err error
		if tf, err = os.Create(traceFile); err != nil {
			fail(err)
		}
		if err = trace.Start(tf); err != nil {
			fail(err)
		}
	}

	ping := make(chan int)
	pong := make(chan int)
	go partner(ping, pong)

	var n int64
	v := 0
	start := time.Now()
	if rounds > 0 {
		for n < rounds {
			ping <- v
			v = <-pong
			n++
		}
	} else {
		// Look at the clock every 32 rounds only: time.Now is cheap
		// (vDSO) but not free under emulation. A traced run can be as
		// slow as a few hundred rounds/s under TCG, so not much more.
		deadline := start.Add(dur)
		for {
			for i := 0; i < 32; i++ {
				ping <- v
				v = <-pong
			}
			n += 32
			if !time.Now().Before(deadline) {
				break
			}
		}
	}
	elapsed := time.Since(start)
	close(ping)
	<-pong

	if tf != nil {
		trace.Stop()
		if err := tf.Close(); err != nil {
			fail(err)
		}
	}
	if int64(v) != n {
		fail(fmt.Errorf("counter %d after %d rounds", v, n))
	}
	s := elapsed.Seconds()
	fmt.Printf("rounds=%d seconds=%.3f rate=%.0f\n", n, s, float64(n)/s)
}

type conn struct {
	id   int
	read chan []byte
}

//go:noinline
func (c *conn) wait() []byte {
	return <-c.read
}

//go:noinline
func (c *conn) serve(parked *sync.WaitGroup) {
	parked.Done()
	for {
		b := c.wait()
		if b == nil {
			return
		}
		c.id += len(b)
	}
}

// park starts n goroutines blocked in a receive and waits until they are.
func park(n int) {
	var started sync.WaitGroup
	started.Add(n)
	for i := 0; i < n; i++ {
		c := &conn{id: i, read: make(chan []byte)}
		go c.serve(&started)
	}
	started.Wait()
	for end := time.Now().Add(time.Minute); runtime.NumGoroutine() < n+1; {
		if time.Now().After(end) {
			fail(fmt.Errorf("%d goroutines after a minute, not %d", runtime.NumGoroutine(), n+1))
		}
		time.Sleep(time.Millisecond)
	}
}

func main() {
	dur := flag.Duration("d", 3*time.Second, "each run lasts `DURATION`")
	rounds := flag.Int64("n", 0, "each run makes `ROUNDS` rounds instead")
	traceFile := flag.String("trace", "", "record each run with runtime/trace into `FILE`")
	waitSig := flag.Bool("wait-signal", false,
		"print \"ready PID\", run on each SIGUSR1 until SIGTERM")
	nPark := flag.Int("park", 0, "start `N` goroutines blocked in a receive first")
	flag.Parse()
	if flag.NArg() != 0 || *dur <= 0 || *rounds < 0 || *nPark < 0 {
		flag.Usage()
		os.Exit(2)
	}
	park(*nPark)
	if !*waitSig {
		run(*dur, *rounds, *traceFile)
		return
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT)
	fmt.Printf("ready %d\n", os.Getpid())
	for s := range sig {
		if s != syscall.SIGUSR1 {
			return
		}
		run(*dur, *rounds, *traceFile)
	}
}
