"""The package installs as a package, without a package index: a venv with
the system's site packages (NumPy, setuptools from Debian) and
`pip install --no-build-isolation --no-deps --no-index`, from a copy of
python/ (an in-tree build would leave build/ and *.egg-info behind). The
installed package is imported from outside the source tree, finds the tools
through SSE_TOOLS_DIR or PATH, and runs a scan against the reference."""

import os
import shutil
import subprocess
import sys
import textwrap

PYTHON_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))

# The interpreter the suite runs under (Debian's /usr/bin/python3 in CI).
BASE_PYTHON = sys.executable


def install(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(PYTHON_DIR, src, ignore=shutil.ignore_patterns(
        "tests", "__pycache__", "build", "*.egg-info"))
    venv = tmp_path / "venv"
    subprocess.run([BASE_PYTHON, "-m", "venv", "--system-site-packages",
                    str(venv)], check=True)
    py = venv / "bin" / "python"
    proc = subprocess.run([str(py), "-m", "pip", "install", "-q",
                           "--no-build-isolation", "--no-deps", "--no-index",
                           str(src)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return py


def run_outside(py, tmp_path, code, env):
    work = tmp_path / "elsewhere"
    work.mkdir(exist_ok=True)
    return subprocess.run([str(py), "-c", textwrap.dedent(code)], cwd=work,
                          capture_output=True, text=True, env=env)


def test_installed_package_runs_a_scan(tmp_path):
    py = install(tmp_path)
    tools = os.environ.get("SSE_TOOLS_DIR") or os.path.join(
        PYTHON_DIR, "..", "build", "bin")
    code = """
        import os
        import numpy as np
        import sse_mlir
        from sse_mlir.cases import ScanCase, draw_scan_inputs, reference_scan, rel_err
        from sse_mlir.runner import run_module
        print("from", os.path.dirname(sse_mlir.__file__))
        case = ScanCase(T=9, K=16, V=16, H=2, gate="per_key")
        x = draw_scan_inputs(case, np.random.default_rng(
            int.from_bytes(os.urandom(4), "little")))
        module = case.module()
        o, states = run_module(module, [x[n] for n in module.args])
        ref_o, ref_states = reference_scan(case, x)
        err = max(rel_err(o, ref_o), rel_err(states, ref_states))
        print("error", err)
        assert err < 1e-5, err  # SPEC 5: f32
    """
    # The tools from PATH: the installed package has no build/bin beside it.
    env = {k: v for k, v in os.environ.items() if k != "SSE_TOOLS_DIR"}
    env["PATH"] = os.path.abspath(tools) + os.pathsep + env.get("PATH", "")
    proc = run_outside(py, tmp_path, code, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Imported from the venv, not from the source tree.
    assert f"from {tmp_path / 'venv'}" in proc.stdout, proc.stdout
    assert "site-packages" in proc.stdout, proc.stdout


def test_installed_package_names_a_missing_tool(tmp_path):
    py = install(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "SSE_TOOLS_DIR"}
    env["PATH"] = "/usr/bin:/bin"
    proc = run_outside(py, tmp_path, """
        from sse_mlir import find_tool
        find_tool("sse-runner")
    """, env)
    assert proc.returncode != 0
    assert "sse-runner not found in" in proc.stderr and "or on PATH" in proc.stderr, proc.stderr


def test_installed_sse_compile_writes_the_stages(tmp_path):
    """The console script sse-compile of the installed package compiles the
    bundled example model for the CPU."""
    py = install(tmp_path)
    tools = os.environ.get("SSE_TOOLS_DIR") or os.path.join(PYTHON_DIR, "..", "build", "bin")
    env = dict(os.environ, SSE_TOOLS_DIR=os.path.abspath(tools))
    model = os.path.join(PYTHON_DIR, "..", "examples", "sse_h_small.json")
    out = tmp_path / "out"
    proc = subprocess.run([str(py.parent / "sse-compile"), model, "--target", "cpu",
                           "-o", str(out), "--seq-len", "8"], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "lowered.mlir").read_text().count("llvm.func @sse_model") == 1
