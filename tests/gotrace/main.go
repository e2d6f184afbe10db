// SPDX-License-Identifier: GPL-2.0

// tracecheck: checks a 'godiagctl export --format gotrace' trace with the
// trace parser of Go itself, against the 'godiagctl report --json' of the
// same capture.
//
//	tracecheck [-go GO | -tool TRACETOOL] [-pid PID] TRACE [REPORT.json]
//
// It runs GO's own `go tool trace -d=parsed TRACE` (the parser of the Go
// release GO is, /usr/local/go/bin/go by default; or TRACETOOL, that
// command built by `go build cmd/trace`, as tests/progs builds it with Go
// 1.26 for the VM guests, which should not build it: it validates every
// event against its model of the scheduler and fails on the first one
// that breaks it), then `go tool trace -pprof=sched`, `-pprof=syscall`
// and `-pprof=sync` (which summarize every goroutine as the web UI does),
// and opens it as `go tool trace TRACE` does for a person: its web server
// (on 127.0.0.1) must come up (it builds the whole trace viewer first)
// and serve the goroutine analysis and the trace viewer's JSON of the
// proc and thread views. It counts from the parsed events: goroutines (those named by an event),
// goroutines created, exits, blocks by reason, syscalls, and per goroutine
// its blocks, syscalls and start function. It prints those counts as one
// JSON object. With REPORT.json it also checks that they are the
// report's (goroutines of process PID, or of the only process): every
// mismatch is one line "FAIL: ..." on stderr, and the exit status is 1.
// Exit status 2: the Go tool failed (its message on stderr).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

type gor struct {
	Blocks   int    `json:"blocks"`
	Syscalls int    `json:"syscalls"`
	Start    string `json:"start,omitempty"`
	Created  bool   `json:"created"`
	Exited   bool   `json:"exited"`
}

type counts struct {
	GoVersion   string         `json:"go_version"`
	Events      int            `json:"events"`
	Generations int            `json:"generations"`
	Goroutines  int            `json:"goroutines"`
	Created     int            `json:"created"`
	Exited      int            `json:"exited"`
	Blocks      map[string]int `json:"blocks"`
	Syscalls    int            `json:"syscalls"`
	Threads     int            `json:"threads"`
	Procs       int            `json:"procs"`
	Profiles    map[string]int `json:"profile_bytes"`
	Pages       map[string]int `json:"page_bytes"`
	byG         map[uint64]*gor
}

var transition = regexp.MustCompile(`^M=(-?\d+) P=(-?\d+) G=(-?\d+) StateTransition Time=\d+ (GoID|ProcID)=(\d+) (\w+)->(\w+) Reason="((?:[^"\\]|\\.)*)"`)

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tracecheck: "+format+"\n", args...)
	os.Exit(code)
}

// The trace tool: TRACETOOL, else GO's.
var traceTool string

func goTool(goCmd string, args ...string) []byte {
	var stderr bytes.Buffer
	cmd := exec.Command(goCmd, append([]string{"tool", "trace"}, args...)...)
	if traceTool != "" {
		cmd = exec.Command(traceTool, args...)
	}
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		fail(2, "go tool trace %s: %v: %s", strings.Join(args, " "), err,
			strings.TrimSpace(stderr.String()))
	}
	return out
}

// serve runs the trace tool's web server on the trace, as a person opens
// it, and fetches its pages: the goroutine analysis and the viewer's JSON.
func serve(goCmd, trace string, c *counts) {
	var cmd *exec.Cmd
	if traceTool != "" {
		cmd = exec.Command(traceTool, "-http=127.0.0.1:0", trace)
	} else {
		cmd = exec.Command(goCmd, "tool", "trace", "-http=127.0.0.1:0", trace)
	}
	cmd.Env = append(os.Environ(), "BROWSER=true")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		fail(2, "go tool trace -http: %v", err)
	}
	if err := cmd.Start(); err != nil {
		fail(2, "go tool trace -http: %v", err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	addr := make(chan string, 1)
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if i := strings.Index(sc.Text(), "listening on http://"); i >= 0 {
				addr <- strings.TrimSpace(sc.Text()[i+len("listening on "):])
			}
		}
		close(addr)
	}()
	var base string
	select {
	case a, ok := <-addr:
		if !ok {
			fail(2, "go tool trace -http exited: %s", strings.TrimSpace(log.String()))
		}
		base = a
	case <-time.After(10 * time.Minute):
		fail(2, "go tool trace -http: no server after 10 minutes")
	}
	for _, page := range []string{"/goroutines", "/jsontrace?view=proc", "/jsontrace?view=thread"} {
		resp, err := http.Get(base + page)
		if err != nil {
			fail(2, "go tool trace -http: %s: %v", page, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			fail(2, "go tool trace -http: %s: %s %v: %.300s", page, resp.Status, err, body)
		}
		if strings.HasPrefix(page, "/jsontrace") && !json.Valid(body) {
			fail(2, "go tool trace -http: %s: not JSON", page)
		}
		c.Pages[page] = len(body)
	}
}

