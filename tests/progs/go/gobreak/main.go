// SPDX-License-Identifier: GPL-2.0

// gobreak: ground truth for breakpoints (godiagctl capture --break).
//
//	gobreak [--wait-signal] [--loop]
//
// One phase calls these functions, all kept out of line (//go:noinline)
// but small, a known number of times with known arguments:
//
//	function                   called from                        calls  arguments
//	main.add(a, b int)         4 goroutines `go adder(g, &wg)`    40     a = g (1..4, 10 each), b = 0..9
//	main.(*server).handle      2 closures `go func() {...}()`     12     req.method "GET" 8, "POST" 4
//	  (req *request)
//	main.greet(name string)    main and a closure                 5      "alice" 3, "bob" 2
//	main.total(xs []int)       main                               3      len 3 twice, len 5 once
//	main.kind(v interface{})   main                               3      an int, a string, a *request
//	main.settle(err error)     main, after strconv.Atoi           5      nil 3, *strconv.NumError 2
//	main.mix(weight float64,   main                               3      weight 1.5 twice, -0.1 once;
//	  n int, ratio float32)                                              n 2, 3, 4; ratio 0.25 twice,
//	                                                                     0.1 once (X0, RAX, X1)
//	main.slow(d time.Duration) 5 goroutines `go func(d) {...}(d)` 5      20ms (it sleeps that long)
//	main.risky(i int)          main through protect (recover)     6      i = 0..5, odd ones panic (3)
//	main.scale(i int)          main                               10     i = 0..9
//	main.peek(s string)        main                               2      a string whose bytes are at an
//	                                                                     unmapped address (len 8)
//	main.small(x int)          main (inlined by the compiler)     7
//	main.tally(tags []string,  main                               3      slices of 2, 5 and 0 elements
//	  weights []float64, ok []bool)
//	main.fee(amount float64)   main                               7      3 of them >= 2.5
//	main.ratio(r float32)      main                               6      3 of them < -0.5
//	main.level(x float64)      main                               6      0 and -0 == 0, NaN among them
//	main.stamp(i int)          main                               9      i = 0..8; the line marked
//	                                                                     "gobreak:line" runs for 0, 3, 6
//	main.beat(i int)           main                               3000   i = 0..2999 (for --max-rate)
//
// handle's requests come from a client (req.from, a pointer): "GET" from
// {name "web", port 8080}, "POST" from {"cli", 9090}.
//
// Output: "ready <pid>" with --wait-signal, the phase at SIGUSR1; then
// one line "done {JSON}" with the counts above as the program saw them:
//
//	{"add":40,"add_by_a":{"1":10,...},"handle":12,"get":8,"post":4,
//	 "greet":{"alice":3,"bob":2},"total_by_len":{"3":2,"5":1},"kind":3,
//	 "settle":{"nil":3,"*strconv.NumError":2},
//	 "mix_weight":{"-0.1":1,"1.5":2},"mix_ratio":{"0.1":1,"0.25":2},
//	 "slow":5,"slow_ns":20000000,"risky":6,"panics":3,"scale":10,"peek":2,
//	 "small":7,"total_vals":{"len=3 cap=3 [1 2 3]":1,...},
//	 "tally_tags":{...},"tally_weights":{...},"tally_ok":{...},
//	 "fee":7,"fee_ge":3,"ratio":6,"ratio_lt":3,"level":6,"level_eq":2,
//	 "stamp_line":3,"beat":3000}
//
// A slice's value is as godiagctl prints it with its first elements
// (total: the default 4, tally: --slice-elems 3), "len=5 cap=5 [9 8 7 6 ...]".
//
// With --loop it then calls main.add every millisecond until SIGTERM (the
// service a capture attaches to and detaches from) and prints "loops N"
// before exiting 0.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

type client struct {
	name string
	port int
}

type request struct {
	method string
	id     int
	from   *client
}

type server struct {
	mu     sync.Mutex
	served map[string]int
}

//go:noinline
func (s *server) handle(req *request) int {
	s.mu.Lock()
	s.served[req.method]++
	s.mu.Unlock()
	return req.id
}

//go:noinline
func add(a, b int) int {
	return a + b
}

//go:noinline
func greet(name string) int {
	return len(name)
}

