// SPDX-License-Identifier: GPL-2.0
//
// A small real Go program whose binaries seed the fuzz_gobin corpus
// (tests/fuzz/Makefile builds it with every installed Go): the runtime's
// goroutine functions, a closure, a generic function, and about 1 MB
// instead of the test programs' 5 to 9 MB.
package main

func Map[T any](s []T, f func(T) T) []T {
	r := make([]T, len(s))
	for i, v := range s {
		r[i] = f(v)
	}
	return r
}

func main() {
	done := make(chan int)
	go func() {
		done <- len(Map([]int{1, 2}, func(v int) int { return v + 1 }))
	}()
	if <-done != 2 {
		panic("bad")
	}
}
