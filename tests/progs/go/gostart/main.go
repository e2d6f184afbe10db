// SPDX-License-Identifier: GPL-2.0

// gostart: ground truth for goroutine start functions as Go names them.
//
//	gostart [-n N] [--wait-signal] [--json]
//
// One phase starts goroutines the way services write go statements, N
// (default 5) of each kind but two, and waits until every one of them has
// exited (runtime.NumGoroutine back to its value before the phase):
//
//	go statement                         in                    start function as Go names it   count
//	go worker(jobs, &wg)                 main.runWorkers       main.worker                     N
//	go s.accept(ln)                      main.runServer        main.(*server).accept           1
//	go s.serve(conn) (pointer receiver)  main.(*server).accept main.(*server).serve            N
//	go func() { ... captured ... }()     main.runClosures      main.runClosures.func1          N
//	go func(id int) { ... }(i)           main.runIndexed       main.runIndexed.func1           N
//	go st.report(done) (value receiver)  main.main             main.stats.report               1
//	go pinger(c, i) (small: Go 1.22+     main.runPingers       main.pinger                     N
//	  inlines it into the go wrapper)
//	go hs.Serve(ln) (net/http)           main.runHTTP          net/http.(*Server).Serve        1
//	(one per HTTP connection)            net/http              net/http.(*conn).serve          N
//
// Every go statement with arguments (all but the closure without
// arguments) makes the compiler start a wrapper of its own instead, named
// like main.runWorkers.func1 (Go 1.19 to 1.21) or main.runWorkers.gowrap1
// (Go 1.22 on); Go's tracebacks and goroutine profiles skip the wrapper
// and show the function it calls, as the table does. The closure without
// arguments is what its goroutine runs and keeps its own name. The
// closure with an argument is reached through a wrapper too.
//
// The HTTP server answers N requests from N raw TCP connections of this
// program ("Connection: close", so one connection per request and no
// client goroutines); net/http starts one goroutine per connection (and
// may start others, such as a background reader per request, which are
// not counted here). The count of net/http.(*conn).serve is the number of
// connections the server saw (http.Server.ConnState, StateNew).
//
// Output: "ready <pid>" with --wait-signal, the phase at SIGUSR1; then
// one line "done n=N go=VERSION", or with --json one JSON object:
//
//	{"n":5,"go":"go1.23.5","by_start":{"main.worker":5,...},
//	 "by_creator":{"main.runWorkers":5,...}}
//
// by_start holds the start functions of the table and their counts,
// by_creator the functions holding their go statements (net/http's
// Serve for the connections). Exit status 2: usage; 1: an error (a wait
// that takes over 5 minutes is one).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "gostart: "+format+"\n", a...)
	os.Exit(1)
}

// ---- workers: a function with arguments ----------------------------

type job struct {
	id   int
	data []byte
}

func worker(jobs <-chan job, results chan<- int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		sum := 0
		for _, b := range j.data {
			sum += int(b)
		}
		results <- sum + j.id
	}
}

func runWorkers(n int) {
	jobs := make(chan job)
	results := make(chan int, 4*n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go worker(jobs, results, &wg)
	}
	for i := 0; i < 4*n; i++ {
		jobs <- job{id: i, data: []byte("payload")}
	}
	close(jobs)
	wg.Wait()
	close(results)
	for range results {
	}
}

// ---- a TCP server: methods with pointer receivers ------------------

type server struct {
	name   string
	served atomic.Int32
	wg     sync.WaitGroup
}

func (s *server) accept(ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go s.serve(c)
	}
}

func (s *server) serve(c net.Conn) {
	defer s.wg.Done()
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	s.served.Add(1)
	fmt.Fprintf(c, "%s: %s", s.name, strings.ToUpper(line))
}

func runServer(n int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		die("listen: %v", err)
	}
	s := &server{name: "echo"}
	s.wg.Add(1)
	go s.accept(ln)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			die("dial: %v", err)
		}
		fmt.Fprintf(c, "hello %d\n", i)
		if _, err := io.ReadAll(c); err != nil {
			die("read: %v", err)
		}
		c.Close()
	}
	ln.Close()
	s.wg.Wait()
	if int(s.served.Load()) != n {
		die("echo server served %d of %d", s.served.Load(), n)
	}
}

// ---- closures -------------------------------------------------------

func runClosures(n int) {
	var total atomic.Int64
	var wg sync.WaitGroup
	prefix := "item"
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			total.Add(int64(len(prefix)))
		}()
	}
	wg.Wait()
	if total.Load() != int64(n*len(prefix)) {
		die("closures added %d", total.Load())
	}
}

