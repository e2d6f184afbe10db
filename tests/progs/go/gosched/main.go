// SPDX-License-Identifier: GPL-2.0

// gosched: ground truth for goroutine tracing.
//
//	gosched [-n N] [--wait-signal] [--json] [--hold] [--loop] [--exec PROG]
//	gosched --grow N [--wait-signal]
//
// The measured phase starts exactly N goroutines (default 10) of each
// kind below, every kind from its own zero-argument top-level function, so
// that g.startpc is that function (a `go f(args)` statement would start a
// compiler-made wrapper such as main.main.func1 or main.main.gowrap1
// instead). The kinds run one after the other; each goroutine parks
// exactly once, then does K write(2) calls of one byte to /dev/null
// (syscall.Write on a raw fd: no poll.FD lock that could park) and exits.
//
//	start function       created by     parks once in                       K
//	main.spawner         main.main      (does not park; creates the next)   2
//	main.chanRecvWorker  main.spawner   "chan receive" (until main sends)   3
//	main.selectWorker    main.main      "select" on two channels            4
//	main.mutexWorker     main.main      sync.Mutex held by main: "semacquire"
//	                                    on go1.19, "sync.Mutex.Lock" from
//	                                    go1.21 (runtime/sema.go)            5
//	main.sleepWorker     main.main      "sleep" (time.Sleep(20ms))          6
//	main.netWorker       main.main      "IO wait" (read on a loopback TCP
//	                                    connection until main writes)      7
//
// Per cycle: created = exited = 5N+1; by start function as in the table;
// by creator main.main 4N+1 (spawner and the select, mutex, sleep and net
// workers: their go statements are in main.main itself, not in a helper
// or closure) and main.spawner N.
//
// Main releases a kind only once runtime.Stack(all) shows all N of its
// goroutines waiting (the reason it shows is reported), so every worker
// really parks; sleep workers wake by themselves. Main never parks in the
// measured phase: it waits by spinning on atomic counters and
// runtime.NumGoroutine with runtime.Gosched (which re-queues the
// goroutine without gopark); its channel sends find a parked receiver and
// complete at once; runtime.Stack stops the world through the runtime's
// worldsema (parks only if contended, i.e. by a GC or another
// stop-the-world, neither of which happens here) and marks main waiting
// with casgstatus, not gopark. Main waits for the previous kind's
// goroutines to be gone (NumGoroutine back to its value before the phase,
// which happens after runtime.goexit1) before starting the next kind, and
// before the end, so every exit happens inside the phase.
//
// What the runtime may add in the phase, and why the counts still hold:
//   - GC is off (debug.SetGCPercent(-1) before the phase; not with
//     --loop): no GC workers are created and nothing parks in "GC ...".
//     bgsweep, bgscavenge, forcegchelper and the finalizer goroutine
//     were created and parked at start-up and stay parked without GC
//     cycles. Should the scavenger still run, it sleeps with reason
//     "sleep" (runtime/mgcscavenge.go): "sleep" is only >= N.
//   - os/signal: signal.Notify is only called before the phase. Its
//     watcher goroutine waits in a futex sleep (notetsleepg), not gopark;
//     runtime.ensureSigM's goroutine parks in "select" only when
//     Notify/Stop/Ignore change the signal mask, which they do not in the
//     phase. So "select" is exactly N per cycle.
//   - netpoll has no goroutine; the netWorkers' reads have no deadline,
//     so no timers. "IO wait" is N; "chan receive" is N (main's wait for
//     SIGUSR1 parked before the phase); the mutex reason is N on go1.21+
//     (no other sync.Mutex is contended) and "semacquire" is N on go1.19
//     too (no WaitGroup, no contended fd lock, uncontended worldsema),
//     but only the exact select count is promised.
//   - time.Sleep's timer may make the sleeping thread write to the
//     netpoller's wake-up fd (netpollBreak, at most once per Sleep): a
//     tracer attributing the thread's syscalls to the goroutine that just
//     parked sees 7 writes for such a sleep worker instead of 6.
//   - --exec PROG runs PROG once with os/exec before the first kind: no
//     goroutines (no context, no pipes), and the wait for the child is a
//     blocking waitid(2), not a park.
//
// Output: "ready <pid>" with --wait-signal, then (SIGUSR1) the phase;
// --loop repeats it until SIGTERM or SIGINT, printing "cycle <k>" after
// each cycle; there GC stays on and main sleeps 10 ms between cycles
// (parks in "sleep"), so only the per-kind counts stay exact. At the end
// one summary line ("done n=... created=... exited=... [reasons]"), or
// with --json one JSON object:
//
//	{"n":10,"go":"go1.23.5","cycles":1,"created":51,"exited":51,
//	 "by_start":{"main.chanRecvWorker":10,...,"main.spawner":1},
//	 "by_creator":{"main.main":41,"main.spawner":10},
//	 "writes":{"main.chanRecvWorker":3,...},      (each goroutine's count)
//	 "reasons":{"main.chanRecvWorker":"chan receive",...},
//	 "blocked":{"chan receive":10,"select":10,...}, (the workers' parks)
//	 "main_parks":0,"yields":412,"exec_status":-1}
//
// reasons are the states runtime.Stack showed (sleep: not observed, the
// runtime's name); exec_status is PROG's exit status (-1 without --exec).
// main_parks is main's parks inside the phase (0; see above), yields its
// runtime.Gosched calls (each one more time main is scheduled). Counts are
// totals over all cycles. --hold then waits for SIGTERM or SIGINT (one
// more "chan receive" park of main) and exits 0. Exit status 2: usage;
// 1: an error (a wait that takes over 5 minutes is one).
//
// --grow N replaces the phase: N goroutines, one after the other, each
// calling main.growStack once. Its 16 KiB frame does not fit the 2 KiB
// stack a new goroutine gets, so its stack check fails exactly once per
// goroutine: morestack grows the stack and restarts growStack from its
// entry, where the check passes. The jbe of that check runs 2N times,
// jumping N times. Then "grew N", and it waits for SIGTERM or SIGINT.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// write(2) calls each goroutine of a kind makes.
const (
	kSpawner  = 2
	kChanRecv = 3
	kSelect   = 4
	kMutex    = 5
	kSleep    = 6
	kNet      = 7
)

