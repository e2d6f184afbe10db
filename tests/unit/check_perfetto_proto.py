#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks a 'godiagctl export --format perfetto-proto' trace with a decoder
of its own: 'protoc --decode_raw' (Debian's protobuf-compiler), which
knows the wire format but not Perfetto's messages, so the field numbers
below are this checker's, taken from Perfetto's trace_packet.proto,
track_event/*.proto and interned_data.proto, not from the exporter.

usage: check_perfetto_proto.py TRACE.pftrace REPORT.json TRACE.json [FLOWS]

REPORT.json is 'godiagctl report --json' and TRACE.json the JSON export
('--format perfetto') of the same capture. Checked:
  - protoc parses the file; it is a Trace (only field 1, packets), every
    packet of sequence 1, the first one clearing the incremental state,
    each one that names an interned string flagged as needing it;
  - every interned name, category, argument name and string resolves to
    one defined before (in this packet or an earlier one), and no iid is
    defined twice;
  - every track is described (uuid, a parent described before it) before
    its first event; events name a type; on each track the timestamps do
    not go back and every SLICE_BEGIN has its SLICE_END (a stack);
  - the goroutine tracks ("G<id> ...", children of a process track) are
    the goroutines the report lists, and each one's running, runnable and
    blocked slices add up to the report's running_ns, runnable_ns and
    blocked_ns;
  - every flow id has one start (flow_ids) and one end
    (terminating_flow_ids), and a "create" flow goes from the goroutine's
    parent to it; FLOWS, when given ("create:1>2,ready:2>1"), are all the
    flows;
  - the events are those of the JSON export: each slice, instant and
    flow end of one is one of the other, with the same track (goroutine,
    thread or global), category, name, time, duration and arguments.
Prints one line per failed check and a summary, and exits 1 when any
failed (2 when protoc is missing).
"""
import json
import shutil
import subprocess
import sys
from collections import defaultdict

# Trace and TracePacket (trace.proto, trace_packet.proto)
PACKET, TIMESTAMP, TRACK_EVENT, SEQ_ID, INTERNED, SEQ_FLAGS, DESCRIPTOR = 1, 8, 11, 10, 12, 13, 60
CLEARED, NEEDS = 1, 2
# TrackDescriptor, ProcessDescriptor, ThreadDescriptor
T_UUID, T_NAME, T_PROCESS, T_THREAD, T_PARENT = 1, 2, 3, 4, 5
P_PID = 1
# TrackEvent
E_CATS, E_ANNOTS, E_TYPE, E_NAME_IID, E_TRACK, E_NAME, E_FLOWS, E_TERM = 3, 4, 9, 10, 11, 23, 47, 48
BEGIN, END, INSTANT = 1, 2, 3
# DebugAnnotation
A_NAME_IID, A_UINT, A_INT, A_STR, A_STR_IID = 1, 3, 4, 6, 17
# InternedData: event_categories, event_names, debug_annotation_names,
# debug_annotation_string_values; each entry {1: iid, 2: name}
TABLES = {1: "category", 2: "name", 3: "annotation name", 29: "string"}


class Fixed(int):
    """A fixed32 or fixed64 value (protoc prints them in hex, 8 or 16 digits)."""
    def __new__(cls, text):
        v = int.__new__(cls, text, 16)
        v.size = (len(text) - 2) // 2
        return v


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def encode(msg):
    """The bytes of a message protoc printed: a string it took for one."""
    out = bytearray()
    for f, v in msg:
        if isinstance(v, Fixed):
            out += varint(f << 3 | (5 if v.size == 4 else 1)) + v.to_bytes(v.size, "little")
        elif isinstance(v, int):
            out += varint(f << 3) + varint(v)
        else:
            b = encode(v) if isinstance(v, list) else v
            out += varint(f << 3 | 2) + varint(len(b)) + b
    return bytes(out)


def text(v):
    """A string field's value: protoc prints the bytes of some strings as the
    message they happen to parse as ("pread64" is {14: 114, 12: 0x34366461})."""
    if isinstance(v, list):
        v = encode(v)
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


def unquote(s):
    """A C-escaped string as protoc prints it: its bytes."""
    out = bytearray()
    i = 1
    while i < len(s) - 1:
        c = s[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = s[i + 1]
        if n in "01234567":
            j = i + 1
            while j < i + 4 and s[j] in "01234567":
                j += 1
            out.append(int(s[i + 1:j], 8))
            i = j
        elif n == "x":
            j = i + 2
            while j < len(s) - 1 and s[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(s[i + 2:j], 16))
            i = j
        else:
            out += {"n": b"\n", "t": b"\t", "r": b"\r", "\\": b"\\", "'": b"'",
                    '"': b'"', "a": b"\a", "b": b"\b", "f": b"\f", "v": b"\v"}[n]
            i += 2
    return bytes(out)


def parse(text):
    """protoc --decode_raw's text: a message is a list of (field, value)."""
    stack = [[]]
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line == "}":
            done = stack.pop()
            stack[-1][-1] = (stack[-1][-1][0], done)
            continue
        if line.endswith("{"):
            stack[-1].append((int(line[:-1].strip()), None))
            stack.append([])
            continue
        key, _, val = line.partition(": ")
        if val.startswith('"'):
            v = unquote(val)
        elif val.startswith("0x"):
            v = Fixed(val)
        else:
            v = int(val)
        stack[-1].append((int(key), v))
    if len(stack) != 1:
        raise ValueError("unbalanced braces in protoc's output")
    return stack[0]


def get(msg, field, default=None):
    for f, v in msg:
        if f == field:
            return v
    return default


def all_of(msg, field):
    return [v for f, v in msg if f == field]


def s64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


class Checker:
    def __init__(self):
        self.bad = []
        self.tables = {t: {} for t in TABLES}
        self.tracks = {}        # uuid -> descriptor dict
        self.last_ts = {}       # uuid -> ts
        self.open = defaultdict(list)   # uuid -> [(ts, name, cat, annots)]
        self.slices = []        # (uuid, name, cat, annots, ts, dur)
        self.instants = []      # (uuid, name, cat, annots, ts, flows, terms)

    def fail(self, msg):
        if len(self.bad) < 50:
            self.bad.append(msg)

    def resolve(self, table, iid, where):
        s = self.tables[table].get(iid)
        if s is None:
            self.fail("%s: %s iid %r not interned before" % (where, TABLES[table], iid))
            return "?"
        return s

    def intern(self, data, where):
        for f, entries in data:
            if f not in self.tables or not isinstance(entries, list):
                self.fail("%s: unexpected interned field %d" % (where, f))
                continue
            iid, name = get(entries, 1), text(get(entries, 2))
            if not isinstance(iid, int) or not isinstance(name, str):
                self.fail("%s: bad interned %s %r" % (where, TABLES[f], entries))
            elif iid in self.tables[f]:
                self.fail("%s: %s iid %d defined twice" % (where, TABLES[f], iid))
            else:
                self.tables[f][iid] = name

    def descriptor(self, d, where):
        uuid = get(d, T_UUID)
        if not uuid or uuid in self.tracks:
            self.fail("%s: track uuid %r missing or described twice" % (where, uuid))
            return
        parent = get(d, T_PARENT)
        if parent is not None and parent not in self.tracks:
            self.fail("%s: track %d's parent %d not described before" % (where, uuid, parent))
        proc, thread = get(d, T_PROCESS), get(d, T_THREAD)
        self.tracks[uuid] = {
            "name": text(get(d, T_NAME)), "parent": parent,
            "pid": get(proc, P_PID) if isinstance(proc, list) else None,
            "thread": get(thread, 2) if isinstance(thread, list) else None,
            "thread_pid": get(thread, 1) if isinstance(thread, list) else None,
        }

    def annotations(self, ev, where):
        out = {}
        for a in all_of(ev, E_ANNOTS):
            key = self.resolve(3, get(a, A_NAME_IID), where)
            if get(a, A_STR_IID) is not None:
                out[key] = self.resolve(29, get(a, A_STR_IID), where)
            elif get(a, A_STR) is not None:
                out[key] = text(get(a, A_STR))
            elif get(a, A_INT) is not None:
                out[key] = s64(get(a, A_INT))
            else:
                out[key] = get(a, A_UINT)
        return out

    def event(self, ev, ts, where):
        uuid = get(ev, E_TRACK)
        kind = get(ev, E_TYPE)
        if uuid not in self.tracks:
            self.fail("%s: event on track %r not described before" % (where, uuid))
            return
        if ts is None:
            self.fail("%s: event without a timestamp" % where)
            return
        if ts < self.last_ts.get(uuid, 0):
            self.fail("%s: track %d: ts %d after %d" % (where, uuid, ts, self.last_ts[uuid]))
        self.last_ts[uuid] = ts
        if kind == END:
            if not self.open[uuid]:
                self.fail("%s: track %d: SLICE_END with no slice open" % (where, uuid))
                return
            t0, name, cat, annots = self.open[uuid].pop()
            self.slices.append((uuid, name, cat, annots, t0, ts - t0))
            return
        if kind not in (BEGIN, INSTANT):
            self.fail("%s: event type %r" % (where, kind))
            return
        if get(ev, E_NAME_IID) is not None:
            name = self.resolve(2, get(ev, E_NAME_IID), where)
        else:
            name = text(get(ev, E_NAME))
        cats = [self.resolve(1, c, where) for c in all_of(ev, E_CATS)]
        cat = cats[0] if len(cats) == 1 else None
        if not isinstance(name, str) or cat is None:
            self.fail("%s: event without one name and one category" % where)
        annots = self.annotations(ev, where)
        if kind == BEGIN:
            self.open[uuid].append((ts, name, cat, annots))
        else:
            self.instants.append((uuid, name, cat, annots, ts, all_of(ev, E_FLOWS),
                                  all_of(ev, E_TERM)))

    def packet(self, n, p):
        where = "packet %d" % n
        if not isinstance(p, list):
            self.fail("%s: not a message" % where)
            return
        if get(p, SEQ_ID) != 1:
            self.fail("%s: sequence %r, want 1" % (where, get(p, SEQ_ID)))
        flags = get(p, SEQ_FLAGS, 0)
        if n == 0 and not flags & CLEARED:
            self.fail("%s: the first packet does not clear the incremental state" % where)
        data = get(p, INTERNED)
        if data is not None:
            self.intern(data, where)
        desc, ev = get(p, DESCRIPTOR), get(p, TRACK_EVENT)
        if (desc is None) == (ev is None):
            self.fail("%s: not one track descriptor or one track event" % where)
        if desc is not None:
            self.descriptor(desc, where)
        if ev is not None:
            uses = data is not None or get(ev, E_NAME_IID) is not None or get(ev, E_CATS) \
                is not None or get(ev, E_ANNOTS) is not None
            if uses and not flags & NEEDS:
                self.fail("%s: names interned strings without SEQ_NEEDS_INCREMENTAL_STATE"
                          % where)
            self.event(ev, get(p, TIMESTAMP), where)


def goroutines(c):
    """(pid, goid) -> uuid of the goroutine tracks."""
    out = {}
    for uuid, t in c.tracks.items():
        name = t["name"]
        if not name or not name.startswith("G"):
            continue
        parent = c.tracks.get(t["parent"])
        if not parent or parent["pid"] is None:
            c.fail("goroutine track %r is not a child of a process track" % name)
            continue
        key = (parent["pid"], int(name.split()[0][1:]))
        if key in out:
            c.fail("two tracks for goroutine %d of %d" % (key[1], key[0]))
        out[key] = uuid
    return out


def check_report(c, goros, report):
    rows = report.get("goroutines", {}).get("list", [])
    listed = {(g["pid"], g["goroutine"]): g for g in rows}
    for k in goros:
        if k not in listed:
            c.fail("goroutine track %r the report does not list" % (k,))
    for k, g in listed.items():
        if g["running_ns"] + g["runnable_ns"] + g["blocked_ns"] and k not in goros:
            c.fail("goroutine %r of the report has no track" % (k,))
    sums = defaultdict(int)
    for uuid, name, cat, annots, ts, dur in c.slices:
        if cat == "goroutine":
            sums[(uuid, annots.get("state"))] += dur
    for k, uuid in goros.items():
        g = listed.get(k)
        for state in ("running", "runnable", "blocked"):
            if g and sums[(uuid, state)] != g[state + "_ns"]:
                c.fail("goroutine %r: %s %d in the trace, %d in the report"
                       % (k, state, sums[(uuid, state)], g[state + "_ns"]))
    return listed


def check_flows(c, goros, listed, want):
    goid_of = {uuid: k[1] for k, uuid in goros.items()}
    starts, ends = defaultdict(list), defaultdict(list)
    for uuid, name, cat, annots, ts, fl, term in c.instants:
        for f in fl:
            starts[f].append((uuid, name))
        for f in term:
            ends[f].append((uuid, name))
    flows = []
    for fid in set(starts) | set(ends):
        if len(starts[fid]) != 1 or len(ends[fid]) != 1:
            c.fail("flow %d: %d starts and %d ends" % (fid, len(starts[fid]), len(ends[fid])))
            continue
        (su, sname), (du, dname) = starts[fid][0], ends[fid][0]
        src, dst = goid_of.get(su), goid_of.get(du)
        if sname != dname:
            c.fail("flow %d: starts as %s, ends as %s" % (fid, sname, dname))
        flows.append("%s:%s>%s" % (sname, src, dst))
        if sname == "create":
            pid = c.tracks[c.tracks[du]["parent"]]["pid"]
            g = listed.get((pid, dst))
            if not g or g.get("parent") != src:
                c.fail("create flow %s>%s: the report's parent is %r"
                       % (src, dst, g and g.get("parent")))
    if want is not None and sorted(flows) != sorted(want.split(",")):
        c.fail("flows %s, want %s" % (",".join(sorted(flows)), want))
    return flows


def args_key(args):
    return tuple(sorted((k, str(v)) for k, v in args.items()))


def json_events(trace):
    """The JSON export's events: (track, kind, category, name, ts, dur, args)."""
    names = {}
    for e in trace["traceEvents"]:
        if e["ph"] == "M" and e["name"] == "thread_name":
            names[(e["pid"], e["tid"])] = e["args"]["name"]
    out = []
    for e in trace["traceEvents"]:
        ph = e["ph"]
        if ph == "M":
            continue
        name = names.get((e["pid"], e["tid"]), "")
        if ph == "i" and e.get("s") == "g":
            track = ("global",)
        elif name.startswith("G"):
            track = ("G", e["pid"], int(name.split()[0][1:]))
        else:
            track = ("T", e["pid"], e["tid"])
        kind = {"X": "slice", "i": "instant", "s": "flow start", "f": "flow end"}[ph]
        out.append((track, kind, e.get("cat"), e["name"], round(e["ts"] * 1000),
                    round(e.get("dur", 0) * 1000), args_key(e.get("args", {}))))
    return out


def proto_events(c, goros):
    track_goro = {uuid: ("G",) + k for k, uuid in goros.items()}

    def track(uuid):
        if uuid in track_goro:
            return track_goro[uuid]
        t = c.tracks[uuid]
        if t["thread"] is not None:
            return ("T", t["thread_pid"], t["thread"])
        return ("global",)
    out = []
    for uuid, name, cat, annots, ts, dur in c.slices:
        out.append((track(uuid), "slice", cat, name, ts, dur, args_key(annots)))
    for uuid, name, cat, annots, ts, fl, term in c.instants:
        kind = "flow start" if fl else "flow end" if term else "instant"
        out.append((track(uuid), kind, cat, name, ts, 0, args_key(annots)))
    return out


def check_json(c, goros, trace):
    """Each event of the JSON is one of the proto, on the same track, and back."""
    want = defaultdict(int)
    for e in json_events(trace):
        want[e] += 1
    got = defaultdict(int)
    for e in proto_events(c, goros):
        got[e] += 1
    for k in sorted(set(want) | set(got), key=repr):
        if want[k] != got[k]:
            c.fail("%d times in the proto, %d in the JSON: %r" % (got[k], want[k], k))


def main():
    if len(sys.argv) < 4:
        print(__doc__.split("\n\n")[1])
        return 2
    protoc = shutil.which("protoc")
    if not protoc:
        print("protoc not found: install Debian's protobuf-compiler (make deps)")
        return 2
    with open(sys.argv[1], "rb") as f:
        raw = subprocess.run([protoc, "--decode_raw"], stdin=f, capture_output=True)
    if raw.returncode:
        print("protoc --decode_raw failed: %s" % raw.stderr.decode().strip())
        return 1
    report = json.load(open(sys.argv[2]))
    trace = json.load(open(sys.argv[3]))
    want_flows = sys.argv[4] if len(sys.argv) > 4 else None
    c = Checker()
    packets = parse(raw.stdout.decode())
    for n, (field, p) in enumerate(packets):
        if field != PACKET:
            c.fail("Trace field %d (only packets, field 1)" % field)
            continue
        c.packet(n, p)
    for uuid, stack in c.open.items():
        if stack:
            c.fail("track %d: %d slices never end" % (uuid, len(stack)))
    goros = goroutines(c)
    listed = check_report(c, goros, report)
    flows = check_flows(c, goros, listed, want_flows)
    check_json(c, goros, trace)
    for b in c.bad:
        print(b)
    print("%d packets, %d tracks, %d goroutine tracks, %d slices, %d instants, %d flows"
          % (len(packets), len(c.tracks), len(goros), len(c.slices), len(c.instants),
             len(flows)))
    return 1 if c.bad else 0


if __name__ == "__main__":
    sys.exit(main())
