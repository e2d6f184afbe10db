#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks one run of `godiagctl goroutines` on tests/progs/go/godump
against the program's own truth (its runtime.Stack of every goroutine and
the counts it was written with). Called by test_goroutines.sh:

    check_goroutines.py NAME DIR ELAPSED_NS

DIR holds truth (the program's), all.json (--all --json), groups.json
(--json), minwait.json (--min-wait 1s --all --json), traces.txt
(go tool pprof -traces of --format pprof). ELAPSED_NS bounds every wait
from above: the time since the test started the program. Prints
"ok NAME: what" or "FAIL NAME: what" per check."""
import json
import re
import sys

NRECV, NSEND, NMUTEX, NSLEEP, NCONN, DEPTH = 5, 3, 4, 6, 2, 7
LEAK_AGE_NS = 1_000_000_000

name, d, elapsed = sys.argv[1], sys.argv[2], int(sys.argv[3])
failed = False


def check(what, cond, detail=""):
    global failed
    if cond:
        print(f"ok {name}: {what}")
    else:
        failed = True
        print(f"FAIL {name}: {what}")
        if detail:
            for line in str(detail).splitlines()[:20]:
                print(f"#   {line}")


def load(f):
    with open(f"{d}/{f}") as fh:
        return json.load(fh)


def shown(fn):
    """Whether Go's tracebacks show a frame of fn (runtime.showframe at
    the default level: not the runtime's unexported functions)."""
    if fn.startswith("runtime."):
        return fn[8:9].isupper()
    return "." in fn


def parse_truth():
    """goroutine id -> (state or reason, [functions]) from runtime.Stack."""
    with open(f"{d}/truth") as fh:
        text = fh.read()
    head, _, rest = text.partition("\n\n")
    meta = dict(kv.split("=", 1) for kv in head.split()[1:])
    gs = {}
    for blk in rest.split("\n\n"):
        lines = blk.strip("\n").split("\n")
        m = re.match(r"goroutine (\d+) \[([^\]]*)\]:$", lines[0])
        if not m:
            continue
        funcs = []
        for ln in lines[1:]:
            if ln.startswith("\t") or ln.startswith("created by ") or \
                    ln.startswith("..."):
                continue
            funcs.append(ln.rsplit("(", 1)[0])
        gs[int(m.group(1))] = (m.group(2).split(", ")[0], funcs)
    return meta, gs


def what(g):
    return g["reason"] if g["reason"] else g["state"]


def funcs_of(g):
    return [f["function"] or "?" for f in g["stack"] if shown(f["function"] or "?")]


meta, truth = parse_truth()
alld, groups, minw = load("all.json"), load("groups.json"), load("minwait.json")
leak = int(meta["leak"])
mine = {g["id"]: g for g in alld["goroutines"]}
mutex = "semacquire" if meta["go"].startswith("go1.19") else "sync.Mutex.Lock"

# -- the shape of the JSON --
keys = {"id", "state", "reason", "wait_ns", "start", "creator", "stack"}
check("every goroutine has the keys of the issue",
      all(keys <= set(g) for g in alld["goroutines"]) and alld["goroutines"] and
      all({"function", "file", "line"} <= set(f) for g in alld["goroutines"]
          for f in g["stack"]))
check("every group has count, state, reason, stack",
      groups["groups"] and all({"count", "state", "reason", "stack"} <= set(g)
                               for g in groups["groups"]))
check("nothing skipped, the list did not change",
      alld["skipped"] == 0 and not alld["changed"] and groups["skipped"] == 0,
      f"skipped {alld['skipped']}, changed {alld['changed']}")

# -- every goroutine by its start function, with its state --
hb = [g for g in alld["goroutines"] if g["start"] == "main.(*heartbeat).run"]
want = {
    ("main.(*worker).receive", "chan receive"): NRECV,
    ("main.startSenders.func1", "chan send"): NSEND,
    ("main.locker", mutex): NMUTEX,
    ("main.startSleepers.func1", "sleep"): NSLEEP,
    ("main.deep", "chan receive"): 1,
    ("main.leak", "chan receive"): 1,
    ("net/http.(*conn).serve", "IO wait"): NCONN,
    ("net/http.(*Server).Serve", "IO wait"): 1,
    ("runtime.main", "select (no cases)"): 1,
}
got = {}
for g in alld["goroutines"]:
    if g["start"] != "main.(*heartbeat).run":
        got[(g["start"], what(g))] = got.get((g["start"], what(g)), 0) + 1
check("goroutines by start function and state are exact", got == want,
      f"got {sorted(got.items())}\nwant {sorted(want.items())}")
check("one heartbeat, and the total is exact",
      len(hb) == 1 and alld["shown"] == sum(want.values()) + 1,
      f"heartbeats {len(hb)}, shown {alld['shown']}")
check("the runtime's goroutines are hidden and counted",
      alld["hidden_system"] >= 3 and
      alld["total"] == alld["shown"] + alld["hidden_system"])

# -- stacks against runtime.Stack, goroutine by goroutine --
skip = {1, int(meta["heartbeat"])}
bad = []
for gid, (state, funcs) in sorted(truth.items()):
    if gid in skip:
        continue
    g = mine.get(gid)
    if g is None:
        bad.append(f"goroutine {gid} [{state}] is not in the dump")
    elif what(g) != state or funcs_of(g) != funcs:
        bad.append(f"goroutine {gid}: [{what(g)}] {funcs_of(g)}\n"
                   f"  runtime.Stack: [{state}] {funcs}")
extra = set(mine) - set(truth) - skip
check(f"the stacks of {len(truth) - 2} goroutines match runtime.Stack's",
      not bad and not extra and len(truth) >= sum(want.values()),
      "\n".join(bad) + (f"\nnot in runtime.Stack: {sorted(extra)}" if extra else ""))

deep = [g for g in alld["goroutines"] if g["start"] == "main.deep"]
check(f"the recursion shows {DEPTH + 1} frames of main.deep",
      len(deep) == 1 and funcs_of(deep[0]).count("main.deep") == DEPTH + 1 and
      not deep[0]["truncated"])
creators = {g["creator"] for g in alld["goroutines"]
            if g["start"] in ("main.(*worker).receive", "main.locker")}
check("the creator is the function of the go statement", creators == {"main.main"},
      creators)
if int(meta["go"].split(".")[1]) >= 21:
    check("the creating goroutine's id is known (go1.21+)",
          all(g.get("creator_id") == 1 for g in alld["goroutines"]
              if g["start"] == "main.locker"))

# -- groups as debug=1 --
by_last = {}
for gr in groups["groups"]:
    fs = [f["function"] or "?" for f in gr["stack"]]
    by_last.setdefault(fs[-1] if fs else "-", []).append((gr["count"], what(gr)))
want_groups = {
    "main.(*worker).receive": [(NRECV, "chan receive")],
    "main.startSenders.func1": [(NSEND, "chan send")],
    "main.locker": [(NMUTEX, mutex)],
    "main.startSleepers.func1": [(NSLEEP, "sleep")],
    "main.leak": [(1, "chan receive")],
    "net/http.(*conn).serve": [(NCONN, "IO wait")],
    "net/http.(*Server).Serve": [(1, "IO wait")],
    "runtime.main": [(1, "select (no cases)")],
}
got_groups = {k: v for k, v in by_last.items() if k in want_groups}
deepg = [gr for gr in groups["groups"] if gr["stack"] and
         gr["stack"][-1]["function"] == "main.deep"]
check("the groups and their counts are exact",
      got_groups == want_groups and len(deepg) == 1 and deepg[0]["count"] == 1 and
      len(groups["groups"]) == len(want_groups) + 2 and
      sum(gr["count"] for gr in groups["groups"]) == groups["shown"],
      f"{sorted(by_last.items())}")

# -- --min-wait finds the leak, and only it --
mw = minw["goroutines"]
check("--min-wait 1s finds exactly the leaked goroutine",
      len(mw) == 1 and mw[0]["id"] == leak, [(g["id"], g["start"]) for g in mw])
check("its wait is at least what the program waited, at most since it started",
      len(mw) == 1 and LEAK_AGE_NS <= (mw[0]["wait_ns"] or 0) <= elapsed,
      f"wait_ns {mw[0]['wait_ns'] if mw else None}, elapsed {elapsed}")
check("no goroutine started after the last GC has a wait",
      all(g["wait_ns"] is None for g in alld["goroutines"] if g["id"] != leak))

# -- the pprof profile, as go tool pprof -traces reads it --
with open(f"{d}/traces.txt") as fh:
    traces = fh.read()
samples = []
for blk in traces.split("-----------+")[1:]:
    count, funcs = None, []
    for ln in blk.split("\n")[1:]:
        m = re.match(r"^\s+(\d+)\s+(\S.*?)(?: \(inline\))?$", ln)
        if m and count is None:
            count = int(m.group(1))
            funcs.append(m.group(2))
        elif count is not None and ln.strip():
            funcs.append(re.sub(r" \(inline\)$", "", ln.strip()))
    if count is not None:
        samples.append((count, funcs))
check("go tool pprof reads the profile: counts add up",
      sum(c for c, _ in samples) == groups["shown"],
      f"{sum(c for c, _ in samples)} vs {groups['shown']}\n{traces[:600]}")
check("go tool pprof shows the receivers' stack with their count",
      any(c == NRECV and f[-1] == "main.(*worker).receive" for c, f in samples),
      samples)
sys.exit(1 if failed else 0)