func (c *counts) g(id uint64) *gor {
	if c.byG[id] == nil {
		c.byG[id] = &gor{}
	}
	return c.byG[id]
}

// parse counts the lines of `go tool trace -d=parsed`.
func parse(out []byte) *counts {
	c := &counts{Blocks: map[string]int{}, byG: map[uint64]*gor{}, Profiles: map[string]int{},
		Pages: map[string]int{}}
	threads, procs := map[string]bool{}, map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var created *gor // the goroutine whose start stack comes next
	inStack := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "M=") {
			c.Events++
			created, inStack = nil, false
			if f := strings.Fields(line); len(f) > 3 {
				if f[0] != "M=-1" {
					threads[f[0]] = true
				}
				if f[3] == "Sync" {
					c.Generations++
				}
			}
		}
		if line == "TransitionStack=" {
			inStack = true
			continue
		}
		if inStack && created != nil && strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, "\t\t") {
			created.Start = strings.TrimSpace(strings.SplitN(line, " @ ", 2)[0])
			created, inStack = nil, false
			continue
		}
		m := transition.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if m[4] == "ProcID" {
			procs[m[5]] = true
			continue
		}
		id, _ := strconv.ParseUint(m[5], 10, 64)
		from, to := m[6], m[7]
		reason, _ := strconv.Unquote(`"` + m[8] + `"`)
		g := c.g(id)
		switch {
		case from == "NotExist" && to == "Runnable":
			c.Created++
			g.Created = true
			created = g
		case to == "NotExist":
			c.Exited++
			g.Exited = true
		case from == "Running" && to == "Waiting":
			c.Blocks[reason]++
			g.Blocks++
		case from == "Running" && to == "Syscall":
			c.Syscalls++
			g.Syscalls++
		}
	}
	if err := sc.Err(); err != nil {
		fail(2, "reading the parsed events: %v", err)
	}
	// A trace opens and closes each generation with a Sync event.
	if c.Generations > 0 {
		c.Generations--
	}
	c.Goroutines = len(c.byG)
	c.Threads = len(threads)
	c.Procs = len(procs)
	return c
}

// The Go tracer's block reason for each runtime wait reason, as
// docs/DESIGN.md documents the export (a reason not here keeps its name).
var blockReason = map[string]string{
	"chan receive": "chan receive", "chan send": "chan send",
	"chan receive (nil chan)": "forever", "chan send (nil chan)": "forever",
	"select (no cases)": "forever", "select": "select",
	"sync.Cond.Wait": "sync.(*Cond).Wait", "sync.Mutex.Lock": "sync",
	"sync.RWMutex.RLock": "sync", "sync.RWMutex.Lock": "sync",
	"sync.WaitGroup.Wait": "sync", "semacquire": "sync",
	"IO wait": "network", "sleep": "sleep", "preempted": "preempted",
	"GC assist wait":   "GC mark assist wait for work",
	"GC sweep wait":    "GC background sweeper wait",
	"GC scavenge wait": "system goroutine wait", "GC worker (idle)": "system goroutine wait",
	"finalizer wait": "system goroutine wait", "force gc (idle)": "system goroutine wait",
	"cleanup wait": "system goroutine wait", "GOMAXPROCS updater (idle)": "system goroutine wait",
	"wait for GC cycle": "wait until GC ends", "debug call": "wait for debug call",
	"GC weak to strong wait": "GC weak to strong wait", "": "unspecified",
}

type report struct {
	Goroutines struct {
		Created int `json:"created"`
		Exited  int `json:"exited"`
		Blocked []struct {
			Reason string `json:"reason"`
			Count  int    `json:"count"`
		} `json:"blocked"`
		List []struct {
			Goroutine uint64 `json:"goroutine"`
			Pid       uint32 `json:"pid"`
			Start     string `json:"start"`
			Created   bool   `json:"created"`
			Exited    bool   `json:"exited"`
			Syscalls  int    `json:"syscalls"`
			Blocks    int    `json:"blocks"`
		} `json:"list"`
	} `json:"goroutines"`
}

