#!/usr/bin/env python3
"""make check-layers: the tree's layers, checked on the objects and includes.

Three rules, each a failure when broken (docs/ARCHITECTURE.md, "Layers"):

 1. No file cycles.  The symbol graph of the object files (nm on
    BUILD/<folder>/**/*.o for every folder of the table below): an object
    that uses an undefined symbol defined by another object depends on it.
    Every strongly connected component of more than one file is printed as
    chains of files, each edge with one symbol that makes it.
 2. No object uses a symbol defined in a folder above its own in LAYERS.
 3. No source file includes another folder's internal header (*_int.h),
    nor a plugin's internal header (every header of a folder of PLUGINS
    but its interface) from outside that plugin, and none includes a
    header of a folder above its own in LAYERS, unless the pair is listed
    in EXCEPTIONS.  tests/ may include a plugin's internal headers (its
    unit tests and fuzz harnesses test those modules), never a *_int.h.

Usage: tools/check_layers.py [--root DIR] [BUILD_DIR]
  BUILD_DIR  the build directory, relative to the root (default: build);
             the objects must be built: `make check-layers` builds them.
  --root DIR the source tree (default: the one this script is in); the
             test tests/integration/layers.sh points it at a scratch tree
             with planted faults to show each rule fails.
Exit status 0 when the tree keeps every rule, 1 when it breaks one (each
problem printed), 2 on usage errors or when there is nothing to check.
Python 3 standard library and binutils nm only.
"""

import os
import re
import subprocess
import sys

# The layer order, lowest first.  A folder may use (include, call) only its
# own layer and the layers below it.  Sub-folders belong to the nearest
# folder listed here unless listed themselves.  `tests`, `bench` and `tools`
# are programs on top of everything: their includes are checked, their
# objects (each with its own main()) are not part of the symbol graph.
LAYERS = [
    # rank folder       what lives there
    (0, "common"),      # shared primitives: event, time, codec, JSON, log
    (1, "store"),       # the RocksDB store: key layouts, commit, disk guard
    (2, "http"),        # the HTTP server, its route table, access tokens
    (3, "ingest"),      # ZeroMQ protocol and sinks; in_webhook/, in_tail/
    (4, "correlate"),   # grouping signals into incidents
    (5, "review"),      # postmortem lint (uses common only)
    (6, "postmortem"),  # finished postmortems read back, follow-ups, reminders
    (7, "analyze"),     # queries, recurrence, classes over stored incidents
    (8, "render"),      # drafts, templates, delivery
    (9, "cli"),         # the two binaries and their subcommands
    (10, "tests"),
    (10, "bench"),
    (10, "tools"),
]

# Plugin folders, in the manner of Fluent Bit's plugins/in_*: the headers
# listed are the plugin's interface to the rest of the tree; every other
# header of the folder is internal to the plugin.
PLUGINS = {
    "ingest/in_webhook": {"wh_daemon.h", "wh_hooks.h", "wh_source.h", "wh_record.h"},
    "ingest/in_tail": {"tail_daemon.h", "tail_config.h", "tail_run.h", "tail_rule.h"},
}
# Folders that may include a plugin's internal headers (not *_int.h).
PLUGIN_TESTERS = {"tests"}

# Folders whose objects form the symbol graph (linked into the binaries).
LINKED = ["common", "store", "http", "ingest", "correlate", "review", "postmortem", "analyze",
          "render", "cli"]

# Known includes that go up a layer: (including file, included header,
# why and which move of issue #14 removes it).  Empty: the tree has none.
EXCEPTIONS = [
]

# Symbols defined more than once on purpose (each binary's entry point).
MULTI_DEFINED = {"main"}

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # --root
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def layer_of(path):
    """The (rank, folder) of a repository-relative path, or None."""
    best = None
    for rank, folder in LAYERS:
        if path == folder or path.startswith(folder + "/"):
            if best is None or len(folder) > len(best[1]):
                best = (rank, folder)
    return best


def source_files():
    """Every .c and .h below the folders of LAYERS, repository-relative."""
    out = []
    for _, folder in LAYERS:
        top = os.path.join(ROOT, folder)
        for dirpath, dirnames, files in os.walk(top):
            dirnames.sort()
            for name in sorted(files):
                if name.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, name),
                                               ROOT))
    return out


def resolve(inc, src, headers, by_base):
    """The repository path of header `inc` included from `src`, or None
    when it is not one of ours (generated or system)."""
    for cand in (os.path.join(os.path.dirname(src), inc), inc):
        cand = os.path.normpath(cand)
        if cand in headers:
            return cand
    hits = by_base.get(os.path.basename(inc), [])
    return hits[0] if len(hits) == 1 else None


def plugin_internal(src, hdr):
    """The plugin folder whose internal header hdr is, when src (outside
    that plugin, and not a tester) may not include it; else None."""
    plugin = os.path.dirname(hdr)
    if (plugin not in PLUGINS or os.path.basename(hdr) in PLUGINS[plugin]
            or src.startswith(plugin + "/")
            or layer_of(src)[1] in PLUGIN_TESTERS):
        return None
    return plugin


