#!/usr/bin/env python3
"""Mutation fuzzer for sse-opt, sse-runner and sse-aot-run.

    python3 scripts/fuzz.py --seconds 120 --seed 1 --out /tmp/fuzz
    python3 scripts/fuzz.py --modes opt-fuse-tile,runner --max-mutants 500

Seeds are the repository's own inputs: the lit corpus (test/**/*.mlir, split
on `// -----`), the ```mlir blocks of docs/**/*.md, examples/*.mlir, .npy
inputs that sse-runner draws itself (--seed --dump-inputs) and the manifest
that `sse-runner --target=cuda --emit-aot` writes (manifest.txt or
manifest.json, whichever appears: the format is changing). Each mutant is run
in one mode (see MODES) and classified:

    success      exit 0, no crash text in stderr
    clean error  exit 1 with a diagnostic ("error") in stderr
    crash        a signal, an exit status > 1, exit 1 without a diagnostic, or
                 "LLVM ERROR" / "PLEASE submit a bug report" / a stack dump /
                 an uncaught exception / a sanitizer report in stderr
    hang         still running after --timeout seconds

Tools run with a time limit and an address-space limit (RLIMIT_AS, --mem-mb;
off for sanitizer-built tools, which reserve terabytes of shadow memory).
Every distinct crash (mode, reason, innermost project frame) is minimized by
deleting lines while the classification stays the same, and saved under
OUT/<mode>/<kind>-<hash>/ with the original and minimized inputs, stderr and a
repro.sh. The summary is one line per mode; the exit status is 1 if anything
crashed or hung, 0 otherwise.

Deterministic for a seed: mutant i is a pure function of (--seed, i), and the
summary is computed in mutant order. Which mutants run within --seconds
depends on the machine's speed; --max-mutants fixes the set.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CRASHERS = REPO / "scripts" / "fuzz" / "crashers"

# ---------------------------------------------------------------------------
# Modes: what a mutant is and how it is run. `kind` says which corpus feeds
# it: mlir text, .npy inputs of a fixed module, or an AOT manifest.

MODES = {
    # Parse + verify + print: the dialect's parsers and verifiers.
    "opt-parse": ("mlir", []),
    # The graph passes: fusion and the cost model's tiling.
    "opt-fuse-tile": ("mlir", ["--sse-fuse", "--sse-tile"]),
    # The whole CPU pipeline down to the LLVM dialect.
    "opt-llvm-cpu": ("mlir", ["--sse-to-llvm-cpu"]),
    # The whole GPU pipeline, PTX (format=isa: no ptxas needed).
    "opt-nvvm": ("mlir", ["--sse-to-nvvm=format=isa"]),
    # The sse-opt flags of the seed file's own RUN lines (transform
    # interpreter, single passes such as sse-unroll-kernel-loops...).
    "opt-run-lines": ("mlir", None),
    # The CPU JIT with seeded random inputs.
    "runner": ("mlir", None),
    # sse-runner on a fixed module with mutated .npy inputs.
    "runner-npy": ("npy", None),
    # sse-aot-run with a mutated manifest (or .npy inputs). Without a GPU it
    # stops with a clean error after reading the manifest, which is what
    # its parser is fuzzed for.
    "aot-run": ("manifest", None),
}
DEFAULT_MODES = list(MODES)

# ---------------------------------------------------------------------------
# Classification.

CRASH_TEXT = [
    ("LLVM ERROR", re.compile(r"LLVM ERROR")),
    ("bug report", re.compile(r"PLEASE submit a bug report")),
    ("stack dump", re.compile(r"^Stack dump:", re.M)),
    ("uncaught exception", re.compile(r"terminate called")),
    ("assertion", re.compile(r"Assertion .* failed")),
    ("AddressSanitizer", re.compile(r"ERROR: AddressSanitizer")),
    ("UBSan", re.compile(r"runtime error:|UndefinedBehaviorSanitizer")),
]
DIAGNOSTIC = re.compile(r"error", re.I)
FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-fA-F]+ (.+?)(?: \(/.*\))?$", re.M)


class Outcome:
    """kind: success, clean, crash or hang; reason: why (signal name, crash
    text, ...); frame: the innermost frame of project code in the stack dump
    (or ""); detail: the first crash line, digits folded."""

    def __init__(self, kind, reason="", frame="", detail="", top=""):
        self.kind, self.reason, self.frame, self.detail, self.top = kind, reason, frame, detail, top

    @property
    def key(self):
        """What must stay the same while minimizing, and what makes two
        crashes the same crash: the reason, the innermost frame and the
        innermost frame of our code."""
        return (self.kind, self.reason, self.top, self.frame)

    @property
    def where(self):
        if self.frame and self.top and self.frame != self.top:
            return f"in {self.top} from {self.frame}"
        if self.frame or self.top:
            return f"in {self.frame or self.top}"
        return ""

    def __repr__(self):
        return f"Outcome({self.kind!r}, {self.reason!r}, {self.where!r})"


SKIP_FRAME = re.compile(r"^(llvm::sys::|__restore_rt|raise|abort|gsignal|__pthread_kill|"
                        r"pthread_kill|std::terminate|__cxa_|__gnu_cxx::|__sanitizer|"
                        r"__asan|__ubsan|__interceptor_|std::__throw|std::__cxx11::sto|"
                        r"__libc_start|_start|__GI_|\()")
SANITIZER = re.compile(r"ERROR: AddressSanitizer: ([\w-]+)|runtime error: ([^\n]{0,60})")


def frames(stderr):
    """Function names of an LLVM or sanitizer stack dump, innermost first
    (frames without a symbol left out)."""
    out = []
    for m in FRAME.finditer(stderr):
        name = m.group(1).strip()
        name = re.sub(r" \(?[\w./+-]+:\d+(:\d+)?\)?$", "", name)   # "Tile.cpp:0:0"
        name = re.sub(r"^in ", "", name)                     # sanitizer frames
        name = name.replace("(anonymous namespace)::", "")
        if name.startswith("(/") or not name:
            continue
        out.append((name.split("(")[0] if not name.startswith("(") else name)[:100])
    return out


def project_frame(stderr):
    """The innermost frame of our own code (names with sse/SSE), or ""."""
    return next((f for f in frames(stderr) if re.search(r"sse|SSE", f)), "")


def top_frame(stderr):
    """The innermost frame that is not signal handling, libc or the C++
    runtime: where it went wrong, even when that is in libMLIR."""
    return next((f for f in frames(stderr) if not SKIP_FRAME.match(f)), "")


def first_crash_line(stderr):
    for line in stderr.splitlines():
        if re.search(r"LLVM ERROR|terminate called|what\(\)|Assertion|"
                     r"runtime error|AddressSanitizer", line):
            return re.sub(r"\d+", "N", line.strip())[:200]
    return ""


def classify(returncode, stderr, timed_out):
    """Classify one run (see the module docstring)."""
    if timed_out:
        return Outcome("hang", "timeout")
    reason = ""
    san = SANITIZER.search(stderr)
    if san:    # a sanitizer report says more than the abort that follows it
        reason = (f"ASan {san.group(1)}" if san.group(1) else
                  "UBSan " + re.sub(r"0x[0-9a-f]+|\d+", "N", san.group(2)).split("'")[0].strip())
    elif returncode < 0:
        try:
            reason = signal.Signals(-returncode).name
        except ValueError:
            reason = f"signal {-returncode}"
    elif returncode > 1:
        reason = f"exit {returncode}"
    for name, pattern in CRASH_TEXT:
        if pattern.search(stderr):
            reason = reason or name
            break
    if not reason and returncode == 1 and not DIAGNOSTIC.search(stderr):
        reason = "exit 1 without a diagnostic"
    if reason:
        return Outcome("crash", reason, project_frame(stderr),
                       first_crash_line(stderr), top_frame(stderr))
    return Outcome("success" if returncode == 0 else "clean")


def load_known(path):
    """Regexes of crashes that are not this project's (upstream MLIR bugs)."""
    if not path or not os.path.exists(path):
        return []
    return [re.compile(l.strip()) for l in open(path)
            if l.strip() and not l.lstrip().startswith("#")]


