// SPDX-License-Identifier: GPL-2.0

// gobusy: the sample "Go service" for demos and soak tests.
//
//	gobusy [--port P] [--goroutines N] [--burst B] [--clients C] [--seconds S]
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
// 1 ms after every B round trips, default 1000, so the service does not
// monopolise the CPUs; --burst 0 never sleeps), and C
// in-process HTTP clients (default 0) requesting "/" in a loop. It runs
// for S seconds (default 10; 0: until SIGINT or SIGTERM, which also end a
// timed run early), then prints
//
//	counters requests=<requests served> pingpongs=<round trips>
//
// and exits 0. With --wait-signal the listener is set up, "ready <pid>"
// printed, and the work (and the S seconds) start at SIGUSR1.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var requests, pingpongs int64

func counters() string {
	return fmt.Sprintf("counters requests=%d pingpongs=%d",
		atomic.LoadInt64(&requests), atomic.LoadInt64(&pingpongs))
}

func pingpong(stop <-chan struct{}, wg *sync.WaitGroup, burst int64) {
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
			time.Sleep(time.Millisecond)
		} else if local == 4096 {
			atomic.AddInt64(&pingpongs, local)
			local = 0
		}
	}
}

func client(url string, stop <-chan struct{}, wg *sync.WaitGroup) {
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
	}
}

func main() {
	port := flag.Int("port", 18080, "TCP port on 127.0.0.1 (0: any, printed)")
	pairs := flag.Int("goroutines", 4, "goroutine pairs doing channel ping-pong")
	burst := flag.Int64("burst", 1000, "ping-pong round trips between 1 ms sleeps (0: never sleep)")
	clients := flag.Int("clients", 0, "in-process HTTP clients requesting / in a loop")
	seconds := flag.Float64("seconds", 10, "run time in seconds (0: until SIGINT/SIGTERM)")
	wait := flag.Bool("wait-signal", false, `print "ready <pid>" and start at SIGUSR1`)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(),
			"usage: %s [--port P] [--goroutines N] [--burst B] [--clients C] [--seconds S]\n"+
				"       [--wait-signal]\n",
			os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 || *port < 0 || *port > 65535 || *pairs < 0 || *burst < 0 || *clients < 0 || *seconds < 0 {
		flag.Usage()
		os.Exit(2)
	}

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
		go pingpong(stop, &wg, *burst)
	}
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go client("http://"+addr+"/", stop, &wg)
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
	srv.Close()
	fmt.Println(counters())
}
