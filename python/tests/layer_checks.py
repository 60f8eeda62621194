"""What the whole-layer tests (test_model.py, test_model_gdn.py) share: the
SPEC 5 tolerances, a fresh seed per test (printed in every failure) and the
check of an output against its float64 model."""

import os

import numpy as np

from sse_mlir.cases import rel_err

F32_TOL = 1e-5
BF16_TOL = 1e-2


def fresh_seed() -> int:
    return int.from_bytes(os.urandom(4), "little")


def check(out, ref, tol, what):
    """``out`` has no NaN (sse-runner poisons outputs first, so an unwritten
    element is one) and is within ``tol`` of ``ref``; returns the error."""
    assert not np.isnan(out).any(), f"{what}: NaN (an unwritten output element)"
    err = rel_err(out, ref)
    assert err <= tol, f"{what}: rel. error {err:.2e} > {tol:.0e}"
    return err


def check_decode_after_prefill(run, reference, weights, x, workdir, seed):
    """Prefill all but the last token of x, then one step of ``run`` (a
    compiled layer) from the returned state cache: equals the prefill of
    all of x, and ``reference(config, weights, x_last, initial_state)``."""
    T = x.shape[1]
    _, state = run(x[:, :T - 1], workdir=str(workdir / "prefill"))
    y_step, state_step = run(x[:, T - 1:], initial_state=state, workdir=str(workdir / "step"))
    y_all, state_all = run(x, workdir=str(workdir / "all"))
    check(y_step, y_all[:, T - 1:], F32_TOL, f"decode vs prefill (seed {seed})")
    check(state_step, state_all, F32_TOL, f"state after decode (seed {seed})")
    ref_y, ref_state = reference(run.config, weights, x[:, T - 1:], initial_state=state)
    check(y_step, ref_y, F32_TOL, f"decode vs float64 (seed {seed})")
    check(state_step, ref_state, F32_TOL, f"decode state vs float64 (seed {seed})")


def fused_scan(text, tmp_path):
    """``text`` through ``sse-opt --sse-fuse``: (the one sse.scan line it
    leaves, the whole output); fails unless exactly one scan is left."""
    import subprocess

    from sse_mlir.runner import find_tool
    src = tmp_path / "layer.mlir"
    src.write_text(text)
    fused = subprocess.run([find_tool("sse-opt"), str(src), "--sse-fuse"],
                           capture_output=True, text=True)
    assert fused.returncode == 0, fused.stderr
    scans = [line for line in fused.stdout.splitlines() if "sse.scan" in line]
    assert len(scans) == 1, fused.stdout
    return scans[0], fused.stdout