def check_includes(files):
    """Rule 3.  Returns the list of error lines."""
    headers = {f for f in files if f.endswith(".h")}
    by_base = {}
    for h in sorted(headers):
        by_base.setdefault(os.path.basename(h), []).append(h)
    allowed = {(a, b) for a, b, _ in EXCEPTIONS}
    used = set()
    errors = []
    for src in files:
        with open(os.path.join(ROOT, src), encoding="utf-8",
                  errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                hdr = resolve(m.group(1), src, headers, by_base)
                if hdr is None:
                    continue
                where = "%s:%d: includes %s" % (src, lineno, hdr)
                if (hdr.endswith("_int.h")
                        and os.path.dirname(hdr) != os.path.dirname(src)):
                    errors.append(where + ": internal header of another "
                                  "folder")
                    continue
                plugin = plugin_internal(src, hdr)
                if plugin:
                    errors.append(where + ": internal to the plugin %s/ (its "
                                  "interface: %s)" % (plugin, ", ".join(
                                      sorted(PLUGINS[plugin]))))
                    continue
                me, it = layer_of(src), layer_of(hdr)
                if it[0] > me[0]:
                    if (src, hdr) in allowed:
                        used.add((src, hdr))
                        continue
                    errors.append(where + ": %s is above %s in the layer "
                                  "order" % (it[1], me[1]))
    for a, b, _ in EXCEPTIONS:
        if (a, b) not in used:
            errors.append("EXCEPTIONS lists %s -> %s, which no longer "
                          "happens: remove the row" % (a, b))
    return errors


def objects(build):
    """The objects of LINKED folders whose source still exists: a stale
    object left by a moved or deleted file would add edges that are not
    in the tree."""
    out = []
    for folder in LINKED:
        top = os.path.join(build, folder)
        for dirpath, dirnames, files in os.walk(top):
            dirnames.sort()
            for f in sorted(files):
                o = os.path.join(dirpath, f)
                if f.endswith(".o") and os.path.exists(
                        os.path.join(ROOT, os.path.relpath(o, build)[:-2] + ".c")):
                    out.append(o)
    return out


def read_symbols(objs):
    """{object: (defined set, undefined set)} from one nm run."""
    res = subprocess.run(["nm", "-A", "-P"] + objs, check=True,
                         capture_output=True, text=True)
    syms = {o: (set(), set()) for o in objs}
    for line in res.stdout.splitlines():
        head, _, rest = line.rpartition(": ")
        fields = rest.split()
        if not head or len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        if kind in "Uwv":
            syms[head][1].add(name)
        elif kind.isupper() or kind == "i":
            syms[head][0].add(name)
    return syms


def symbol_graph(build, objs):
    """({file: {file: symbol}}, errors) over the source names of objs."""
    src = {o: os.path.relpath(o, build)[:-2] + ".c" for o in objs}
    syms = read_symbols(objs)
    owner, errors = {}, []
    for o in objs:
        for s in syms[o][0]:
            if s in MULTI_DEFINED:
                continue
            if s in owner:
                errors.append("%s defined in both %s and %s"
                              % (s, owner[s], src[o]))
            owner[s] = src[o]
    graph = {src[o]: {} for o in objs}
    for o in objs:
        for s in sorted(syms[o][1]):
            to = owner.get(s)
            if to is not None and to != src[o]:
                graph[src[o]].setdefault(to, s)
    return graph, errors


def components(graph):
    """Strongly connected components of more than one node (Tarjan,
    iterative so deep graphs do not hit the recursion limit)."""
    index, low, onstack, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        onstack.add(start)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    onstack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in onstack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    n = stack.pop()
                    onstack.discard(n)
                    comp.append(n)
                    if n == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def shortest_cycle(graph, comp, start):
    """The shortest chain start -> ... -> start inside comp (BFS)."""
    members = set(comp)
    prev = {start: None}
    queue = [start]
    for node in queue:
        for nxt in sorted(graph[node]):
            if nxt == start:
                chain = [node]
                while prev[chain[-1]] is not None:
                    chain.append(prev[chain[-1]])
                return list(reversed(chain)) + [start]
            if nxt in members and nxt not in prev:
                prev[nxt] = node
                queue.append(nxt)
    return None


def describe_cycles(graph):
    lines = []
    for comp in components(graph):
        lines.append("cycle among %d files: %s" % (len(comp),
                                                   " ".join(comp)))
        seen = set()
        for start in comp:
            chain = shortest_cycle(graph, comp, start)
            key = frozenset(zip(chain, chain[1:]))
            if key in seen:
                continue
            seen.add(key)
            steps = [chain[0]] + ["-(%s)-> %s" % (graph[a][b], b)
                                  for a, b in zip(chain, chain[1:])]
            lines.append("  " + " ".join(steps))
    return lines


def check_symbol_layers(graph):
    errors = []
    for a in sorted(graph):
        for b, sym in sorted(graph[a].items()):
            la, lb = layer_of(a), layer_of(b)
            if lb[0] > la[0]:
                errors.append("%s uses %s from %s: %s is above %s in the "
                              "layer order" % (a, sym, b, lb[1], la[1]))
    return errors


def main(argv):
    global ROOT
    args = argv[1:]
    if len(args) >= 2 and args[0] == "--root":
        ROOT = os.path.abspath(args[1])
        args = args[2:]
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: check_layers.py [--root DIR] [BUILD_DIR]", file=sys.stderr)
        return 2
    build = os.path.join(ROOT, args[0] if args else "build")
    objs = objects(build)
    if not objs:
        print("check-layers: no objects under %s (build first)" % build,
              file=sys.stderr)
        return 2
    try:
        graph, errors = symbol_graph(build, objs)
    except (OSError, subprocess.CalledProcessError) as e:
        print("check-layers: nm failed: %s" % (getattr(e, "stderr", None)
                                               or e), file=sys.stderr)
        return 2
    cycles = describe_cycles(graph)
    errors += check_symbol_layers(graph)
    errors += check_includes(source_files())
    for line in cycles + errors:
        print(line)
    ncyc = len(components(graph))
    print("check-layers: %d files, %d cycles, %d other problems"
          % (len(graph), ncyc, len(errors)))
    return 1 if ncyc or errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