def sanitizer_env():
    """For tools built by scripts/sanitize.sh: the same run-time options
    (every report fatal and on stderr, where the classifier sees it; leaks
    off; the known upstream vptr report suppressed), unless already set."""
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0:allow_user_poisoning=0:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:abort_on_error=1:"
                   f"suppressions={REPO / 'scripts' / 'ubsan.supp'}")
    return env


def limit_resources(mem_mb):
    """preexec_fn: an address-space limit (so a huge tensor makes an error or
    a crash, not a swapping machine) and no core files."""
    def apply():
        if mem_mb:
            size = mem_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def run_tool(cmd, timeout, mem_mb, cwd=None, env=None):
    """Runs cmd; returns (returncode, stderr, timed_out). The child gets its
    own session so that a timeout kills everything it started."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=cwd, env=env, start_new_session=True,
                            preexec_fn=limit_resources(mem_mb))
    try:
        _, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        timed_out = True
    return proc.returncode, err.decode("utf-8", "replace"), timed_out


# ---------------------------------------------------------------------------
# Corpus.

class Seed:
    """One seed input: text, where it came from, and (for lit files) the
    sse-opt argument lists of its RUN lines."""

    def __init__(self, origin, text, run_args=()):
        self.origin, self.text, self.run_args = origin, text, list(run_args)


def run_line_args(text):
    """sse-opt arguments of `RUN: [not] sse-opt %s ARGS | ...` lines."""
    out = []
    joined = re.sub(r"\\\n//\s*RUN:", " ", text)
    for m in re.finditer(r"^//\s*RUN:\s*(?:not\s+)?sse-opt\s+(.*)$", joined, re.M):
        # Everything from the first pipe or redirection (`|`, `2>&1`, `2>file`,
        # `>file`) on is the shell's, not sse-opt's.
        line = re.split(r"\s(?:\||2>|>)", m.group(1))[0]
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        if "%s" not in words:
            continue
        args = [w for w in words if w != "%s" and "%" not in w]
        if args:
            out.append(args)
    return out


def has_ops(text):
    return any(l.strip() and not l.strip().startswith("//") for l in text.splitlines())


def load_corpus(repo):
    seeds = []
    for path in sorted((repo / "test").rglob("*.mlir")):
        text = path.read_text(errors="replace")
        args = run_line_args(text)
        for n, chunk in enumerate(re.split(r"^// -----.*$", text, flags=re.M)):
            if has_ops(chunk):
                seeds.append(Seed(f"{path.relative_to(repo)}#{n}", chunk, args))
    for path in sorted((repo / "docs").rglob("*.md")):
        for n, m in enumerate(re.finditer(r"```mlir\n(.*?)```", path.read_text(), re.S)):
            seeds.append(Seed(f"{path.relative_to(repo)}#{n}", m.group(1)))
    for path in sorted((repo / "examples").glob("*.mlir")):
        seeds.append(Seed(str(path.relative_to(repo)), path.read_text()))
    return seeds


def entry_of(text):
    """The first public func.func of a module: what sse-runner runs."""
    for m in re.finditer(r"func\.func\s+(?:(public|private|nested)\s+)?@([\w$.-]+)", text):
        if m.group(1) not in ("private", "nested"):
            return m.group(2)
    return "main"


def valid(seed):
    """Seeds meant to verify (not the expected-error chunks)."""
    return "expected-error" not in seed.text


def runnable(seed):
    return (valid(seed) and "func.func" in seed.text and "sse." in seed.text
            and "memref" not in seed.text and "transform." not in seed.text
            and "gpu." not in seed.text)


# ---------------------------------------------------------------------------
# MLIR text mutations. Each takes (rng, lines, corpus) and returns new lines
# (or None when it does not apply). They are deliberately dumb: the point is
# to get past the parser often (small, local changes) and sometimes past the
# verifier (whole-module dim changes keep the types consistent).

NUMBERS = ["0", "-1", "1", "2", "3", "7", "65", "9223372036854775807",
           "-9223372036854775808", "4294967296", "1.0", "0.5", "-0.0", "nan",
           "inf", "1e309", "0x7FC00000", "100000000"]
DIMS = ["0", "1", "2", "3", "7", "16", "17", "33", "64", "65", "128", "1000",
        "2147483648", "?"]
WEIRD_ATTR_VALUES = ["0 : i64", "-1 : i64", "1 : i64", "3 : i64",
                     "1000000 : i64", "9223372036854775807 : i64", None,
                     '"four"', "4.0 : f32", "[]", "{}", "true", "0 : i1",
                     "#sse.schedule<chunk = 0, k_tile = 0, v_tile = 0, split = recurrent, grouping = dense>"]
DISCARDABLE = ["sse.unroll", "sse.results_in_args", "sse.min_blocks_per_sm",
               "sse.tile", "sse.gpu_kernels"]
NUM_RE = re.compile(r"(?<![\w%#@.^-])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w.])")
SHAPE_RE = re.compile(r"\b(tensor|memref|vector)<([^<>]*?)(x?)([a-z]\w*)(?=[,>])")
ATTR_RE = re.compile(r"([\w.]+)\s*=\s*([^,{}]+?)(?=\s*[,}])")


def pick_line(rng, lines, pred=lambda l: True):
    cands = [i for i, l in enumerate(lines) if pred(l) and l.strip()
             and not l.strip().startswith("//")]
    return rng.choice(cands) if cands else None


def m_number(rng, lines, corpus):
    i = pick_line(rng, lines, NUM_RE.search)
    if i is None:
        return None
    ms = list(NUM_RE.finditer(lines[i]))
    m = rng.choice(ms)
    line = lines[i][:m.start()] + rng.choice(NUMBERS) + lines[i][m.end():]
    return lines[:i] + [line] + lines[i + 1:]


def m_swap(rng, lines, corpus):
    if len(lines) < 2:
        return None
    i, j = rng.sample(range(len(lines)), 2)
    out = list(lines)
    out[i], out[j] = out[j], out[i]
    return out


def m_delete(rng, lines, corpus):
    i = pick_line(rng, lines)
    return None if i is None else lines[:i] + lines[i + 1:]


def m_duplicate(rng, lines, corpus):
    i = pick_line(rng, lines)
    return None if i is None else lines[:i + 1] + [lines[i]] + lines[i + 1:]


def shape_dims(line):
    """(start, end) spans of the dims of every shaped type on a line."""
    spans = []
    for m in re.finditer(r"\b(?:tensor|memref|vector)<((?:[\d?]+x)+)", line):
        pos = m.start(1)
        for d in m.group(1).split("x")[:-1]:
            spans.append((pos, pos + len(d)))
            pos += len(d) + 1
    return spans


def m_dim_one(rng, lines, corpus):
    """One dim of one type: mostly a verifier error."""
    i = pick_line(rng, lines, shape_dims)
    if i is None:
        return None
    s, e = rng.choice(shape_dims(lines[i]))
    line = lines[i][:s] + rng.choice(DIMS) + lines[i][e:]
    return lines[:i] + [line] + lines[i + 1:]


def m_dim_all(rng, lines, corpus):
    """One dim value changed in every shaped type of the module, so that
    the types stay consistent and the mutant reaches the passes (B = 0,
    H = 0, T = 1, K = 17, ...)."""
    values = sorted({l[s:e] for l in lines for s, e in shape_dims(l)} - {"?"})
    if not values:
        return None
    old, new = rng.choice(values), rng.choice([d for d in DIMS if d != "?"])
    out = []
    for l in lines:
        for s, e in reversed(shape_dims(l)):
            if l[s:e] == old:
                l = l[:s] + new + l[e:]
        out.append(l)
    return out


def m_attr_drop(rng, lines, corpus):
    i = pick_line(rng, lines, lambda l: "{" in l and ATTR_RE.search(l))
    if i is None:
        return None
    m = rng.choice(list(ATTR_RE.finditer(lines[i])))
    line = lines[i][:m.start()] + lines[i][m.end():]
    line = re.sub(r"\{\s*,\s*", "{", re.sub(r",\s*,", ",", re.sub(r",\s*\}", "}", line)))
    return lines[:i] + [line] + lines[i + 1:]


def m_attr_dup(rng, lines, corpus):
    i = pick_line(rng, lines, lambda l: "{" in l and ATTR_RE.search(l))
    if i is None:
        return None
    m = rng.choice(list(ATTR_RE.finditer(lines[i])))
    line = lines[i][:m.end()] + ", " + m.group(0) + lines[i][m.end():]
    return lines[:i] + [line] + lines[i + 1:]


def m_attr_value(rng, lines, corpus):
    i = pick_line(rng, lines, lambda l: "{" in l and ATTR_RE.search(l))
    if i is None:
        return None
    m = rng.choice(list(ATTR_RE.finditer(lines[i])))
    value = rng.choice([v for v in WEIRD_ATTR_VALUES if v])
    line = lines[i][:m.start(2)] + value + lines[i][m.end(2):]
    return lines[:i] + [line] + lines[i + 1:]


REGION_OPS = re.compile(r"\b(scf\.\w+|affine\.\w+|gpu\.launch|linalg\.generic|sse\.\w+)\b")


def m_discardable(rng, lines, corpus):
    """A discardable attribute with a weird value on an op: after the
    closing brace of a region op (scf.for, gpu.launch...: their attr-dict
    goes there), or in/before an op's attribute dictionary."""
    name = rng.choice(DISCARDABLE)
    value = rng.choice(WEIRD_ATTR_VALUES)
    attr = name if value is None else f"{name} = {value}"
    closers, stack = [], []
    for i, l in enumerate(lines):
        if l.rstrip().endswith("{"):
            stack.append(i)
        elif l.strip() == "}" and stack:
            if REGION_OPS.search(lines[stack.pop()]):
                closers.append(i)
    ops = [i for i, l in enumerate(lines) if re.match(r"\s*(%[\w#:, %]+=\s*)?\w+\.\w+", l)
           and " : " in l and not l.rstrip().endswith("{") and "func.func" not in l]
    if closers and (not ops or rng.random() < 0.6):
        i = rng.choice(closers)
        return lines[:i] + [lines[i].rstrip() + " {" + attr + "}"] + lines[i + 1:]
    if not ops:
        return None
    i = rng.choice(ops)
    l = lines[i]
    colon = l.rfind(" : ")
    k = l.rfind("}", 0, colon)
    if k >= 0 and l[:k].count("{") > l[:k].count("}"):   # inside an attr-dict
        sep = "" if l[:k].rstrip().endswith("{") else ", "
        return lines[:i] + [l[:k] + sep + attr + l[k:]] + lines[i + 1:]
    return lines[:i] + [l[:colon] + " {" + attr + "}" + l[colon:]] + lines[i + 1:]


