// SPDX-License-Identifier: GPL-2.0

// godump: goroutines parked in known states, for `godiagctl goroutines`.
//
//	godump TRUTH STATUS
//
// The program first starts one goroutine that leaks (main.leak, blocked
// on a channel nobody sends on), waits until it is parked, turns the GC
// off and forces two GCs (a GC that sees a goroutine blocked notes the
// time of the GC before it in g.waitsince, which Go's own tracebacks
// show), so that the leak has a wait time and no later goroutine gets
// one. It then waits at
// least LeakAge (one second) before it starts the others:
//
//	go statement                          blocked in              count
//	go w.receive(jobs) (method)           chan receive            NRecv
//	go func(i int) { results <- i }(i)    chan send               NSend
//	  (in main.startSenders)
//	go locker(&mu, i)                     sync.Mutex.Lock         NMutex
//	                                      (semacquire before 1.20)
//	go func() { time.Sleep(time.Hour) }() sleep                   NSleep
//	  (in main.startSleepers)
//	go deep(Depth, stop)                  chan receive, with      1
//	                                      main.deep Depth+1 times
//	net/http: Serve and one goroutine     IO wait                 1 + NConn
//	per idle keep-alive connection
//	go hb.run(status)                     varies (the heartbeat)  1
//
// When its own runtime.Stack(all) shows them all parked, it writes that
// text to TRUTH (after a first line "godump pid=P go=VERSION leak=ID
// heartbeat=ID"), then main blocks on `select {}`.
//
// The heartbeat sleeps a millisecond at a time and counts; every 20 beats
// it rewrites STATUS as "beats=N traced=T" where T is how many times it
// saw a tracer in /proc/self/status (TracerPid != 0): a reader that stops
// the program (ptrace, SIGSTOP) shows as a heartbeat that does not move
// while it runs, or as a tracer.
//
//	godump -gc K -figures FIGURES TRUTH STATUS
//
// does the same, then turns the GC back on (to what GOGC says), forces K
// GCs and writes what its own runtime says of itself to FIGURES, lines
// "name=value" from runtime.ReadMemStats, runtime/metrics (the metrics
// this Go has), runtime.NumGoroutine and runtime.GOMAXPROCS, ending with
// "end". From then on it allocates nothing, so no GC comes, but the
// runtime may (a new thread's m and g are allocated from the heap): its
// heartbeat writes STATUS in place each 20 beats, with what
// runtime.ReadMemStats says of the heap then (see runQuiet), and looks
// for no tracer.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	NRecv   = 5
	NSend   = 3
	NMutex  = 4
	NSleep  = 6
	NConn   = 2
	Depth   = 7
	LeakAge = time.Second
)

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "godump: "+format+"\n", a...)
	os.Exit(1)
}

//go:noinline
func leak(c <-chan struct{}) {
	<-c
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

//go:noinline
func deep(n int, stop <-chan struct{}) int {
	if n == 0 {
		<-stop
		return 0
	}
	return deep(n-1, stop) + 1
}

func startSenders(results chan<- int) {
	for i := 0; i < NSend; i++ {
		go func(i int) { results <- i }(i)
	}
}

func startSleepers() {
	for i := 0; i < NSleep; i++ {
		go func() { time.Sleep(time.Hour) }()
	}
}

type heartbeat struct {
	mu     sync.Mutex
	beats  int64
	traced int64
	ms     runtime.MemStats // runQuiet's, made before it runs
}

func tracerPid() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "TracerPid:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "TracerPid:"))
		}
	}
	return "?"
}

func (h *heartbeat) run(status string) {
	for {
		time.Sleep(time.Millisecond)
		h.mu.Lock()
		h.beats++
		n := h.beats
		h.mu.Unlock()
		if n%20 != 0 {
			continue
		}
		if tracerPid() != "0" {
			h.traced++
		}
		tmp := status + ".tmp"
		s := fmt.Sprintf("beats=%d traced=%d\n", n, h.traced)
		if err := os.WriteFile(tmp, []byte(s), 0o644); err == nil {
			os.Rename(tmp, status)
		}
	}
}

