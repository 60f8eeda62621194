"""Tests of the fuzz driver (scripts/fuzz.py) on synthetic tools.

The classifier must call a signal a crash, a sleeper a hang, "exit 1 with
error:" a clean error; the minimizer must shrink a crasher while keeping it a
crasher; mutants must be a function of the seed; and the driver must exit
non-zero when a tool crashes. None of this needs the real tools except the
determinism and mutator tests, which read the repository's corpus only.
"""

import importlib.util
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FUZZ_PY = REPO / "scripts" / "fuzz.py"


def load_fuzz():
    spec = importlib.util.spec_from_file_location("sse_fuzz", FUZZ_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fuzz = load_fuzz()


def fake_tool(path, body):
    """An executable Python script standing in for a tool."""
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def run(tool, *args, timeout=10, mem_mb=0):
    rc, err, timed_out = fuzz.run_tool([tool, *args], timeout, mem_mb)
    return fuzz.classify(rc, err, timed_out)


def test_segfault_is_a_crash(tmp_path):
    t = fake_tool(tmp_path / "segv", """
        import os, signal, sys
        sys.stderr.write("about to fall over\\n")
        os.kill(os.getpid(), signal.SIGSEGV)
        """)
    o = run(t)
    assert o.kind == "crash"
    assert o.reason == "SIGSEGV"


def test_abort_and_llvm_error_are_crashes(tmp_path):
    t = fake_tool(tmp_path / "abrt", "import os; os.abort()\n")
    assert run(t).kind == "crash" and run(t).reason == "SIGABRT"
    # Exit 0 or 1 does not save a tool whose stderr says it crashed.
    t = fake_tool(tmp_path / "llvmerr", """
        import sys
        sys.stderr.write("LLVM ERROR: out of memory\\n")
        sys.exit(1)
        """)
    o = run(t)
    assert (o.kind, o.reason) == ("crash", "LLVM ERROR")
    t = fake_tool(tmp_path / "dump", """
        import sys
        sys.stderr.write("PLEASE submit a bug report to x\\nStack dump:\\n"
                         " #0 0x0000000000401000 mlir::sse::estimateSchedule(int) (/x/sse-opt+0x1)\\n")
        """)
    o = run(t)
    assert o.kind == "crash"
    assert o.frame == "mlir::sse::estimateSchedule"


def test_exit_codes(tmp_path):
    t = fake_tool(tmp_path / "clean", """
        import sys
        sys.stderr.write("input.mlir:3:5: error: 'sse.scan' op bad\\n")
        sys.exit(1)
        """)
    assert run(t).kind == "clean"
    assert run(fake_tool(tmp_path / "ok", "pass\n")).kind == "success"
    # Exit 1 with nothing said, and exit statuses above 1, are not clean.
    o = run(fake_tool(tmp_path / "mute", "import sys; sys.exit(1)\n"))
    assert (o.kind, o.reason) == ("crash", "exit 1 without a diagnostic")
    o = run(fake_tool(tmp_path / "two", "import sys; print('error: x', file=sys.stderr); sys.exit(2)\n"))
    assert (o.kind, o.reason) == ("crash", "exit 2")


def test_sleeper_is_a_hang(tmp_path):
    t = fake_tool(tmp_path / "sleepy", "import time; time.sleep(30)\n")
    start = time.monotonic()
    o = run(t, timeout=0.5)
    assert o.kind == "hang"
    assert time.monotonic() - start < 10, "the timeout did not kill the tool"


def test_memory_limit_applies(tmp_path):
    t = fake_tool(tmp_path / "greedy", """
        import sys
        try:
            x = bytearray(2 << 30)
        except MemoryError:
            sys.stderr.write("error: no memory\\n")
            sys.exit(1)
        """)
    assert run(t, mem_mb=512).kind == "clean"
    assert run(t, mem_mb=0).kind == "success"


def make_fuzzer(tmp_path, tool, *extra):
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    for name in ("sse-opt", "sse-runner", "sse-aot-run"):
        if not (tools / name).exists():
            os.symlink(tool, tools / name)
    args = fuzz.parse_args(["--tools", str(tools), "--out", str(tmp_path / "out"),
                            "--known", "", *extra])
    return fuzz.Fuzzer(args), tools


CRASH_ON_MARK = """
    import os, signal, sys
    text = open(sys.argv[1]).read()
    if "MARK" in text and "sse.scan" in text:
        os.kill(os.getpid(), signal.SIGFPE)
    if "MARK" in text:        # a different failure: must not be kept
        os.kill(os.getpid(), signal.SIGSEGV)
    sys.stderr.write("error: nothing to see\\n")
    sys.exit(1)
    """


def test_minimizer_shrinks_a_crasher(tmp_path):
    tool = fake_tool(tmp_path / "crashy", CRASH_ON_MARK)
    f, tools = make_fuzzer(tmp_path, tool, "--modes", "opt-parse")
    lines = [f"  %x{i} = arith.constant {i} : i32" for i in range(30)]
    lines[7] = "  %o, %s = sse.scan MARK"
    lines[21] = "  // sse.scan mentioned again"
    files = {"input.mlir": ("\n".join(lines) + "\n").encode()}
    argv = [str(tools / "sse-opt"), "{dir}/input.mlir"]
    outcome, _ = f.execute(files, argv, "t")
    assert (outcome.kind, outcome.reason) == ("crash", "SIGFPE")
    small = f.minimize("opt-parse", files, argv, outcome, time.monotonic() + 60)
    text = small["input.mlir"].decode()
    kept = [l for l in text.splitlines() if l.strip()]
    assert len(kept) == 1, text
    assert "MARK" in kept[0] and "sse.scan" in kept[0]
    again, _ = f.execute(small, argv, "t")
    assert again.key == outcome.key


def test_mutants_are_a_function_of_the_seed(tmp_path):
    tool = fake_tool(tmp_path / "ok", "pass\n")
    modes = "opt-parse,opt-fuse-tile,opt-run-lines,runner"
    fuzzers = []
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        (tmp_path / name).mkdir()
        fuzzers.append(make_fuzzer(tmp_path / name, tool, "--modes", modes, "--seed", seed)[0])
    a, b, c = fuzzers

    def mutants(f):
        return [(m, w, fl, [x.replace(str(f.tools), "") for x in av])
                for m, w, fl, av in (f.make(i) for i in range(40))]
    assert mutants(a) == mutants(b)
    assert mutants(a) != mutants(c)


def test_driver_exits_nonzero_on_a_crash_and_saves_it(tmp_path):
    tool = fake_tool(tmp_path / "crashy", """
        import os, signal, sys
        if "sse." in open(sys.argv[1]).read():
            os.kill(os.getpid(), signal.SIGSEGV)
        sys.stderr.write("error: no\\n")
        sys.exit(1)
        """)
    _, tools = make_fuzzer(tmp_path, tool, "--modes", "opt-parse")
    out = tmp_path / "found"
    proc = subprocess.run([sys.executable, str(FUZZ_PY), "--tools", str(tools),
                           "--modes", "opt-parse,opt-nvvm", "--max-mutants", "12",
                           "--seconds", "60", "--out", str(out), "--known", "",
                           "--minimize-seconds", "20"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "CRASH opt-parse: SIGSEGV" in proc.stdout
    saved = list(out.glob("opt-parse/crash-*/repro.sh"))
    assert saved, proc.stdout
    assert "sse-opt" in saved[0].read_text()
    # Minimized: the saved input is shorter than the original mutant.
    d = saved[0].parent
    assert len((d / "input.mlir").read_text()) <= len((d / "original" / "input.mlir").read_text())


def test_driver_exits_zero_when_nothing_crashes(tmp_path):
    tool = fake_tool(tmp_path / "calm", """
        import sys
        sys.stderr.write("error: no\\n")
        sys.exit(1)
        """)
    _, tools = make_fuzzer(tmp_path, tool, "--modes", "opt-parse")
    proc = subprocess.run([sys.executable, str(FUZZ_PY), "--tools", str(tools),
                           "--modes", "opt-parse,opt-llvm-cpu", "--max-mutants", "10",
                           "--out", str(tmp_path / "o"), "--known", ""],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no crashes or hangs" in proc.stdout


def test_known_crashes_do_not_fail(tmp_path):
    tool = fake_tool(tmp_path / "upstream", """
        import os, signal, sys
        sys.stderr.write(" #8 0x00007f mlir::linalg::ReduceOp::parse(x) (/usr/lib/libMLIR.so+0x1)\\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGSEGV)
        """)
    _, tools = make_fuzzer(tmp_path, tool, "--modes", "opt-parse")
    known = tmp_path / "known.txt"
    known.write_text("# upstream\nmlir::linalg::ReduceOp::parse\\(\n")
    proc = subprocess.run([sys.executable, str(FUZZ_PY), "--tools", str(tools),
                           "--modes", "opt-parse", "--max-mutants", "4", "--no-minimize",
                           "--out", str(tmp_path / "o"), "--known", str(known)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "KNOWN opt-parse" in proc.stdout


def test_dup_result_keeps_the_signature_consistent():
    import random
    lines = ["func.func @f(%q: tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32> {",
             "  return %q : tensor<1x8x2x16xf32>", "}"]
    out = fuzz.m_dup_result(random.Random(0), lines, [])
    assert out[1].strip() == "return %q, %q : tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>"
    assert out[0].endswith("-> (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>) {")


def test_dim_all_changes_every_shape():
    import random
    lines = ["func.func @f(%q: tensor<1x16x2x8xf32>) -> tensor<1x16x2x8xf32> {",
             "  %o, %s = sse.scan %q, %q, %q : (tensor<1x16x2x8xf32>) -> (tensor<1x16x2x8xf32>, tensor<1x2x1x8x8xf32>)"]
    for seed in range(20):
        out = fuzz.m_dim_all(random.Random(seed), lines, [])
        shapes = {s for l in out for s in __import__("re").findall(r"tensor<([\d?x]+?)xf32>", l)}
        # Every 4-d shape changed the same way.
        four = {s for s in shapes if s.count("x") == 3}
        assert len(four) == 1, out


def test_npy_mutations_are_npy_shaped():
    import random
    import io
    import numpy as np
    buf = io.BytesIO()
    np.save(buf, np.zeros((2, 3), np.float32))
    data = buf.getvalue()
    names = set()
    for seed in range(60):
        new, name = fuzz.mutate_npy(random.Random(seed), data)
        names.add(name)
        assert isinstance(new, bytes)
    assert {"truncate", "descr", "fortran_order", "version2", "header_len"} <= names | {"version3"}


def test_manifest_mutations_both_formats():
    import json
    import random
    txt = "entry f\narg f32 2x3\nresult f32 2x3\n"
    js = json.dumps({"entry": "f", "args": [{"dtype": "f32", "shape": [2, 3]}],
                     "results": [{"dtype": "f32", "shape": [2, 3], "in_arg": None}]})
    for seed in range(30):
        t, _ = fuzz.mutate_manifest_text(random.Random(seed), txt)
        j, _ = fuzz.mutate_manifest_json(random.Random(seed), js)
        assert isinstance(t, str) and isinstance(j, str)
    assert any(fuzz.mutate_manifest_json(random.Random(s), js)[0] != js for s in range(5))


def test_run_lines_stop_at_pipes_and_redirections():
    """The RUN-line mode passes sse-opt only its own arguments: `2>/dev/null`
    was once passed as an input file name, a false "crash" (exit 1 without
    a diagnostic) in the CI smoke."""
    text = ("// RUN: not sse-opt %s -a 2>/dev/null | FileCheck %s\n"
            "// RUN: sse-opt %s -b 2>&1 | FileCheck %s\n"
            "// RUN: sse-opt %s -c > %t\n"
            "// RUN: sse-opt %s -split-input-file \\\n"
            "// RUN:   -d | FileCheck %s\n")
    assert fuzz.run_line_args(text) == [["-a"], ["-b"], ["-c"], ["-split-input-file", "-d"]]
