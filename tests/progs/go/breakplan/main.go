// SPDX-License-Identifier: GPL-2.0

// breakplan: the ground truth of the breakpoint planner's unit tests
// (tests/unit/test_breakplan.c). It is never traced; the tests read its
// binaries (build/progs/breakplan-go1.XX{,-pie,-stripped}) and compare
// the planner's sites and argument locations with what the compiler made
// of the functions below, so their signatures are the test's expected
// values: change one and the test must change with it.
//
//	breakplan [N]
//
// handles N (default 3) requests on a small in-process "server", prints
// "served N total T" and exits 0.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Request is what a handler gets: the field path req.Method is read
// through the pointer.
type Request struct {
	ID     int
	Method string
	Path   string
	Body   []byte
}

type Server struct {
	name  string
	count int
}

type Shape interface {
	Area() float64
}

type Rect struct {
	W, H float64
}

func (r Rect) Area() float64 { return r.W * r.H }

type Point struct {
	X, Y int
}

// Handle is a method on a pointer receiver: s, req, body.
//
//go:noinline
func (s *Server) Handle(req *Request, body []byte) int {
	s.count++
	return len(req.Method) + len(body) + s.count
}

// mixed takes one argument of each kind; ok no longer fits in the nine
// integer registers and goes on the stack.
//
//go:noinline
func mixed(n int, name string, data []byte, req *Request, v Shape, ratio float64, ok bool) int {
	r := n + len(name) + len(data) + req.ID + int(v.Area()*ratio)
	if ok {
		r++
	}
	return r
}

// many has more integer arguments than registers: j and k on the stack.
//
//go:noinline
func many(a, b, c, d, e, f, g, h, i, j, k int) int {
	return a + b*2 + c*3 + d*4 + e*5 + f*6 + g*7 + h*8 + i*9 + j*10 + k*11
}

// spill: s needs two registers when one is left, so it goes on the stack
// and x still takes the last register.
//
//go:noinline
func spill(a, b, c, d, e, f, g, h int, s string, x int) int {
	return a + b + c + d + e + f + g + h + len(s) + x
}

// byValue: a struct in registers field by field, an array of two on the
// stack, small integers and a float32.
//
//go:noinline
func byValue(p Point, pair [2]int, small int8, flag uint16, f float32) int {
	return p.X + p.Y + pair[0] + pair[1] + int(small) + int(flag) + int(f)
}

// adds counts the calls of add.
var adds int

// add is small enough to be inlined wherever it is called; it is never
// called on its own, so the binary has no main.add, only its copies.
func add(a, b int) int {
	adds++
	return a + b
}

// twice inlines add twice, in two branches (two copies with code of
// their own: in one block the compiler merges their counter updates).
//
//go:noinline
func twice(x int) int {
	if x > 1 {
		return add(x, x)
	}
	return add(x, 1)
}

// larger has two instantiations: main.larger[...] names both.
//
//go:noinline
func larger[T int | float64](a, b T) T {
	if a > b {
		return a
	}
	return b
}

// apply calls a func value: the closure main.main.func1 is called
// through it, never inlined.
//
//go:noinline
func apply(f func(int) int, x int) int {
	return f(x)
}

func main() {
	n := 3
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	srv := &Server{name: "breakplan"}
	scale := len(srv.name)
	mul := func(x int) int {
		return x * scale
	}
	total := 0
	for i := 0; i < n; i++ {
		req := &Request{ID: i, Method: "GET", Path: "/item/" + strconv.Itoa(i)}
		req.Body = []byte(strings.Repeat("x", i))
		total += srv.Handle(req, req.Body)
		total += mixed(i, req.Path, req.Body, req, Rect{W: 2, H: float64(i)}, 0.5, i%2 == 0)
		total += many(i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
		total += spill(i, 1, 2, 3, 4, 5, 6, 7, req.Method, 8)
		total += byValue(Point{X: i, Y: 2}, [2]int{3, 4}, -5, 6, 7.5)
		total += twice(i)
		total += add(total, i)
		total += apply(mul, i)
		total += larger(i, 2) + int(larger(float64(i), 0.5))
	}
	fmt.Printf("served %d total %d adds %d\n", n, total, adds)
}