// runQuiet is run without allocating: STATUS was opened before, the
// line is written in place into a buffer made before, each number
// fixed-width: "beats=N heapinuse=H numgc=G ms=M end=N". H and G are
// what runtime.ReadMemStats says then (HeapInuse, NumGC), M how many Ms
// (threads) the runtime has (runtime.ThreadCreateProfile's count), and
// N twice so that a reader can tell a line it read while it was written.
// A reader that sees the same H, G and M in a line written before it
// read the process and in one written after knows they held throughout:
// with no GC, HeapInuse only grows (spans are freed by sweeping, which
// follows a GC), so equal at both ends is equal in between.
func (h *heartbeat) runQuiet(f *os.File) {
	buf := make([]byte, 0, 256)
	for {
		time.Sleep(time.Millisecond)
		h.mu.Lock()
		h.beats++
		n := h.beats
		h.mu.Unlock()
		if n%20 != 0 {
			continue
		}
		runtime.ReadMemStats(&h.ms)
		ms, _ := runtime.ThreadCreateProfile(nil)
		buf = appendPadded(append(buf[:0], "beats="...), uint64(n))
		buf = appendPadded(append(buf, " heapinuse="...), h.ms.HeapInuse)
		buf = appendPadded(append(buf, " numgc="...), uint64(h.ms.NumGC))
		buf = appendPadded(append(buf, " ms="...), uint64(ms))
		buf = appendPadded(append(buf, " end="...), uint64(n))
		buf = append(buf, '\n')
		f.WriteAt(buf, 0)
	}
}

// appendPadded appends v in 19 digits, zeros first (the width of any int64).
func appendPadded(buf []byte, v uint64) []byte {
	num := strconv.AppendUint(buf[len(buf):], v, 10)
	for i := len(num); i < 19; i++ {
		buf = append(buf, '0')
	}
	return strconv.AppendUint(buf, v, 10)
}

func (h *heartbeat) count() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.beats
}

// stacks is runtime.Stack of every goroutine.
func stacks() string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// goroutine headers with their stacks, by id.
func parse(text string) map[string]string {
	out := map[string]string{}
	for _, blk := range strings.Split(text, "\n\n") {
		if !strings.HasPrefix(blk, "goroutine ") {
			continue
		}
		id := strings.Fields(blk)[1]
		out[id] = blk
	}
	return out
}

// count of goroutines whose header has state and whose stack has fn.
func count(gs map[string]string, state, fn string) int {
	n := 0
	for _, blk := range gs {
		head := strings.SplitN(blk, "\n", 2)[0]
		if strings.Contains(head, "["+state) && strings.Contains(blk, "\n"+fn+"(") {
			n++
		}
	}
	return n
}

func findID(gs map[string]string, fn string) string {
	for id, blk := range gs {
		if strings.Contains(blk, "\n"+fn+"(") {
			return id
		}
	}
	return "?"
}

// waitFor polls runtime.Stack until ok holds, at most a minute.
func waitFor(what string, ok func(map[string]string) bool) (map[string]string, string) {
	end := time.Now().Add(time.Minute)
	for {
		text := stacks()
		gs := parse(text)
		if ok(gs) {
			return gs, text
		}
		if time.Now().After(end) {
			die("waited a minute for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func serveHTTP(n int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		die("listen: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello\n")
	})}
	go srv.Serve(ln)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			die("dial: %v", err)
		}
		// keep-alive: the connection stays open and idle, and the
		// server's goroutine for it waits for the next request
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: godump\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			die("http: %v", err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
}

// The figures of -figures: made before the GCs, filled after them.
type figures struct {
	f       *os.File
	buf     []byte
	ms      runtime.MemStats
	samples []metrics.Sample
}

var metricNames = []string{
	"/gc/cycles/total:gc-cycles", "/gc/cycles/forced:gc-cycles", "/gc/heap/goal:bytes",
	"/gc/heap/live:bytes", "/gc/gogc:percent", "/gc/gomemlimit:bytes",
	"/sched/gomaxprocs:threads", "/sched/goroutines:goroutines",
}

func newFigures(path string) *figures {
	f, err := os.Create(path)
	if err != nil {
		die("%v", err)
	}
	have := map[string]bool{}
	for _, d := range metrics.All() {
		have[d.Name] = true
	}
	fg := &figures{f: f, buf: make([]byte, 0, 1<<16)}
	for _, n := range metricNames {
		if have[n] {
			fg.samples = append(fg.samples, metrics.Sample{Name: n})
		}
	}
	// the first Read sets up the metrics (it allocates): not after the GCs
	metrics.Read(fg.samples)
	return fg
}

func (fg *figures) add(name string, v uint64) {
	fg.buf = append(fg.buf, name...)
	fg.buf = append(fg.buf, '=')
	fg.buf = strconv.AppendUint(fg.buf, v, 10)
	fg.buf = append(fg.buf, '\n')
}