// Shared with the workers (they take no arguments, see above).
var (
	n        int
	devnull  int
	arrived  atomic.Int32 // workers of the current kind about to block
	finished atomic.Int32 // workers of the current kind done writing
	netNext  atomic.Int32 // next server connection to hand out

	chanRecvCh = make(chan int)
	selA       = make(chan int)
	selB       = make(chan int)
	mu         sync.Mutex
	srvConns   []net.Conn
	cliConns   []net.Conn
)

var stackBuf = make([]byte, 1<<20)

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "gosched: "+format+"\n", a...)
	os.Exit(1)
}

func writes(k int) {
	buf := []byte{0}
	for i := 0; i < k; i++ {
		if _, err := syscall.Write(devnull, buf); err != nil {
			die("write: %v", err)
		}
	}
}

func spawner() {
	writes(kSpawner)
	for i := 0; i < n; i++ {
		go chanRecvWorker()
	}
}

func chanRecvWorker() {
	arrived.Add(1)
	<-chanRecvCh
	writes(kChanRecv)
	finished.Add(1)
}

func selectWorker() {
	arrived.Add(1)
	select {
	case <-selA:
	case <-selB:
	}
	writes(kSelect)
	finished.Add(1)
}

func mutexWorker() {
	arrived.Add(1)
	mu.Lock()
	mu.Unlock()
	writes(kMutex)
	finished.Add(1)
}

func sleepWorker() {
	arrived.Add(1)
	time.Sleep(20 * time.Millisecond)
	writes(kSleep)
	finished.Add(1)
}

func netWorker() {
	c := srvConns[netNext.Add(1)-1]
	arrived.Add(1)
	var b [1]byte
	if m, err := c.Read(b[:]); m != 1 || err != nil {
		die("read: %d, %v", m, err)
	}
	writes(kNet)
	finished.Add(1)
}

// The waits below spin with runtime.Gosched: no gopark (see the top).
// After the first 64 rounds each round also sleeps 50 us in a blocking
// nanosleep(2) (a syscall, not a park as time.Sleep would be), so that
// main's rescheduling, and the events a tracer sees for it, stay few.

var deadline time.Time
var yields int

func spinUntil(what string, cond func() bool) {
	for i := 0; !cond(); i++ {
		yields++
		runtime.Gosched()
		if i >= 64 {
			ts := syscall.Timespec{Nsec: 50000}
			syscall.Nanosleep(&ts, nil)
		}
		if i%256 == 0 && time.Now().After(deadline) {
			die("timed out waiting for %s", what)
		}
	}
}

// Goroutine states of runtime.Stack that are not a park.
var notParked = map[string]bool{"idle": true, "runnable": true, "running": true,
	"syscall": true, "waiting": true, "dead": true, "copystack": true, "preempted": true}

