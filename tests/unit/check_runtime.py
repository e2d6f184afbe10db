#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks one run of `godiagctl runtime` on tests/progs/go/godump -gc K
against what the program's own runtime said at the same quiescent point
(runtime.ReadMemStats, runtime/metrics, NumGoroutine, GOMAXPROCS, in
DIR/fig) and what it was started with. Called by test_runtime.sh:

    check_runtime.py NAME DIR K STRIPPED

DIR holds fig (the program's), held (the heap in use, GC count and Ms
the program's heartbeat said right before and right after the reading,
the same), rt.json (runtime --json), dump.json
(goroutines --all --system --json, read right after rt.json, their
states agreeing) and tasks (the number of threads of the process, from
/proc, read after rt.json). STRIPPED is 1 for a binary without symbols
and DWARF: its figures come from the code and the layout table
(gostatrec.c), and must be the same as any other build's. Prints
"ok NAME: what" or "FAIL NAME: what"."""
import json
import sys

GOGC, GOMEMLIMIT, GOMAXPROCS = 57, 123 << 20, 3
FIGURES = ["gc.cycles", "gc.forced", "gc.last_unix_ns", "gc.last_pause_ns",
           "gc.pause_total_ns", "heap.inuse_bytes", "heap.live_bytes",
           "heap.goal_bytes", "gogc", "gomemlimit_bytes", "gomaxprocs", "threads"]

name, d, k, stripped = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"


def check(what, cond, detail=""):
    print(f"{'ok' if cond else 'FAIL'} {name}: {what}")
    if not cond and detail:
        for line in str(detail).splitlines()[:10]:
            print(f"#   {line}")


def fig():
    out = {}
    with open(f"{d}/fig") as fh:
        for line in fh:
            if "=" in line:
                key, val = line.strip().split("=", 1)
                out[key] = int(val)
    return out


def value(rt, path):
    """The JSON value a figure's name stands for: "gc.cycles" is rt["gc"]["cycles"]."""
    v = rt
    for part in path.split("."):
        v = v.get(part)
    return v


f = fig()
rt = json.load(open(f"{d}/rt.json"))
dump = json.load(open(f"{d}/dump.json"))
tasks = int(open(f"{d}/tasks").read())

# goroutines: the program's own count, the dump's states
states = {}
for g in dump["goroutines"]:
    states[g["state"]] = states.get(g["state"], 0) + 1
gr = rt["goroutines"]
check("the user goroutines are runtime.NumGoroutine()",
      gr["user"] == f["numgoroutine"], f"{gr['user']} != {f['numgoroutine']}")
check("goroutines by state are the dump's", gr["by_state"] == states,
      f"{gr['by_state']} != {states}")
check("the runtime's goroutines are the dump's",
      gr["runtime"] == sum(1 for g in dump["goroutines"] if g["system"]) and
      gr["total"] == len(dump["goroutines"]) and gr["skipped"] == 0, gr)
check("the Go version is the program's", rt["go"] == dump["go"] and rt["go"].startswith("go1."))

nulls = [p for p in FIGURES if value(rt, p) is None]
check("no figure is unknown" + (" (a stripped binary: from the code)" if stripped else ""),
      rt["unknown"] == {} and not nulls, (rt["unknown"], nulls))
gc, heap = rt["gc"], rt["heap"]
check(f"GC cycles are at least the {k} forced ones and the program's own count",
      gc["cycles"] is not None and gc["cycles"] >= k and gc["cycles"] == f["numgc"] and
      f.get("/gc/cycles/total:gc-cycles", f["numgc"]) == f["numgc"],
      f"{gc['cycles']} vs numgc {f['numgc']}")
check("forced GCs are the program's count", gc["forced"] == f["numforcedgc"] and
      gc["forced"] >= k, f"{gc['forced']} vs {f['numforcedgc']}")
check("the last GC's time and pause, and the pauses in all, are ReadMemStats'",
      gc["last_unix_ns"] == f["lastgc"] and gc["last_pause_ns"] == f["lastpause"] and
      gc["pause_total_ns"] == f["pausetotal"] and gc["last_pause_ns"] > 0,
      f"{gc} vs {f}")
# The heap in use: what ReadMemStats said in the heartbeat's lines right
# before and right after the reading, which agree (test_runtime.sh). The
# runtime may allocate after the program's figures (a new thread's m and
# g), and with no GC since (the same NumGC) the heap in use only grows.
try:
    held_inuse, held_numgc, _ = (int(x) for x in open(f"{d}/held").read().split())
except OSError:
    held_inuse = held_numgc = None
check("the heap in use is MemStats.HeapInuse while the reading ran",
      held_inuse is not None and
      heap["inuse_bytes"] == held_inuse and held_numgc == f["numgc"] and
      f["heapinuse"] <= held_inuse,
      f"{heap['inuse_bytes']} vs {held_inuse} (numgc {held_numgc}; "
      f"{f['heapinuse']} with the figures)")
check("the heap goal is MemStats.NextGC and /gc/heap/goal:bytes",
      heap["goal_bytes"] == f["nextgc"] == f["/gc/heap/goal:bytes"],
      f"{heap['goal_bytes']} vs {f['nextgc']}")
if "/gc/heap/live:bytes" in f:
    check("the live heap is /gc/heap/live:bytes", heap["live_bytes"] == f["/gc/heap/live:bytes"],
          f"{heap['live_bytes']} vs {f['/gc/heap/live:bytes']}")
else:
    # go1.19 has no such metric: what the last GC marked is what is
    # allocated after it and its sweep, within what came since
    check("the live heap is about MemStats.HeapAlloc (no /gc/heap/live:bytes)",
          0 < heap["live_bytes"] <= f["heapinuse"] and
          abs(heap["live_bytes"] - f["heapalloc"]) <= f["heapalloc"] // 4,
          f"{heap['live_bytes']} vs {f['heapalloc']}")
check(f"GOGC is {GOGC} as set", rt["gogc"] == GOGC and
      f.get("/gc/gogc:percent", GOGC) == GOGC, rt["gogc"])
check(f"GOMEMLIMIT is 123MiB as set", rt["gomemlimit_bytes"] == GOMEMLIMIT and
      f.get("/gc/gomemlimit:bytes", GOMEMLIMIT) == GOMEMLIMIT, rt["gomemlimit_bytes"])
check(f"GOMAXPROCS is {GOMAXPROCS} as set",
      rt["gomaxprocs"] == GOMAXPROCS == f["gomaxprocs"], rt["gomaxprocs"])
check("threads are the process's threads", rt["threads"] == tasks,
      f"{rt['threads']} vs {tasks} in /proc")