// write reads the runtime's figures and writes them, allocating nothing.
func (fg *figures) write() {
	metrics.Read(fg.samples)
	runtime.ReadMemStats(&fg.ms)
	ms := &fg.ms
	fg.add("numgc", uint64(ms.NumGC))
	fg.add("numforcedgc", uint64(ms.NumForcedGC))
	fg.add("lastgc", ms.LastGC)
	fg.add("pausetotal", ms.PauseTotalNs)
	fg.add("lastpause", ms.PauseNs[(ms.NumGC+255)%256])
	fg.add("heapinuse", ms.HeapInuse)
	fg.add("heapalloc", ms.HeapAlloc)
	fg.add("nextgc", ms.NextGC)
	fg.add("numgoroutine", uint64(runtime.NumGoroutine()))
	fg.add("gomaxprocs", uint64(runtime.GOMAXPROCS(0)))
	for _, s := range fg.samples {
		if s.Value.Kind() == metrics.KindUint64 {
			fg.add(s.Name, s.Value.Uint64())
		}
	}
	fg.buf = append(fg.buf, "end\n"...)
	fg.f.Write(fg.buf)
}

func main() {
	gcs := flag.Int("gc", 0, "force this many GCs after the goroutines park, then write -figures")
	figPath := flag.String("figures", "", "where -gc writes the runtime's own figures")
	flag.Parse()
	if flag.NArg() != 2 || (*gcs > 0) != (*figPath != "") {
		fmt.Fprintln(os.Stderr, "usage: godump [-gc K -figures FIGURES] TRUTH STATUS")
		os.Exit(2)
	}
	truth, status := flag.Arg(0), flag.Arg(1)

	leakCh := make(chan struct{})
	go leak(leakCh)
	waitFor("the leak to park", func(gs map[string]string) bool {
		return count(gs, "chan receive", "main.leak") == 1
	})
	gcPercent := debug.SetGCPercent(-1)
	// A GC notes the start of the one before it as the wait's start
	// (work.tstart is set at mark termination): the first GC of a
	// program notes nothing, the second notes the first's time.
	runtime.GC()
	runtime.GC()
	start := time.Now()
	for time.Since(start) < LeakAge {
		time.Sleep(LeakAge - time.Since(start))
	}

	jobs := make(chan int)
	for i := 0; i < NRecv; i++ {
		w := &worker{id: i}
		go w.receive(jobs)
	}
	results := make(chan int)
	startSenders(results)
	var mu sync.Mutex
	mu.Lock()
	for i := 0; i < NMutex; i++ {
		go locker(&mu, i)
	}
	startSleepers()
	stop := make(chan struct{})
	go deep(Depth, stop)
	serveHTTP(NConn)
	hb := &heartbeat{}
	var fg *figures
	if *gcs > 0 {
		fg = newFigures(*figPath)
		st, err := os.Create(status)
		if err != nil {
			die("%v", err)
		}
		go hb.runQuiet(st)
	} else {
		go hb.run(status)
	}
	for end := time.Now().Add(time.Minute); hb.count() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			die("the heartbeat did not start in a minute")
		}
	}

	mutexState := "sync.Mutex.Lock"
	if strings.HasPrefix(runtime.Version(), "go1.19") {
		mutexState = "semacquire"
	}
	gs, text := waitFor("every goroutine to park", func(gs map[string]string) bool {
		return count(gs, "chan receive", "main.(*worker).receive") == NRecv &&
			count(gs, "chan send", "main.startSenders.func1") == NSend &&
			count(gs, mutexState, "main.locker") == NMutex &&
			count(gs, "sleep", "main.startSleepers.func1") == NSleep &&
			count(gs, "chan receive", "main.deep") == 1 &&
			count(gs, "IO wait", "net/http.(*conn).serve") == NConn &&
			count(gs, "IO wait", "net/http.(*Server).Serve") == 1
	})
	head := fmt.Sprintf("godump pid=%d go=%s leak=%s heartbeat=%s\n\n", os.Getpid(),
		runtime.Version(), findID(gs, "main.leak"), findID(gs, "main.(*heartbeat).run"))
	tmp := truth + ".tmp"
	if err := os.WriteFile(tmp, []byte(head+text), 0o644); err != nil {
		die("%v", err)
	}
	if err := os.Rename(tmp, truth); err != nil {
		die("%v", err)
	}
	if fg != nil {
		debug.SetGCPercent(gcPercent)
		for i := 0; i < *gcs; i++ {
			runtime.GC()
		}
		fg.write()
	}
	runtime.KeepAlive(leakCh)
	runtime.KeepAlive(results)
	runtime.KeepAlive(stop)
	select {}
}