// parkedIn: the states of the goroutines with a frame of fn that are
// parked, by state, and how many they are.
func parkedIn(fn string) (map[string]int, int) {
	var m int
	for {
		m = runtime.Stack(stackBuf, true)
		if m < len(stackBuf) {
			break
		}
		stackBuf = make([]byte, 2*len(stackBuf))
	}
	frame := []byte("\n" + fn + "(")
	states := map[string]int{}
	total := 0
	for _, blk := range bytes.Split(stackBuf[:m], []byte("\n\n")) {
		if !bytes.Contains(blk, frame) {
			continue
		}
		// "goroutine 7 [chan receive]:" or "[select, 2 minutes]:"
		i := bytes.IndexByte(blk, '[')
		j := bytes.IndexAny(blk, ",]")
		if i < 0 || j < i {
			continue
		}
		st := string(blk[i+1 : j])
		if !notParked[st] {
			states[st]++
			total++
		}
	}
	return states, total
}

// waitParked: until all n goroutines of the current kind are parked in fn;
// returns the state they show.
func waitParked(fn string) string {
	spinUntil(fn+" to start", func() bool { return arrived.Load() == int32(n) })
	var states map[string]int
	spinUntil(fn+" to park", func() bool {
		var total int
		states, total = parkedIn(fn)
		for i := 0; i < 16 && total < n; i++ {
			runtime.Gosched()
		}
		return total == n
	})
	if len(states) != 1 {
		die("%s parked in several states: %v", fn, states)
	}
	for st := range states {
		return st
	}
	return ""
}

type truth struct {
	N          int               `json:"n"`
	Go         string            `json:"go"`
	Cycles     int               `json:"cycles"`
	Created    int               `json:"created"`
	Exited     int               `json:"exited"`
	ByStart    map[string]int    `json:"by_start"`
	ByCreator  map[string]int    `json:"by_creator"`
	Writes     map[string]int    `json:"writes"`
	Reasons    map[string]string `json:"reasons"`
	Blocked    map[string]int    `json:"blocked"`
	MainParks  int               `json:"main_parks"`
	Yields     int               `json:"yields"`
	ExecStatus int               `json:"exec_status"`
}

//go:noinline
func growStack(i int) byte {
	var buf [16 << 10]byte
	buf[i%len(buf)] = byte(i)
	return buf[(7*i)%len(buf)]
}

func growPhase(g int, stop chan os.Signal) {
	done := make(chan byte)
	for i := 0; i < g; i++ {
		go func(i int) { done <- growStack(i) }(i)
		<-done
	}
	fmt.Printf("grew %d\n", g)
	<-stop
}

