// SPDX-License-Identifier: GPL-2.0

// gotrig: a small HTTP service whose one request path sometimes waits in
// a slow syscall, for flight recorder triggers (godiagctl flight start
// --trigger 'syscall:flock>10ms').
//
//	gotrig [-storm N]
//
// It serves on 127.0.0.1 (a free port): /ok answers at once; /report
// appends a line to a state file under an exclusive flock(2); with
// ?contended=1 a compactor goroutine takes that lock first and holds it
// 40ms, so the handler waits in flock for about that long; /fail reports
// an error through (*server).onError.
//
// It prints "ready <pid>", then for each SIGUSR1 it sends itself one
// storm: N contended /report requests (default 20) one after the other
// and one /fail, then prints "storm K reports N failed 1". SIGTERM ends
// it (exit 0) after "bye".
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

type server struct {
	path   string
	mu     sync.Mutex
	lines  int
	errors int
}

// lock opens the state file and takes its exclusive flock: the syscall
// waits while another open file of it holds the lock.
func (s *server) lock() (*os.File, error) {
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// compact holds the lock for hold, as a maintenance job would.
func (s *server) compact(held chan<- struct{}, hold time.Duration) {
	f, err := s.lock()
	if err != nil {
		close(held)
		return
	}
	close(held)
	time.Sleep(hold)
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	f.Close()
}

func (s *server) report(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("contended") == "1" {
		held := make(chan struct{})
		go s.compact(held, 40*time.Millisecond)
		<-held
	}
	f, err := s.lock()
	if err != nil {
		s.onError(err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	s.mu.Lock()
	s.lines++
	n := s.lines
	s.mu.Unlock()
	fmt.Fprintf(f, "report %d\n", n)
	fmt.Fprintf(w, "%d\n", n)
}

//go:noinline
func (s *server) onError(err error) {
	s.mu.Lock()
	s.errors++
	s.mu.Unlock()
}

func (s *server) fail(w http.ResponseWriter, r *http.Request) {
	s.onError(errors.New("the backend said no"))
	http.Error(w, "failed", http.StatusBadGateway)
}

func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func main() {
	storm := flag.Int("storm", 20, "contended reports per SIGUSR1")
	flag.Parse()

	dir, err := os.MkdirTemp("", "gotrig")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	s := &server{path: filepath.Join(dir, "state")}
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/report", s.report)
	mux.HandleFunc("/fail", s.fail)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	go http.Serve(ln, mux)
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: time.Minute}

	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGTERM)
	fmt.Println("ready", os.Getpid())
	storms := 0
	for v := range sig {
		if v == syscall.SIGTERM {
			break
		}
		storms++
		reports, failed := 0, 0
		for i := 0; i < *storm; i++ {
			if get(client, base+"/report?contended=1") == nil {
				reports++
			}
		}
		if get(client, base+"/fail") == nil {
			failed++
		}
		get(client, base+"/ok")
		fmt.Printf("storm %d reports %d failed %d\n", storms, reports, failed)
	}
	fmt.Println("bye")
}