def m_splice(rng, lines, corpus):
    """A line of another seed, inserted or replacing one."""
    other = rng.choice(corpus).text.splitlines()
    src = pick_line(rng, other)
    if src is None or not lines:
        return None
    i = rng.randrange(len(lines))
    if rng.random() < 0.5:
        return lines[:i] + [other[src]] + lines[i:]
    return lines[:i] + [other[src]] + lines[i + 1:]


def split_top(s):
    """Splits a comma-separated list at depth 0 of <>, (), [] and {}."""
    out, depth, cur = [], 0, ""
    for c in s:
        if c in "<([{":
            depth += 1
        elif c in ">)]}":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
    if cur.strip():
        out.append(cur.strip())
    return out


def m_dup_result(rng, lines, corpus):
    """Returns one value twice (`return %r, %r`), the function's result
    types extended to match: a result that aliases another."""
    rets = [i for i, l in enumerate(lines)
            if re.match(r"\s*(func\.)?return\s+%[^:]+:\s*\S", l)]
    if not rets:
        return None
    i = rng.choice(rets)
    m = re.match(r"(\s*(?:func\.)?return\s+)([^:]+?)\s*:\s*(.+)$", lines[i])
    ops, types = split_top(m.group(2)), split_top(m.group(3))
    if len(ops) != len(types):
        return None
    k = rng.randrange(len(ops))
    ret = f"{m.group(1)}{', '.join(ops + [ops[k]])} : {', '.join(types + [types[k]])}"
    f = next((j for j in range(i, -1, -1) if "func.func" in lines[j]), None)
    if f is None:
        return None
    sig = re.match(r"(.*\)\s*->\s*)(\(.*\)|[^{]+?)(\s*(?:attributes.*)?\{\s*)$", lines[f])
    if not sig:
        return None
    res = sig.group(2).strip()
    res_list = split_top(res[1:-1]) if res.startswith("(") else [res]
    new_sig = f"{sig.group(1)}({', '.join(res_list + [types[k]])}){sig.group(3)}"
    out = list(lines)
    out[i], out[f] = ret, new_sig
    return out


