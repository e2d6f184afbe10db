// SPDX-License-Identifier: GPL-2.0

// gobusy: the sample "Go service" for demos and soak tests.
//
//	gobusy [--port P] [--goroutines N] [--burst B] [--burst-sleep D]
//	       [--clients C] [--client-pause D] [--seconds S] [--spawn-rate R]
//	       [--wait-signal]
//
// An HTTP server on 127.0.0.1:P (default 18080; 0 picks a free port and
// prints "listening 127.0.0.1:<port>") with the handlers
//
//	/           "ok"
//	/sleep?ms=M sleeps M ms (at most 10 s), then "ok"
//	/counters   the counters line
//
// plus N goroutine pairs (default 4) doing channel ping-pong (a pair sleeps
// 1 ms, or --burst-sleep D, after every B round trips, default 1000, so the
// service does not monopolise the CPUs; --burst 0 never sleeps), and C
// in-process HTTP clients (default 0) requesting "/" in a loop, pausing
// --client-pause D (default 0) between requests. The sleeps set how many
// scheduling events the service makes per second, which a long capture
// (make soak) must bound to keep its file in memory. With
// --spawn-rate R (default 0: none), a goroutine running main.spawner starts
// about R short-lived goroutines per second, each running main.soakWorker:
// exactly one getppid(2), then exit. Nothing else in gobusy (or the Go
// runtime, or net/http) calls getppid, so a tracer's counts of those
// goroutines and of getppid can be checked exactly against the counters
// (make soak does). It runs for S seconds (default 10; 0: until SIGINT or
// SIGTERM, which also end a timed run early), then prints
//
//	counters requests=<requests served> pingpongs=<round trips>
//
// (with --spawn-rate, followed by " spawned=<soakWorker goroutines
// started> getppids=<getppid calls they made>") and exits 0. Before that
// line every soakWorker has exited: main waits until none is left, past
// the runtime's goroutine exit, so a capture that ends when gobusy exits
// has seen every one of them exit. With --wait-signal the listener is set
// up, "ready <pid>" printed, and the work (and the S seconds) start at
// SIGUSR1.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var requests, pingpongs int64

// Counters of --spawn-rate: soakWorker goroutines started (counted by the
// spawner at its go statement) and getppid calls they made.
var spawnOn bool
var spawned, getppids int64
var workers sync.WaitGroup

func counters() string {
	s := fmt.Sprintf("counters requests=%d pingpongs=%d",
		atomic.LoadInt64(&requests), atomic.LoadInt64(&pingpongs))
	if spawnOn {
		s += fmt.Sprintf(" spawned=%d getppids=%d",
			atomic.LoadInt64(&spawned), atomic.LoadInt64(&getppids))
	}
	return s
}

// soakWorker makes one getppid(2) and exits. It takes no arguments so
// that `go soakWorker()` starts this very function (a go statement with
// arguments starts a compiler-made wrapper on Go 1.21 and later), and a
// tracer names it main.soakWorker.
func soakWorker() {
	syscall.Getppid()
	atomic.AddInt64(&getppids, 1)
	workers.Done()
}

// spawner starts a soakWorker every `every` until stop is closed. A
// ticker drops ticks when the spawner falls behind (a loaded machine), so
// the rate is at most 1/every; the counters say how many really started.
func spawner(stop <-chan struct{}, wg *sync.WaitGroup, every time.Duration) {
	defer wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			workers.Add(1)
			atomic.AddInt64(&spawned, 1)
			go soakWorker()
		}
	}
}

