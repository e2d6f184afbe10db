// SPDX-License-Identifier: GPL-2.0

// gogc: ground truth for `godiagctl capture --gc`.
//
//	gogc [-k K] [-step BYTES]
//
// It sets GOGC to 50 and a memory limit of 512 MiB (debug.SetGCPercent,
// debug.SetMemoryLimit), then K times: allocates 2*STEP bytes (1 MiB by
// default) in 64 KiB buffers and keeps every other one in a slice (the
// live set grows by STEP a round, as much garbage is left), calls
// runtime.GC(), and reads its
// own runtime.MemStats (a stop-the-world of its own, reason "read mem
// stats" where the runtime names reasons). At the end it prints one line
// "done {JSON}" with what its own runtime says:
//
//	{"forced":K,"cycles":N,"forced_cycles":F,"readmemstats":R,
//	 "gogc":50,"memlimit":536870912,
//	 "pause_count":C,"pause_max_ns":M,"pause_total_ns":T,
//	 "after":[{"numgc":G,"heap_alloc":B,"next_gc":B}, ...]}
//
// cycles and forced_cycles are runtime/metrics' /gc/cycles/total and
// /gc/cycles/forced; pause_count and pause_max_ns come from the GC pause
// histogram (/sched/pauses/total/gc:seconds where this Go has it, else
// /gc/pauses:seconds): how many pauses and the upper bound of the highest
// bucket holding one; pause_total_ns is MemStats.PauseTotalNs; "after"
// has one entry per forced GC, read right after it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

const bufSize = 64 << 10

type after struct {
	NumGC     uint32 `json:"numgc"`
	HeapAlloc uint64 `json:"heap_alloc"`
	NextGC    uint64 `json:"next_gc"`
}

type truth struct {
	Forced       int     `json:"forced"`
	Cycles       uint64  `json:"cycles"`
	ForcedCycles uint64  `json:"forced_cycles"`
	ReadMemStats int     `json:"readmemstats"`
	GOGC         int     `json:"gogc"`
	MemLimit     int64   `json:"memlimit"`
	PauseCount   uint64  `json:"pause_count"`
	PauseMaxNs   uint64  `json:"pause_max_ns"`
	PauseTotalNs uint64  `json:"pause_total_ns"`
	After        []after `json:"after"`
}

// heap is the live set: what the program keeps between its GCs.
type heap struct {
	bufs [][]byte
}

var sink []byte

// grow keeps bytes more and leaves as much garbage.
func (h *heap) grow(bytes int) {
	for n := 0; n < 2*bytes; n += bufSize {
		b := make([]byte, bufSize)
		b[0] = byte(n)
		if n%(2*bufSize) == 0 {
			h.bufs = append(h.bufs, b)
		} else {
			sink = b
		}
	}
}

// pauses reads the GC pause histogram this Go has.
func pauses() (count, maxNs uint64) {
	name := "/gc/pauses:seconds"
	for _, d := range metrics.All() {
		if d.Name == "/sched/pauses/total/gc:seconds" {
			name = d.Name
		}
	}
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	h := s[0].Value.Float64Histogram()
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		count += c
		up := h.Buckets[i+1]
		if math.IsInf(up, 1) {
			up = h.Buckets[i] * 2
		}
		maxNs = uint64(up * 1e9)
	}
	return count, maxNs
}

func counter(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func main() {
	k := flag.Int("k", 8, "forced GCs")
	step := flag.Int("step", 1<<20, "bytes the live set grows by per round")
	flag.Parse()

	t := truth{Forced: *k, GOGC: 50, MemLimit: 512 << 20}
	debug.SetGCPercent(t.GOGC)
	debug.SetMemoryLimit(t.MemLimit)
	h := &heap{}
	var ms runtime.MemStats
	for i := 0; i < *k; i++ {
		h.grow(*step)
		runtime.GC()
		runtime.ReadMemStats(&ms)
		t.ReadMemStats++
		t.After = append(t.After, after{ms.NumGC, ms.HeapAlloc, ms.NextGC})
	}
	t.PauseTotalNs = ms.PauseTotalNs
	t.Cycles = counter("/gc/cycles/total:gc-cycles")
	t.ForcedCycles = counter("/gc/cycles/forced:gc-cycles")
	t.PauseCount, t.PauseMaxNs = pauses()
	runtime.KeepAlive(h)
	out, err := json.Marshal(t)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gogc:", err)
		os.Exit(1)
	}
	fmt.Printf("done %s\n", out)
}