func runIndexed(n int) {
	out := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			out[id] = id * id
		}(i)
	}
	wg.Wait()
	for i, v := range out {
		if v != i*i {
			die("indexed closure %d wrote %d", i, v)
		}
	}
}

// ---- a method with a value receiver --------------------------------

type stats struct {
	label string
	count int
}

func (st stats) report(done chan<- string) {
	done <- fmt.Sprintf("%s=%d", st.label, st.count)
}

// ---- a function small enough to be inlined -------------------------

func pinger(c chan<- int, i int) {
	c <- i
}

func runPingers(n int) {
	c := make(chan int)
	for i := 0; i < n; i++ {
		go pinger(c, i)
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-c
	}
	if sum != n*(n-1)/2 {
		die("pingers sent %d", sum)
	}
}

// ---- net/http --------------------------------------------------------

func runHTTP(n int) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		die("listen: %v", err)
	}
	var conns atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s\n", r.URL.Query().Get("name"))
	})
	hs := &http.Server{Handler: mux, ConnState: func(c net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}}
	go hs.Serve(ln)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			die("dial: %v", err)
		}
		fmt.Fprintf(c, "GET /hello?name=%d HTTP/1.1\r\nHost: gostart\r\nConnection: close\r\n\r\n", i)
		body, err := io.ReadAll(c)
		if err != nil || !strings.Contains(string(body), fmt.Sprintf("hello %d", i)) {
			die("http request %d: %v %q", i, err, body)
		}
		c.Close()
	}
	// Serve returns (and its goroutine exits) once the listener is closed.
	if err := hs.Close(); err != nil {
		die("http server: %v", err)
	}
	return int(conns.Load())
}

// ---- main ------------------------------------------------------------

type truth struct {
	N         int            `json:"n"`
	Go        string         `json:"go"`
	ByStart   map[string]int `json:"by_start"`
	ByCreator map[string]int `json:"by_creator"`
}

func waitUntil(what string, cond func() bool) {
	deadline := time.Now().Add(5 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			die("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func main() {
	n := flag.Int("n", 5, "goroutines per kind")
	wait := flag.Bool("wait-signal", false, `print "ready <pid>" and start at SIGUSR1`)
	asJSON := flag.Bool("json", false, "print the ground truth as one JSON object")
	flag.Parse()
	if flag.NArg() != 0 || *n < 1 {
		fmt.Fprintf(os.Stderr, "usage: %s [-n N] [--wait-signal] [--json]\n", os.Args[0])
		os.Exit(2)
	}
	if *wait {
		start := make(chan os.Signal, 1)
		signal.Notify(start, syscall.SIGUSR1)
		fmt.Printf("ready %d\n", os.Getpid())
		<-start
		signal.Stop(start)
	}
	baseline := runtime.NumGoroutine()

	runWorkers(*n)
	runServer(*n)
	runClosures(*n)
	runIndexed(*n)
	done := make(chan string)
	go stats{label: "phases", count: 4}.report(done)
	<-done
	runPingers(*n)
	conns := runHTTP(*n)

	// Every goroutine of the phase has exited (net/http's too).
	waitUntil("the phase's goroutines to exit", func() bool {
		return runtime.NumGoroutine() <= baseline
	})

	t := truth{N: *n, Go: runtime.Version(),
		ByStart: map[string]int{
			"main.worker":              *n,
			"main.(*server).accept":    1,
			"main.(*server).serve":     *n,
			"main.runClosures.func1":   *n,
			"main.runIndexed.func1":    *n,
			"main.stats.report":        1,
			"main.pinger":              *n,
			"net/http.(*Server).Serve": 1,
			"net/http.(*conn).serve":   conns,
		},
		ByCreator: map[string]int{
			"main.runWorkers":          *n,
			"main.runServer":           1,
			"main.(*server).accept":    *n,
			"main.runClosures":         *n,
			"main.runIndexed":          *n,
			"main.main":                1,
			"main.runPingers":          *n,
			"main.runHTTP":             1,
			"net/http.(*Server).Serve": conns,
		}}
	if *asJSON {
		out, err := json.Marshal(&t)
		if err != nil {
			die("json: %v", err)
		}
		os.Stdout.Write(append(out, '\n'))
	} else {
		fmt.Printf("done n=%d go=%s\n", t.N, t.Go)
	}
}