func check(c *counts, path string, pid uint32) int {
	var r report
	data, err := os.ReadFile(path)
	if err != nil {
		fail(2, "%v", err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		fail(2, "%s: %v", path, err)
	}
	bad := 0
	failf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
		bad++
	}
	pids := map[uint32]bool{}
	for _, g := range r.Goroutines.List {
		pids[g.Pid] = true
	}
	if pid == 0 && len(pids) > 1 {
		fail(2, "%s: goroutines of %d processes: give -pid", path, len(pids))
	}
	want := map[string]int{}
	created, exited, syscalls, seen := 0, 0, 0, 0
	for _, g := range r.Goroutines.List {
		if pid != 0 && g.Pid != pid {
			continue
		}
		seen++
		syscalls += g.Syscalls
		if g.Created {
			created++
		}
		if g.Exited {
			exited++
		}
		t := c.byG[g.Goroutine]
		if t == nil {
			failf("goroutine %d of the report is not in the trace", g.Goroutine)
			continue
		}
		if t.Blocks != g.Blocks || t.Syscalls != g.Syscalls {
			failf("goroutine %d: %d blocks, %d syscalls in the trace, %d, %d in the report",
				g.Goroutine, t.Blocks, t.Syscalls, g.Blocks, g.Syscalls)
		}
		if g.Created && t.Start != g.Start {
			failf("goroutine %d: starts in %q in the trace, %q in the report", g.Goroutine, t.Start, g.Start)
		}
		if t.Created != g.Created || t.Exited != g.Exited {
			failf("goroutine %d: created %v exited %v in the trace, %v %v in the report",
				g.Goroutine, t.Created, t.Exited, g.Created, g.Exited)
		}
	}
	if pid == 0 || len(pids) == 1 {
		for _, w := range r.Goroutines.Blocked {
			name, ok := blockReason[w.Reason]
			if !ok {
				name = w.Reason
			}
			want[name] += w.Count
		}
		for name, n := range want {
			if c.Blocks[name] != n {
				failf("%d blocks on %q in the trace, %d in the report", c.Blocks[name], name, n)
			}
		}
		for name, n := range c.Blocks {
			if _, ok := want[name]; !ok {
				failf("%d blocks on %q in the trace, none in the report", n, name)
			}
		}
		if created != r.Goroutines.Created {
			failf("report: %d goroutines created, %d in its list", r.Goroutines.Created, created)
		}
	}
	checkEq := func(what string, got, want int) {
		if got != want {
			failf("%s: %d in the trace, %d in the report", what, got, want)
		}
	}
	checkEq("goroutines", c.Goroutines, seen)
	checkEq("goroutines created", c.Created, created)
	checkEq("goroutines exited", c.Exited, exited)
	checkEq("syscalls", c.Syscalls, syscalls)
	return bad
}

func main() {
	goCmd := flag.String("go", "/usr/local/go/bin/go", "the go command whose trace tool parses")
	pid := flag.Uint("pid", 0, "the process of the report (0: the only one)")
	flag.StringVar(&traceTool, "tool", "", "the trace tool (go build cmd/trace), instead of GO's")
	flag.Parse()
	if flag.NArg() < 1 || flag.NArg() > 2 {
		fail(2, "usage: tracecheck [-go GO | -tool TRACETOOL] [-pid PID] TRACE [REPORT.json]")
	}
	trace := flag.Arg(0)
	version, err := exec.Command(*goCmd, "env", "GOVERSION").Output()
	if traceTool != "" {
		version, err = exec.Command(*goCmd, "version", traceTool).Output()
		version = []byte(strings.TrimSpace(strings.TrimPrefix(string(version), traceTool+":")))
	}
	if err != nil {
		fail(2, "%s: the version: %v", *goCmd, err)
	}
	c := parse(goTool(*goCmd, "-d=parsed", trace))
	c.GoVersion = strings.TrimSpace(string(version))
	for _, p := range []string{"sched", "syscall", "sync", "net"} {
		c.Profiles[p] = len(goTool(*goCmd, "-pprof="+p, trace))
	}
	serve(*goCmd, trace, c)
	out, _ := json.Marshal(c)
	fmt.Println(string(out))
	if flag.NArg() == 2 {
		if bad := check(c, flag.Arg(1), uint32(*pid)); bad > 0 {
			names := make([]string, 0, len(c.Blocks))
			for n := range c.Blocks {
				names = append(names, n)
			}
			sort.Strings(names)
			fmt.Fprintf(os.Stderr, "tracecheck: %d checks failed (trace reasons: %s)\n", bad, strings.Join(names, ", "))
			os.Exit(1)
		}
	}
}
