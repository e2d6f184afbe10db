#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# gen_capture.py OUT RECORDS: a synthetic capture file of a Go server, for
# measuring what reads captures (docs/PERFORMANCE.md, "Reading a capture"):
# 1000 goroutines of process 100 cycle through READY, START, two syscalls
# and PARK (5 records per cycle) on 4 CPUs, drained in runs of 4096
# records per CPU as capture drains them.
import random
import struct
import sys

n_rec = int(sys.argv[2]); N = 1000; cpus = 4
random.seed(1)
def sec(t, payload):
    pad = b"\0" * (-len(payload) % 8)
    return struct.pack("<IIQ", t, 0, len(payload)) + payload + pad
def go(typ, tid, ts, hgoid, goid, other=0, pc=0, spc=0, reason=0, cpu=0):
    return struct.pack("<HHHHIIQQQQQQII", typ, 72, 0, cpu, 100, tid, ts, hgoid, goid, other, pc, spc, reason, 0)
def sc(tid, ts, goid, nr, dur, ret, cpu):
    return struct.pack("<HHHHIIQQQQqII", 2, 64, 0, cpu, 100, tid, ts, goid, ts - dur, dur, ret, nr, 0)
T0 = 10**9
per_cpu = [[] for _ in range(cpus)]
ts = T0
for g in range(2, N + 2):
    ts += 100
    per_cpu[0].append(go(3, 100, ts, 1, g, 1, 0x1000, 0x2000, 0, 0))
cnt = N
while cnt < n_rec:
    g = random.randint(2, N + 1); c = random.randrange(cpus); tid = 200 + c
    ts += 1000
    per_cpu[c].append(go(6, tid, ts, 0, g, 1, cpu=c)); ts += 500
    per_cpu[c].append(go(4, tid, ts, 0, g, cpu=c)); ts += 3000
    per_cpu[c].append(sc(tid, ts, g, 0, 2000, 512, c)); ts += 3000
    per_cpu[c].append(sc(tid, ts, g, 1, 1500, 512, c)); ts += 500
    per_cpu[c].append(go(5, tid, ts, g, g, reason=2, cpu=c))
    cnt += 5
out = b"GODIAGCF" + struct.pack("<IIII", 1, 24, 1, 0)
out += sec(1, b"mode=discard\nstart_monotonic_ns=%d\n" % T0)
reasons = b"\0GC assist marking\0IO wait\0"
out += sec(7, struct.pack("<IIII", 100, 3, len(reasons), 0) + b"go1.23.5".ljust(32, b"\0") + struct.pack("<Q", 0) + reasons)
total = 0; nbytes = 0
# drained in chunks of 4096 records per CPU, CPU after CPU
chunk = 4096
pos = [0] * cpus
while any(pos[c] < len(per_cpu[c]) for c in range(cpus)):
    for c in range(cpus):
        part = per_cpu[c][pos[c]:pos[c] + chunk]; pos[c] += chunk
        if part:
            data = b"".join(part); total += len(part); nbytes += len(data)
            out += sec(3, data)
strs = b"main.main\0/app/main.go\0main.worker\0"
syms = struct.pack("<QIIII", 0x1000, 0, 10, 10, 0) + struct.pack("<QIIII", 0x2000, 23, 10, 20, 0)
out += sec(8, struct.pack("<IIII", 100, 2, len(strs), 0) + syms + strs)
out += sec(6, struct.pack("<QQQQ", 1, ts + 1000, total, nbytes))
open(sys.argv[1], "wb").write(out)
print(total, "records", len(out), "bytes")