# Weighted: the ones that keep a module valid more often (whole-module dims,
# attributes, duplicated results) come up more, so that mutants get past
# the verifiers into the passes.
MLIR_MUTATORS = [m_number, m_number, m_swap, m_delete, m_duplicate, m_dim_one,
                 m_dim_all, m_dim_all, m_dim_all, m_attr_drop, m_attr_dup,
                 m_attr_value, m_attr_value, m_discardable, m_discardable,
                 m_discardable, m_splice, m_dup_result, m_dup_result]


def mutate_mlir(rng, seed, corpus):
    lines = seed.text.splitlines()
    applied = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        for _attempt in range(8):
            mut = rng.choice(MLIR_MUTATORS)
            new = mut(rng, lines, corpus)
            if new is not None and new != lines:
                lines = new
                applied.append(mut.__name__[2:])
                break
    return "\n".join(lines) + "\n", applied


# ---------------------------------------------------------------------------
# .npy mutations (byte level): the header fields sse-runner's reader parses.

def npy_parts(data):
    """(version, header_len_size, header text, payload) of a v1/2/3 file."""
    major = data[6]
    size = 2 if major == 1 else 4
    hlen = int.from_bytes(data[8:8 + size], "little")
    start = 8 + size
    return major, size, data[start:start + hlen].decode("latin1"), data[start + hlen:]


def npy_build(major, header, payload, size=None):
    size = size or (2 if major == 1 else 4)
    h = header.encode("latin1")
    return b"\x93NUMPY" + bytes([major, 0]) + len(h).to_bytes(size, "little") + h + payload


DESCRS = ["<f8", ">f4", "|V2", "<i8", "<u2", "|b1", "O", "<U4", "<f2", "<c8",
          "", "<f4<f4", "|V0", "<V100000000000"]
SHAPES = ["()", "(0,)", "(2, 64)", "(-1, 64, 4)", "(99999999999, 99999999999)",
          "(2, 64, 4, 1)", "(1,)", "(2 64)", "(, )", "(9223372036854775807,)"]


