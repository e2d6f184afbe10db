#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks a 'godiagctl export --format perfetto' trace against the
'godiagctl report --json' of the same capture.

usage: check_perfetto.py TRACE.json REPORT.json [FLOWS]

The trace is valid JSON in the Chrome trace-event format; every slice is a
complete event ("X") with a duration; on each track the events come in
time order and slices nest (a slice ends before the next one on its track
starts, or lies inside it); the goroutine tracks ("G<id> ...") are the
goroutines the report lists, and each one's running, runnable and blocked
slices add up to the report's running_ns, runnable_ns and blocked_ns;
every flow has its start and its end, and a "create" flow goes from the
goroutine's parent to it. FLOWS: when given, "create:1>2,ready:2>1" are
all the flows the trace must have. Prints one line per failed check and
exits 1 when any failed.
"""
import json
import sys
from collections import defaultdict


def ns(us):
    return round(us * 1000)


def main():
    trace = json.load(open(sys.argv[1]))
    report = json.load(open(sys.argv[2]))
    want_flows = sys.argv[3] if len(sys.argv) > 3 else None
    bad = []
    events = trace["traceEvents"]
    names = {}
    tracks = defaultdict(list)
    for e in events:
        for key in ("ph", "pid", "tid", "name"):
            if key not in e:
                bad.append("an event without %s: %r" % (key, e))
        if e.get("ph") == "M":
            if e["name"] == "thread_name":
                names[(e["pid"], e["tid"])] = e["args"]["name"]
            continue
        if e["ph"] in ("B", "E"):
            bad.append("a B/E event (slices are X): %r" % e)
        if e["ph"] == "X" and e.get("dur", -1) < 0:
            bad.append("a slice without a duration: %r" % e)
        if e["ph"] != "i" or e.get("s") != "g":
            tracks[(e["pid"], e["tid"])].append(e)

    for key, evs in tracks.items():
        stack = []
        last = None
        for e in evs:
            ts = ns(e["ts"])
            if last is not None and ts < last:
                bad.append("track %r: ts %d after %d" % (key, ts, last))
            last = ts
            if e["ph"] != "X":
                continue
            end = ts + ns(e["dur"])
            while stack and stack[-1] <= ts:
                stack.pop()
            if stack and end > stack[-1]:
                bad.append("track %r: slice %s at %d..%d crosses its parent's end %d"
                           % (key, e["name"], ts, end, stack[-1]))
            stack.append(end)

    goros = {}
    for key, name in names.items():
        if name.startswith("G"):
            goid = int(name.split()[0][1:])
            if (key[0], goid) in goros:
                bad.append("two tracks for goroutine %d of %d" % (goid, key[0]))
            goros[(key[0], goid)] = key
    rows = report.get("goroutines", {}).get("list", [])
    listed = {(g["pid"], g["goroutine"]): g for g in rows}
    # Goroutines with no interval (only exits seen) have no slices: a
    # track of the trace is one of the report's, and one that spent time
    # in a state has its track.
    for k in goros:
        if k not in listed:
            bad.append("goroutine track %r the report does not list" % (k,))
    for k, g in listed.items():
        if g["running_ns"] + g["runnable_ns"] + g["blocked_ns"] and k not in goros:
            bad.append("goroutine %r of the report has no track" % (k,))
    for k, key in goros.items():
        sums = defaultdict(int)
        for e in tracks[key]:
            if e["ph"] == "X" and e.get("cat") == "goroutine":
                sums[e["args"]["state"]] += ns(e["dur"])
        g = listed.get(k)
        if not g:
            continue
        for state in ("running", "runnable", "blocked"):
            if sums[state] != g[state + "_ns"]:
                bad.append("goroutine %r: %s %d in the trace, %d in the report"
                           % (k, state, sums[state], g[state + "_ns"]))

    starts, ends = {}, {}
    for e in events:
        if e["ph"] == "s":
            starts[e["id"]] = e
        elif e["ph"] == "f":
            ends[e["id"]] = e
    if set(starts) != set(ends):
        bad.append("flows without both ends: %r" % (set(starts) ^ set(ends)))
    goid_of = {key: k[1] for k, key in goros.items()}
    flows = []
    for fid, s in starts.items():
        f = ends.get(fid)
        if not f:
            continue
        src = goid_of.get((s["pid"], s["tid"]))
        dst = goid_of.get((f["pid"], f["tid"]))
        flows.append("%s:%s>%s" % (s["name"], src, dst))
        if s["name"] == "create":
            g = listed.get((f["pid"], dst))
            if not g or g.get("parent") != src:
                bad.append("create flow %s>%s: the report's parent is %r"
                           % (src, dst, g and g.get("parent")))
    if want_flows is not None and sorted(flows) != sorted(want_flows.split(",")):
        bad.append("flows %s, want %s" % (",".join(sorted(flows)), want_flows))

    for b in bad:
        print(b)
    print("%d events, %d goroutine tracks, %d flows" % (len(events), len(goros), len(flows)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