func main() {
	flag.IntVar(&n, "n", 10, "goroutines per kind")
	wait := flag.Bool("wait-signal", false, `print "ready <pid>" and start at SIGUSR1`)
	asJSON := flag.Bool("json", false, "print the ground truth as one JSON object")
	hold := flag.Bool("hold", false, "after the phase, stay alive until SIGTERM or SIGINT")
	loop := flag.Bool("loop", false, `repeat the phase until SIGTERM or SIGINT, "cycle <k>" after each`)
	execProg := flag.String("exec", "", "run PROG (no arguments) with os/exec at the start of the phase")
	grow := flag.Int("grow", 0, "instead of the phase: N goroutines that each grow their stack once")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(),
			"usage: %s [-n N] [--wait-signal] [--json] [--hold] [--loop] [--exec PROG]\n"+
				"       %s --grow N [--wait-signal]\n", os.Args[0], os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 || n < 1 {
		flag.Usage()
		os.Exit(2)
	}

	var err error
	devnull, err = syscall.Open("/dev/null", syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		die("/dev/null: %v", err)
	}

	// N connected loopback pairs, set up before the phase (connect and
	// accept park in "IO wait").
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		die("listen: %v", err)
	}
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			die("dial: %v", err)
		}
		s, err := ln.Accept()
		if err != nil {
			die("accept: %v", err)
		}
		cliConns = append(cliConns, c)
		srvConns = append(srvConns, s)
	}
	ln.Close()

	if !*loop {
		debug.SetGCPercent(-1)
	}
	// Every signal.Notify before the phase: see the top.
	stop := make(chan os.Signal, 1)
	if *hold || *loop || *grow > 0 {
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	}
	start := make(chan os.Signal, 1)
	if *wait {
		signal.Notify(start, syscall.SIGUSR1)
	}
	baseline := runtime.NumGoroutine()
	t := truth{N: n, Go: runtime.Version(), ExecStatus: -1,
		ByStart: map[string]int{}, ByCreator: map[string]int{},
		Writes: map[string]int{"main.spawner": kSpawner, "main.chanRecvWorker": kChanRecv,
			"main.selectWorker": kSelect, "main.mutexWorker": kMutex,
			"main.sleepWorker": kSleep, "main.netWorker": kNet},
		Reasons: map[string]string{}, Blocked: map[string]int{}}
	gone := func() bool { return runtime.NumGoroutine() == baseline }
	allDone := func() bool { return finished.Load() == int32(n) }
	parked := func(fn string) {
		st := waitParked(fn)
		if old, ok := t.Reasons[fn]; ok && old != st {
			die("%s parked in %q, earlier in %q", fn, st, old)
		}
		t.Reasons[fn] = st
		t.Blocked[st] += n
	}
	next := func() {
		arrived.Store(0)
		finished.Store(0)
	}

	if *wait {
		fmt.Printf("ready %d\n", os.Getpid())
		<-start
	}
	if *grow > 0 {
		growPhase(*grow, stop)
		return
	}

	for cycle := 1; ; cycle++ {
		deadline = time.Now().Add(5 * time.Minute)

		if *execProg != "" {
			err := exec.Command(*execProg).Run()
			if ee, ok := err.(*exec.ExitError); ok {
				t.ExecStatus = ee.ExitCode()
			} else if err != nil {
				die("%s: %v", *execProg, err)
			} else {
				t.ExecStatus = 0
			}
		}

		// chan receive, created by main.spawner.
		next()
		go spawner()
		parked("main.chanRecvWorker")
		for i := 0; i < n; i++ {
			chanRecvCh <- i
		}
		spinUntil("chanRecvWorker", allDone)
		spinUntil("spawner and chanRecvWorker to exit", gone)

		// select
		next()
		for i := 0; i < n; i++ {
			go selectWorker()
		}
		parked("main.selectWorker")
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				selA <- i
			} else {
				selB <- i
			}
		}
		spinUntil("selectWorker", allDone)
		spinUntil("selectWorker to exit", gone)

		// sync.Mutex
		next()
		mu.Lock()
		for i := 0; i < n; i++ {
			go mutexWorker()
		}
		parked("main.mutexWorker")
		mu.Unlock()
		spinUntil("mutexWorker", allDone)
		spinUntil("mutexWorker to exit", gone)

		// time.Sleep: not observed parked, they may wake first.
		next()
		for i := 0; i < n; i++ {
			go sleepWorker()
		}
		spinUntil("sleepWorker", allDone)
		spinUntil("sleepWorker to exit", gone)
		t.Reasons["main.sleepWorker"] = "sleep"
		t.Blocked["sleep"] += n

		// IO wait
		next()
		netNext.Store(0)
		for i := 0; i < n; i++ {
			go netWorker()
		}
		parked("main.netWorker")
		for _, c := range cliConns {
			if _, err := c.Write([]byte{1}); err != nil {
				die("write to a connection: %v", err)
			}
		}
		spinUntil("netWorker", allDone)
		spinUntil("netWorker to exit", gone)

		t.Cycles = cycle
		t.Created += 5*n + 1
		t.Exited += 5*n + 1
		t.ByStart["main.spawner"]++
		t.ByCreator["main.main"] += 4*n + 1
		t.ByCreator["main.spawner"] += n
		for _, fn := range []string{"main.chanRecvWorker", "main.selectWorker",
			"main.mutexWorker", "main.sleepWorker", "main.netWorker"} {
			t.ByStart[fn] += n
		}
		if !*loop {
			break
		}
		fmt.Printf("cycle %d\n", cycle)
		select {
		case <-stop:
			*hold = false
		default:
			time.Sleep(10 * time.Millisecond)
			continue
		}
		break
	}

	t.Yields = yields
	if *asJSON {
		out, err := json.Marshal(&t)
		if err != nil {
			die("json: %v", err)
		}
		os.Stdout.Write(append(out, '\n'))
	} else {
		var rs []string
		for fn, st := range t.Reasons {
			rs = append(rs, fmt.Sprintf("%s=%q", fn, st))
		}
		sort.Strings(rs)
		fmt.Printf("done n=%d cycles=%d created=%d exited=%d %v\n",
			n, t.Cycles, t.Created, t.Exited, rs)
	}
	if *hold {
		<-stop
	}
}