def mutate_npy(rng, data):
    """One byte-level mutation of an .npy file; returns (bytes, name)."""
    major, size, header, payload = npy_parts(data)
    choice = rng.randrange(12)
    if choice == 0:
        return data[:rng.randrange(len(data))], "truncate"
    if choice == 1:
        return data[:rng.randrange(10)], "truncate-header"
    if choice == 2:
        h = re.sub(r"'descr': '[^']*'", f"'descr': '{rng.choice(DESCRS)}'", header)
        return npy_build(major, h, payload), "descr"
    if choice == 3:
        return npy_build(major, header.replace("False", "True"), payload), "fortran_order"
    if choice == 4:
        h = re.sub(r"'shape': \([^)]*\)", f"'shape': {rng.choice(SHAPES)}", header)
        return npy_build(major, h, payload), "shape"
    if choice == 5:
        v = rng.choice([2, 3])
        return npy_build(v, header, payload), f"version{v}"
    if choice == 6:   # version byte changed, layout not: a lying header length
        return data[:6] + bytes([rng.choice([0, 2, 3, 255])]) + data[7:], "version-byte"
    if choice == 7:
        big = rng.choice([0xFFFF, 0xFFFE, 0, 1]).to_bytes(2, "little")
        return data[:8] + big + data[10:], "header_len"
    if choice == 8:
        return npy_build(2, header, payload, 4)[:8] + (0xFFFFFFFF).to_bytes(4, "little") + \
            header.encode("latin1") + payload, "header_len-v2"
    if choice == 9:
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(min(len(b), 10 + len(header)))] = rng.randrange(256)
        return bytes(b), "header-bytes"
    if choice == 10:
        return data + bytes(rng.choice([1, 4, 4096])), "extra-data"
    return b"\x92NUMPY" + data[6:], "magic"


# ---------------------------------------------------------------------------
# Manifest mutations (field level), for manifest.txt ("entry NAME", "arg
# DTYPE AxBxC", "result DTYPE AxB [in-arg J]") and JSON manifests alike.

FIELD_VALUES = ["", "abc", "-1", "0", "2x", "x2", "2xx3", "99999999999999999999",
                "9223372036854775807", "-9223372036854775808", "1x-4", "f64",
                "q7", "in-arg", "1e3", "0x10", " ", "2x64x4x" * 30]


def mutate_manifest_text(rng, text):
    lines = text.splitlines()
    c = rng.randrange(6)
    i = rng.randrange(len(lines))
    words = lines[i].split()
    if c <= 2 and len(words) > 1:           # one field
        j = rng.randrange(1, len(words))
        words[j] = rng.choice(FIELD_VALUES)
        lines[i] = " ".join(words)
        name = "field"
    elif c == 3:
        del lines[i]
        name = "delete"
    elif c == 4:
        lines.insert(i, lines[i])
        name = "duplicate"
    else:
        extra = rng.choice([" in-arg " + rng.choice(["-5", "100", "abc", "99999999999999999999", "0"]),
                            " trailing", ""])
        lines[i] += extra
        name = "append"
    return "\n".join(lines) + "\n", name


def json_paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from json_paths(v, path + (k,))
    elif isinstance(node, list):
        for n, v in enumerate(node):
            yield from json_paths(v, path + (n,))


JSON_VALUES = [None, "", "abc", -1, 0, 1, 2 ** 63, -(2 ** 63), 2 ** 70, 1.5,
               [], {}, [0], [-1, 64], ["2", "x"], True, "f64", "2x64",
               [[[[[]]]]]]


def mutate_manifest_json(rng, text):
    try:
        doc = json.loads(text)
    except ValueError:
        return text[:rng.randrange(len(text) + 1)], "truncate"
    c = rng.randrange(6)
    if c == 0:
        return text[:rng.randrange(len(text))], "truncate"
    paths = [p for p in json_paths(doc) if p]
    if not paths:
        return json.dumps(rng.choice(JSON_VALUES)), "replace-root"
    p = rng.choice(paths)
    parent = doc
    for k in p[:-1]:
        parent = parent[k]
    if c == 1:
        del parent[p[-1]]
        name = "delete"
    elif c == 2 and isinstance(parent, list):
        parent.insert(p[-1], parent[p[-1]])
        name = "duplicate"
    else:
        parent[p[-1]] = rng.choice(JSON_VALUES)
        name = "field"
    return json.dumps(doc, indent=1) + "\n", name


# ---------------------------------------------------------------------------
# The fuzzer.

