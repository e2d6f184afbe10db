// SPDX-License-Identifier: GPL-2.0

// httpd: a Go HTTP server on loopback, the network workload of
// `make bench`.
//
//	httpd [-port PORT] [--trace FILE]
//
// It serves a small fixed body on every path from 127.0.0.1:PORT
// (default 0: a free port the kernel picks), prints
//
//	ready pid=PID port=PORT
//
// once it is listening, and runs until SIGTERM or SIGINT, after which it
// prints "requests=N" (requests served) and exits 0. Each connection is a
// goroutine of net/http; each request parks it in netpoll ("IO wait")
// and readies it again, and the handler runs on it. With --trace FILE,
// runtime/trace records everything from before the listener opens to the
// signal into FILE.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/trace"
	"strconv"
	"sync/atomic"
	"syscall"
)

var body = []byte("hello from godiag's bench\n")

func main() {
	port := flag.Int("port", 0, "listen on 127.0.0.1:`PORT` (0: any free port)")
	traceFile := flag.String("trace", "", "record a runtime/trace into `FILE`")
	flag.Parse()
	if flag.NArg() != 0 || *port < 0 || *port > 65535 {
		flag.Usage()
		os.Exit(2)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)

	var tf *os.File
	if *traceFile != "" {
		var err error
		if tf, err = os.Create(*traceFile); err != nil {
			fmt.Fprintln(os.Stderr, "httpd:", err)
			os.Exit(1)
		}
		if err = trace.Start(tf); err != nil {
			fmt.Fprintln(os.Stderr, "httpd: trace.Start:", err)
			os.Exit(1)
		}
	}

	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "httpd:", err)
		os.Exit(1)
	}
	var served atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	srv := &http.Server{Handler: mux}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Printf("ready pid=%d port=%d\n", os.Getpid(), ln.Addr().(*net.TCPAddr).Port)

	select {
	case <-sig:
	case err = <-done:
		fmt.Fprintln(os.Stderr, "httpd: serve:", err)
		os.Exit(1)
	}
	// Close, not Shutdown: wrk is done by the time the signal comes, and
	// idle keep-alive connections need not be waited for.
	srv.Close()
	if tf != nil {
		trace.Stop()
		if err := tf.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "httpd:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("requests=%d\n", served.Load())
}