// workersGone waits, at most `limit`, until no goroutine runs
// main.soakWorker any more. workers.Wait() returns when the last one
// called Done, which is before it returns and the runtime retires it
// (runtime.goexit1); runtime.Stack lists a goroutine until it is dead.
func workersGone(limit time.Duration) bool {
	buf := make([]byte, 1<<20)
	for end := time.Now().Add(limit); ; {
		n := runtime.Stack(buf, true)
		for n == len(buf) {
			buf = make([]byte, 2*len(buf))
			n = runtime.Stack(buf, true)
		}
		if !strings.Contains(string(buf[:n]), "main.soakWorker(") {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}

func pingpong(stop <-chan struct{}, wg *sync.WaitGroup, burst int64, pause time.Duration) {
	defer wg.Done()
	ping := make(chan int)
	pong := make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	var local int64
	defer func() {
		close(ping)
		for range pong {
		}
		atomic.AddInt64(&pingpongs, local)
	}()
	for v := 0; ; {
		select {
		case <-stop:
			return
		case ping <- v:
		}
		v = <-pong
		local++
		if burst > 0 && local%burst == 0 {
			atomic.AddInt64(&pingpongs, local)
			local = 0
			time.Sleep(pause)
		} else if local == 4096 {
			atomic.AddInt64(&pingpongs, local)
			local = 0
		}
	}
}

func client(url string, stop <-chan struct{}, wg *sync.WaitGroup, pause time.Duration) {
	defer wg.Done()
	c := &http.Client{Timeout: 5 * time.Second}
	for {
		select {
		case <-stop:
			return
		default:
		}
		resp, err := c.Get(url)
		if err != nil {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if pause > 0 {
			select {
			case <-stop:
				return
			case <-time.After(pause):
			}
		}
	}
}

func main() {
	port := flag.Int("port", 18080, "TCP port on 127.0.0.1 (0: any, printed)")
	pairs := flag.Int("goroutines", 4, "goroutine pairs doing channel ping-pong")
	burst := flag.Int64("burst", 1000, "ping-pong round trips between sleeps (0: never sleep)")
	burstSleep := flag.Duration("burst-sleep", time.Millisecond, "a ping-pong pair's sleep after each burst")
	clients := flag.Int("clients", 0, "in-process HTTP clients requesting / in a loop")
	clientPause := flag.Duration("client-pause", 0, "a client's pause between requests")
	seconds := flag.Float64("seconds", 10, "run time in seconds (0: until SIGINT/SIGTERM)")
	spawnRate := flag.Float64("spawn-rate", 0, "soakWorker goroutines started per second, one getppid each (0: none)")
	wait := flag.Bool("wait-signal", false, `print "ready <pid>" and start at SIGUSR1`)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(),
			"usage: %s [--port P] [--goroutines N] [--burst B] [--burst-sleep D]\n"+
				"       [--clients C] [--client-pause D] [--seconds S] [--spawn-rate R]\n"+
				"       [--wait-signal]\n",
			os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 || *port < 0 || *port > 65535 || *pairs < 0 || *burst < 0 || *clients < 0 || *seconds < 0 ||
		*burstSleep < 0 || *clientPause < 0 ||
		*spawnRate < 0 || *spawnRate > 1e6 {
		flag.Usage()
		os.Exit(2)
	}

	// Before any goroutine can read it (the /counters handler).
	spawnOn = *spawnRate > 0

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gobusy:", err)
		os.Exit(1)
	}
	addr := ln.Addr().String()
	if *port == 0 {
		fmt.Printf("listening %s\n", addr)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(&requests, 1)
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/sleep", func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(&requests, 1)
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		if ms < 0 {
			ms = 0
		} else if ms > 10000 {
			ms = 10000
		}
		time.Sleep(time.Duration(ms) * time.Millisecond)
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/counters", func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(&requests, 1)
		io.WriteString(w, counters()+"\n")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	if *wait {
		start := make(chan os.Signal, 1)
		signal.Notify(start, syscall.SIGUSR1)
		fmt.Printf("ready %d\n", os.Getpid())
		select {
		case <-start:
		case <-sigs:
			fmt.Println(counters())
			return
		}
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < *pairs; i++ {
		wg.Add(1)
		go pingpong(stop, &wg, *burst, *burstSleep)
	}
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go client("http://"+addr+"/", stop, &wg, *clientPause)
	}
	if spawnOn {
		wg.Add(1)
		go spawner(stop, &wg, time.Duration(float64(time.Second) / *spawnRate))
	}

	var timeout <-chan time.Time
	if *seconds > 0 {
		timeout = time.After(time.Duration(*seconds * float64(time.Second)))
	}
	select {
	case <-timeout:
	case <-sigs:
	case err := <-served:
		fmt.Fprintln(os.Stderr, "gobusy: serve:", err)
		os.Exit(1)
	}
	close(stop)
	wg.Wait()
	workers.Wait()
	if spawnOn && !workersGone(10*time.Second) {
		fmt.Fprintln(os.Stderr, "gobusy: soakWorker goroutines still alive 10 s after their last Done")
	}
	srv.Close()
	fmt.Println(counters())
}