class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.tools = Path(args.tools).resolve()
        self.work = Path(tempfile.mkdtemp(prefix="sse-fuzz-"))
        self.out = Path(args.out).resolve()
        self.corpus = load_corpus(REPO)
        self.runnable = [s for s in self.corpus if runnable(s)] or self.corpus
        self.with_run_args = [s for s in self.corpus if s.run_args]
        self.valid = [s for s in self.corpus if valid(s)] or self.corpus
        self.mem_mb = args.mem_mb
        self.env = None
        if self.sanitized():
            self.mem_mb = 0   # ASan reserves far more address space
            self.env = sanitizer_env()
        self.stats = {m: dict(mutants=0, runs=0, clean=0, success=0, crash=0,
                              hang=0, known=0, unique=0, replays=0) for m in args.modes}
        self.known = load_known(args.known)
        self.lock = threading.Lock()
        self.seen = set()

    def tool(self, name):
        return str(self.tools / name)

    def sanitized(self):
        try:
            with open(self.tool("sse-opt"), "rb") as f:
                return b"__asan_init" in f.read()
        except OSError:
            return False

    # -- bases for the npy and manifest modes ------------------------------
    def prepare(self):
        """Inputs of a fixed module (for runner-npy) and an AOT build of it
        (for aot-run), generated by the tools themselves."""
        need_npy = "runner-npy" in self.args.modes
        need_aot = "aot-run" in self.args.modes
        if not (need_npy or need_aot):
            return
        module = REPO / "examples" / "sse_gla_core.mlir"
        self.base_module, self.base_entry = module, entry_of(module.read_text())
        d = self.work / "base"
        proc = subprocess.run([self.tool("sse-runner"), str(module), f"--entry={self.base_entry}",
                               "--seed=1", "--dump-inputs", f"--output-dir={d}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env)
        self.base_inputs = sorted(d.glob("input*.npy"), key=lambda p: int(p.stem[5:]))
        if proc.returncode != 0 or not self.base_inputs:
            # Without base inputs these modes cannot run; the others can.
            # (That sse-runner fails on the example is itself a finding.)
            print(f"fuzz: sse-runner --dump-inputs on {module.name} failed (exit "
                  f"{proc.returncode}): {classify(proc.returncode, proc.stderr.decode('utf-8', 'replace'), False)}; "
                  "skipping runner-npy and aot-run", file=sys.stderr)
            self.args.modes = [m for m in self.args.modes if m not in ("runner-npy", "aot-run")]
            self.stats = {m: v for m, v in self.stats.items() if m in self.args.modes}
            return
        if need_aot:
            a = self.work / "aot"
            subprocess.run([self.tool("sse-runner"), str(module), f"--entry={self.base_entry}",
                            "--target=cuda", f"--emit-aot={a}"], check=True,
                           stdout=subprocess.DEVNULL, env=self.env)
            manifests = sorted(a.glob("manifest*"))
            if not manifests:
                sys.exit(f"fuzz: --emit-aot wrote no manifest* into {a}")
            self.base_manifest = manifests[0]
            self.model = a / "model.so"
            cxx = shutil.which("c++") or shutil.which("g++")
            if cxx and (a / "model.o").exists():
                subprocess.run([cxx, "-shared", "-o", str(self.model), str(a / "model.o")],
                               check=False)
            if not self.model.exists():
                self.model = a / "model.o"

    # -- saved crashers, replayed as they are ---------------------------------
    def replays(self):
        """scripts/fuzz/crashers/<mode>.<name>.<ext>: inputs that crashed a
        tool once (minimized), run unmutated in their mode before the
        mutants, so that a fixed crash stays fixed. (mode, what, files, argv)
        for each one whose mode is selected."""
        out = []
        for path in sorted(CRASHERS.glob("*.*")):
            mode = path.name.split(".")[0]
            if mode not in self.args.modes or path.name.endswith(".md"):
                continue
            kind, flags = MODES[mode]
            what = f"replay of {path.relative_to(REPO)}"
            if kind == "mlir":
                files = {"input.mlir": path.read_bytes()}
                text = path.read_text()
                if mode == "runner":
                    argv = [self.tool("sse-runner"), "{dir}/input.mlir",
                            f"--entry={entry_of(text)}", "--seed=1", "--output-dir={dir}/out"]
                elif mode == "opt-run-lines":
                    args = run_line_args(text)
                    argv = [self.tool("sse-opt"), "{dir}/input.mlir", *(args[0] if args else [])]
                else:
                    argv = [self.tool("sse-opt"), "{dir}/input.mlir", *flags]
            elif kind == "manifest":
                files = {p.name: p.read_bytes() for p in self.base_inputs}
                # Keep the extension: sse-aot-run may tell .txt from .json by it.
                mname = "manifest" + path.suffix
                files[mname] = path.read_bytes()
                argv = [self.tool("sse-aot-run"), str(self.model), f"{{dir}}/{mname}",
                        *[f"{{dir}}/{p.name}" for p in self.base_inputs],
                        "--output-dir={dir}/out", "--repeat=1"]
            else:    # npy: the file replaces input0.npy of the base module
                files = {p.name: p.read_bytes() for p in self.base_inputs}
                files[self.base_inputs[0].name] = path.read_bytes()
                argv = [self.tool("sse-runner"), str(self.base_module), f"--entry={self.base_entry}",
                        *[f"{{dir}}/{p.name}" for p in self.base_inputs], "--output-dir={dir}/out"]
            out.append((mode, what, files, argv))
        return out

    # -- one mutant ----------------------------------------------------------
    def make(self, index):
        """Mutant `index`: (mode, description, files {name: bytes}, argv
        template with {dir} for the mutant's directory)."""
        modes = self.args.modes
        mode = modes[index % len(modes)]
        rng = random.Random(f"{self.args.seed}:{index}")
        kind, flags = MODES[mode]
        if kind == "mlir":
            pool = {"runner": self.runnable, "opt-run-lines": self.with_run_args,
                    "opt-parse": self.corpus}.get(mode, self.valid)
            seed = rng.choice(pool or self.corpus)
            text, applied = mutate_mlir(rng, seed, self.corpus)
            files = {"input.mlir": text.encode()}
            if mode == "runner":
                argv = [self.tool("sse-runner"), "{dir}/input.mlir", f"--entry={entry_of(text)}",
                        f"--seed={rng.randrange(1000)}", "--output-dir={dir}/out"]
            elif mode == "opt-run-lines":
                argv = [self.tool("sse-opt"), "{dir}/input.mlir", *rng.choice(seed.run_args)]
            else:
                argv = [self.tool("sse-opt"), "{dir}/input.mlir", *flags]
            return mode, f"mutant of {seed.origin}: {'+'.join(applied)}", files, argv
        if kind == "npy":
            files = {p.name: p.read_bytes() for p in self.base_inputs}
            victim = rng.choice(self.base_inputs).name
            files[victim], what = mutate_npy(rng, files[victim])
            names = [p.name for p in self.base_inputs]
            if rng.random() < 0.1:    # wrong number of inputs
                names = names[:-1] if rng.random() < 0.5 else names + [names[0]]
            argv = [self.tool("sse-runner"), str(self.base_module), f"--entry={self.base_entry}",
                    *[f"{{dir}}/{n}" for n in names], "--output-dir={dir}/out"]
            return mode, f"mutant of {victim}: {what}", files, argv
        # manifest
        text = self.base_manifest.read_text()
        mname = self.base_manifest.name
        files = {p.name: p.read_bytes() for p in self.base_inputs}
        if rng.random() < 0.8:
            if mname.endswith(".json"):
                new, what = mutate_manifest_json(rng, text)
            else:
                new, what = mutate_manifest_text(rng, text)
            what = f"mutant of {mname}: {what}"
        else:
            new = text
            victim = rng.choice(self.base_inputs).name
            files[victim], what = mutate_npy(rng, files[victim])
            what = f"mutant of {victim}: {what}"
        files[mname] = new.encode()
        argv = [self.tool("sse-aot-run"), str(self.model), f"{{dir}}/{mname}",
                *[f"{{dir}}/{p.name}" for p in self.base_inputs], "--output-dir={dir}/out",
                "--repeat=1"]
        return mode, what, files, argv

    def execute(self, files, argv, tag):
        d = self.work / "runs" / tag
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        for name, data in files.items():
            (d / name).write_bytes(data)
        cmd = [a.replace("{dir}", str(d)) for a in argv]
        rc, err, timed_out = run_tool(cmd, self.args.timeout, self.mem_mb, cwd=d, env=self.env)
        shutil.rmtree(d, ignore_errors=True)
        return classify(rc, err, timed_out), err

    def one(self, index):
        if index < 0:    # a saved crasher
            mode, what, files, argv = self.replay_list[-index - 1]
            with self.lock:
                self.stats[mode]["runs"] += 1
                self.stats[mode]["replays"] += 1
            outcome, err = self.execute(files, argv, f"r{-index}")
            return index, mode, what, files, argv, outcome, err
        mode, what, files, argv = self.make(index)
        digest = hashlib.sha1(repr((mode, sorted(files.items()), argv)).encode()).hexdigest()
        with self.lock:
            self.stats[mode]["mutants"] += 1
            if digest in self.seen:    # the same mutant again: nothing new
                return None
            self.seen.add(digest)
            self.stats[mode]["runs"] += 1
        outcome, err = self.execute(files, argv, f"m{index}")
        return index, mode, what, files, argv, outcome, err

    # -- minimization ----------------------------------------------------------
    def minimize(self, mode, files, argv, outcome, deadline, tag=0):
        """Line-delta minimization (ddmin-style: drop chunks of lines, halve
        the chunk when nothing can go) of the text file the mode mutates,
        keeping the same outcome key. .npy inputs are left as they are."""
        kind = MODES[mode][0]
        if kind == "npy":
            return files
        name = "input.mlir" if kind == "mlir" else self.base_manifest.name
        if name not in files:
            return files
        lines = files[name].decode("utf-8", "replace").splitlines()
        runs = 0

        def same(candidate):
            nonlocal runs
            runs += 1
            trial = dict(files)
            trial[name] = ("\n".join(candidate) + "\n").encode()
            got, _ = self.execute(trial, argv, f"min-{tag}")
            return got.key[1:] == outcome.key[1:] and (
                got.kind == outcome.kind or (got.kind, outcome.kind) == ("crash", "known"))

        # Comments and blank lines first, in one go (RUN/CHECK lines and
        # prose are most of a lit file and never matter to the tool).
        bare = [l for l in lines if l.strip() and not l.lstrip().startswith("//")]
        if bare and bare != lines and same(bare):
            lines = bare
        chunk = max(1, len(lines) // 2)
        while chunk >= 1 and time.monotonic() < deadline and runs < self.args.minimize_runs:
            i, progress = 0, False
            while i < len(lines) and time.monotonic() < deadline and runs < self.args.minimize_runs:
                cand = lines[:i] + lines[i + chunk:]
                if cand and same(cand):
                    lines, progress = cand, True
                else:
                    i += chunk
            if not progress:
                chunk //= 2
        with self.lock:
            self.stats[mode]["runs"] += runs
        out = dict(files)
        out[name] = ("\n".join(lines) + "\n").encode()
        return out

    def save(self, mode, what, files, minimized, argv, outcome, err):
        h = hashlib.sha1(repr(outcome.key).encode()).hexdigest()[:10]
        d = self.out / mode / f"{outcome.kind}-{h}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "original").mkdir(exist_ok=True)
        for name, data in files.items():
            (d / "original" / name).write_bytes(data)
        for name, data in minimized.items():
            (d / name).write_bytes(data)
        (d / "stderr.txt").write_text(err)
        cmd = " ".join(shlex.quote(a.replace("{dir}", ".")) for a in argv)
        cmd = cmd.replace(str(self.tools) + "/", "$TOOLS/")
        if MODES[mode][0] in ("npy", "manifest"):
            cmd = cmd.replace(str(self.work / "base"), ".").replace(str(self.work / "aot"), "$AOT")
        (d / "repro.sh").write_text(
            "#!/bin/sh\n# " + f"{mode}: {outcome.kind} ({outcome.reason}"
            + (f", {outcome.where}" if outcome.where else "") + f"); {what}\n"
            + f'cd "$(dirname "$0")"\nTOOLS=${{TOOLS:-{self.tools}}}\n'
            + ("# AOT: sse-runner examples/sse_gla_core.mlir --entry=sse_gla_core "
               "--target=cuda --emit-aot=$AOT; c++ -shared -o $AOT/model.so $AOT/model.o\n"
               "AOT=${AOT:-/tmp/sse-aot}\n" if MODES[mode][0] == "manifest" else "")
            + cmd + "\n")
        (d / "info.json").write_text(json.dumps(dict(
            mode=mode, kind=outcome.kind, reason=outcome.reason, frame=outcome.frame,
            top_frame=outcome.top,
            detail=outcome.detail, mutant=what, seed=self.args.seed), indent=1) + "\n")
        return d

    # -- main loop -------------------------------------------------------------
    def run(self):
        self.prepare()
        self.replay_list = self.replays() if not self.args.no_replay else []
        start = time.monotonic()
        deadline = start + self.args.seconds
        results = []
        index = 0
        limit = self.args.max_mutants or float("inf")
        with concurrent.futures.ThreadPoolExecutor(self.args.jobs) as pool:
            # Saved crashers first (negative indices), whatever the budget.
            pending = {pool.submit(self.one, -k - 1) for k in range(len(self.replay_list))}
            while True:
                while (len(pending) < 2 * self.args.jobs and index < limit
                       and time.monotonic() < deadline):
                    pending.add(pool.submit(self.one, index))
                    index += 1
                if not pending:
                    break
                done, pending = concurrent.futures.wait(
                    pending, return_when=concurrent.futures.FIRST_COMPLETED)
                for f in done:
                    r = f.result()
                    if r:
                        results.append(r)
        results.sort(key=lambda r: r[0])
        found = {}
        for idx, mode, what, files, argv, outcome, err in results:
            if outcome.kind == "crash" and any(k.search(err) for k in self.known):
                outcome.kind = "known"    # not ours to fix: reported, not failing
            self.stats[mode][outcome.kind] += 1
            if outcome.kind in ("crash", "hang", "known") and (mode, outcome.key) not in found:
                found[(mode, outcome.key)] = (idx, mode, what, files, argv, outcome, err)
        # Minimize each distinct crash (in parallel, each with an equal share
        # of --minimize-seconds) and save it; hangs are saved as found
        # (minimizing them costs a timeout per try).
        todo = sorted(found.values(), key=lambda r: r[0])
        n_min = sum(1 for r in todo if r[5].kind != "hang")
        min_deadline = time.monotonic() + self.args.minimize_seconds
        share = max(2.0, self.args.minimize_seconds * self.args.jobs / max(1, n_min))

        def shrink(r):
            index, mode, what, files, argv, outcome, err = r
            if outcome.kind == "hang" or self.args.no_minimize or index < 0:
                return files    # hangs: a timeout per try; replays: minimal already
            return self.minimize(mode, files, argv, outcome,
                                 min(min_deadline, time.monotonic() + share), index)

        with concurrent.futures.ThreadPoolExecutor(self.args.jobs) as pool:
            minimized = list(pool.map(shrink, todo))
        saved = []
        for (_, mode, what, files, argv, outcome, err), small in zip(todo, minimized):
            self.stats[mode]["unique"] += 1
            saved.append((mode, outcome, what,
                          self.save(mode, what, files, small, argv, outcome, err)))
        self.report(saved, time.monotonic() - start, index)
        shutil.rmtree(self.work, ignore_errors=True)
        return 1 if any(s["crash"] or s["hang"] for s in self.stats.values()) else 0

    def report(self, saved, elapsed, generated):
        print(f"fuzz: seed {self.args.seed}, {generated} mutants in {elapsed:.0f} s, "
              f"{self.args.jobs} jobs, tools {self.tools}")
        cols = ["mutants", "replays", "runs", "clean", "success", "crash", "hang", "known", "unique"]
        print(f"{'mode':<15}" + "".join(f"{c:>9}" for c in cols))
        for mode in self.args.modes:
            s = self.stats[mode]
            print(f"{mode:<15}" + "".join(f"{s[c]:>9}" for c in cols))
        for mode, outcome, what, d in saved:
            where = f" {outcome.where}" if outcome.where else ""
            print(f"{outcome.kind.upper()} {mode}: {outcome.reason}{where} "
                  f"({what}) -> {d}")
            # The minimized input itself when it is short: CI logs show the
            # reproducer without the saved files.
            kind = MODES[mode][0]
            name = "input.mlir" if kind == "mlir" else self.base_manifest.name if kind == "manifest" else None
            if name and (d / name).exists():
                text = (d / name).read_text(errors="replace").splitlines()
                if len(text) <= 12:
                    for line in text:
                        print(f"    | {line[:200]}")
                print(f"    $ {(d / 'repro.sh').read_text().splitlines()[-1][:300]}")
        total = sum(s["crash"] + s["hang"] for s in self.stats.values())
        print(f"fuzz: {total} crashing or hanging runs, {len(saved)} distinct"
              if total else "fuzz: no crashes or hangs")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="modes: " + ", ".join(MODES))
    p.add_argument("--seconds", type=float, default=60, help="time budget for mutants (default 60)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--out", default="fuzz-out", help="where crashers are saved (default fuzz-out)")
    p.add_argument("--modes", default=",".join(DEFAULT_MODES),
                   help="comma-separated subset of: " + ", ".join(MODES))
    p.add_argument("--tools", default=os.environ.get("SSE_TOOLS_DIR", str(REPO / "build" / "bin")),
                   help="directory of sse-opt, sse-runner, sse-aot-run (default $SSE_TOOLS_DIR or build/bin)")
    p.add_argument("--timeout", type=float, default=20, help="per run, seconds (a hang beyond)")
    p.add_argument("--mem-mb", type=int, default=4096, help="RLIMIT_AS per run (0: none)")
    p.add_argument("--max-mutants", type=int, default=0, help="stop after N mutants (0: only --seconds)")
    p.add_argument("--minimize-seconds", type=float, default=60, help="total budget for minimizing")
    p.add_argument("--minimize-runs", type=int, default=300, help="tool runs per minimization")
    p.add_argument("--no-minimize", action="store_true")
    p.add_argument("--no-replay", action="store_true",
                   help="do not run the saved crashers of scripts/fuzz/crashers first")
    p.add_argument("--known", default=str(REPO / "scripts" / "fuzz" / "known-upstream.txt"),
                   help="file of regexes (one a line, # comments): a crash whose stderr "
                        "matches one is counted as 'known' and does not fail the run "
                        "(default scripts/fuzz/known-upstream.txt; '' for none)"),
    args = p.parse_args(argv)
    args.modes = [m for m in args.modes.split(",") if m]
    bad = [m for m in args.modes if m not in MODES]
    if bad or not args.modes:
        p.error(f"unknown mode(s) {', '.join(bad)}; available: {', '.join(MODES)}")
    return args


def main(argv=None):
    return Fuzzer(parse_args(argv)).run()


if __name__ == "__main__":
    sys.exit(main())