//go:noinline
func total(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

//go:noinline
func kind(v interface{}) int {
	switch v.(type) {
	case int:
		return 1
	case string:
		return 2
	default:
		return 3
	}
}

// settle takes an error as code does after a call that may fail: most
// often nil (a nil non-empty interface: no itab).
//
//go:noinline
func settle(err error) int {
	if err != nil {
		return 1
	}
	return 0
}

// mix takes floats as a pricing or metrics function does.
//
//go:noinline
func mix(weight float64, n int, ratio float32) float64 {
	return weight * float64(n) * float64(ratio)
}

//go:noinline
func slow(d time.Duration) {
	time.Sleep(d)
}

//go:noinline
func risky(i int) int {
	if i%2 == 1 {
		panic("odd " + strconv.Itoa(i))
	}
	return i
}

//go:noinline
func scale(i int) int {
	return i * 3
}

//go:noinline
func peek(s string) int {
	return len(s) // never touches the bytes
}

func small(x int) int {
	return x * 2
}

// tally takes slices as a metrics or tagging function does.
//
//go:noinline
func tally(tags []string, weights []float64, ok []bool) int {
	return len(tags) + len(weights) + len(ok)
}

//go:noinline
func fee(amount float64) float64 {
	return amount * 0.01
}

//go:noinline
func ratio(r float32) float32 {
	return r * 2
}

//go:noinline
func level(x float64) bool {
	return x > 1
}

var thirds int

//go:noinline
func stamp(i int) int {
	s := i * 7
	if i%3 == 0 {
		thirds++ // gobreak:line
	}
	return s
}

//go:noinline
func beat(i int) int {
	return i + 1
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// sliceText: a slice as godiagctl prints it with its first n elements.
func sliceText(l, c int, first interface{}, more bool) string {
	s := fmt.Sprint(first)
	if more {
		s = s[:len(s)-1] + " ...]"
	}
	return fmt.Sprintf("len=%d cap=%d %s", l, c, s)
}

// protect calls risky and recovers its panic: risky never returns then.
func protect(i int) (panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	risky(i)
	return false
}

type truth struct {
	Add      int            `json:"add"`
	AddByA   map[string]int `json:"add_by_a"`
	Handle   int            `json:"handle"`
	Get      int            `json:"get"`
	Post     int            `json:"post"`
	Greet    map[string]int `json:"greet"`
	TotalLen map[string]int `json:"total_by_len"`
	Kind     int            `json:"kind"`
	Settle   map[string]int `json:"settle"`
	MixW     map[string]int `json:"mix_weight"`
	MixR     map[string]int `json:"mix_ratio"`
	Slow     int            `json:"slow"`
	SlowNs   int64          `json:"slow_ns"`
	Risky    int            `json:"risky"`
	Panics   int            `json:"panics"`
	Scale    int            `json:"scale"`
	Peek     int            `json:"peek"`
	Small    int            `json:"small"`
	TotalV   map[string]int `json:"total_vals"`
	TallyT   map[string]int `json:"tally_tags"`
	TallyW   map[string]int `json:"tally_weights"`
	TallyO   map[string]int `json:"tally_ok"`
	Fee      int            `json:"fee"`
	FeeGE    int            `json:"fee_ge"`
	Ratio    int            `json:"ratio"`
	RatioLT  int            `json:"ratio_lt"`
	Level    int            `json:"level"`
	LevelEQ  int            `json:"level_eq"`
	StampL   int            `json:"stamp_line"`
	Beat     int            `json:"beat"`
}

func adder(g int, wg *sync.WaitGroup, mu *sync.Mutex, t *truth) {
	defer wg.Done()
	for b := 0; b < 10; b++ {
		add(g, b)
		mu.Lock()
		t.Add++
		t.AddByA[strconv.Itoa(g)]++
		mu.Unlock()
	}
}

// badString: a string header whose bytes are at an unmapped address
// (above the 4 KiB the runtime refuses as a pointer, outside its heap).
func badString() string {
	hdr := struct {
		p uintptr
		n int
	}{0xdead0000000, 8}
	return *(*string)(unsafe.Pointer(&hdr))
}

func phase() *truth {
	t := &truth{AddByA: map[string]int{}, Greet: map[string]int{}, TotalLen: map[string]int{},
		Settle: map[string]int{}, MixW: map[string]int{}, MixR: map[string]int{},
		TotalV: map[string]int{}, TallyT: map[string]int{}, TallyW: map[string]int{},
		TallyO: map[string]int{}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for g := 1; g <= 4; g++ {
		wg.Add(1)
		go adder(g, &wg, &mu, t)
	}
	s := &server{served: map[string]int{}}
	for _, m := range []struct {
		method string
		n      int
		from   *client
	}{{"GET", 8, &client{"web", 8080}}, {"POST", 4, &client{"cli", 9090}}} {
		m := m
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < m.n; i++ {
				s.handle(&request{method: m.method, id: i, from: m.from})
			}
		}()
	}
	const d = 20 * time.Millisecond
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func(d time.Duration) {
			defer wg.Done()
			slow(d)
		}(d)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		greet("bob")
	}()
	wg.Wait()
	t.Handle = s.served["GET"] + s.served["POST"]
	t.Get, t.Post = s.served["GET"], s.served["POST"]
	t.Slow, t.SlowNs = 5, int64(d)
	t.Greet["bob"] = 1
	for _, n := range []string{"alice", "bob", "alice", "alice"} {
		greet(n)
		t.Greet[n]++
	}
	// (every element written: a fresh allocation the program never wrote
	// may sit on a page not mapped yet, which the kernel cannot read
	// without a fault, and the record says so)
	for _, xs := range [][]int{{1, 2, 3}, {9, 8, 7, 6, 5}, {4, 5, 6}} {
		total(xs)
		t.TotalLen[strconv.Itoa(len(xs))]++
		n := minInt(len(xs), 4)
		t.TotalV[sliceText(len(xs), cap(xs), xs[:n], len(xs) > n)]++
	}
	for _, c := range []struct {
		tags    []string
		weights []float64
		ok      []bool
	}{
		{[]string{"a", "bb"}, []float64{1.5, -2}, []bool{true}},
		{[]string{"x", "y", "z", "w", "v"}, []float64{0.1}, []bool{false, true, false, true, true}},
		{nil, nil, nil},
	} {
		tally(c.tags, c.weights, c.ok)
		n := minInt(len(c.tags), 3)
		t.TallyT[sliceText(len(c.tags), cap(c.tags), c.tags[:n], len(c.tags) > n)]++
		n = minInt(len(c.weights), 3)
		t.TallyW[sliceText(len(c.weights), cap(c.weights), c.weights[:n], len(c.weights) > n)]++
		n = minInt(len(c.ok), 3)
		t.TallyO[sliceText(len(c.ok), cap(c.ok), c.ok[:n], len(c.ok) > n)]++
	}
	for _, a := range []float64{0.5, 2.5, -3, 2.5000000000000004, 10, math.Copysign(0, -1),
		2.4999999999999996} {
		fee(a)
		t.Fee++
		if a >= 2.5 {
			t.FeeGE++
		}
	}
	for _, r := range []float32{-1, -0.5, 0, 0.25, -2.75, -0.5000001} {
		ratio(r)
		t.Ratio++
		if r < -0.5 {
			t.RatioLT++
		}
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1e-300, math.NaN(), -1e-300, math.Inf(1)} {
		level(x)
		t.Level++
		if x == 0 {
			t.LevelEQ++
		}
	}
	for i := 0; i < 9; i++ {
		stamp(i)
	}
	t.StampL = thirds
	for i := 0; i < 3000; i++ {
		beat(i)
		t.Beat++
	}
	for _, v := range []interface{}{42, "x", &request{method: "PUT"}} {
		kind(v)
		t.Kind++
	}
	for _, s := range []string{"7", "x", "12", "", "3"} {
		_, err := strconv.Atoi(s)
		settle(err)
		if err == nil {
			t.Settle["nil"]++
		} else {
			t.Settle[fmt.Sprintf("%T", err)]++
		}
	}
	for _, c := range []struct {
		weight float64
		n      int
		ratio  float32
	}{{1.5, 2, 0.25}, {-0.1, 3, 0.1}, {1.5, 4, 0.25}} {
		mix(c.weight, c.n, c.ratio)
		t.MixW[strconv.FormatFloat(c.weight, 'g', -1, 64)]++
		t.MixR[strconv.FormatFloat(float64(c.ratio), 'g', -1, 32)]++
	}
	for i := 0; i < 6; i++ {
		t.Risky++
		if protect(i) {
			t.Panics++
		}
	}
	for i := 0; i < 10; i++ {
		scale(i)
		t.Scale++
	}
	for i := 0; i < 2; i++ {
		peek(badString())
		t.Peek++
	}
	x := 0
	for i := 0; i < 7; i++ {
		x += small(i)
		t.Small++
	}
	if x != 42 {
		fmt.Fprintln(os.Stderr, "gobreak: small went wrong")
		os.Exit(1)
	}
	return t
}

func main() {
	wait := flag.Bool("wait-signal", false, "print ready and wait for SIGUSR1")
	loop := flag.Bool("loop", false, "call main.add every millisecond until SIGTERM")
	flag.Parse()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGTERM)
	if *wait {
		fmt.Printf("ready %d\n", os.Getpid())
		if <-sigs != syscall.SIGUSR1 {
			os.Exit(1)
		}
	}
	out, err := json.Marshal(phase())
	if err != nil {
		fmt.Fprintln(os.Stderr, "gobreak:", err)
		os.Exit(1)
	}
	fmt.Printf("done %s\n", out)
	if !*loop {
		return
	}
	tick := time.NewTicker(time.Millisecond)
	n := 0
	for {
		select {
		case <-tick.C:
			add(n, 1)
			n++
		case s := <-sigs:
			if s == syscall.SIGTERM {
				fmt.Printf("loops %d\n", n)
				return
			}
		}
	}
}
