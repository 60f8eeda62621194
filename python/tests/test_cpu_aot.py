"""Compile once for the CPU, call many times (sse_mlir.cpu, issue 11 item 2).

`sse-runner --target=cpu --emit-aot=DIR` writes model.o (sse-to-llvm-cpu,
code for this CPU), manifest.json and support-libs.txt; CpuModel links and
loads it and calls the entry's packed interface on NumPy memory. Checked
here: the results equal the float64 reference on fresh inputs (hard ones:
strong gates with resets, the delta rule, routing, V != K, T = 1), outputs
are poisoned first, an argument the entry updates in place is not the
caller's array, the compiled layer builds each shape once and a decode
step uses the compiled prefill-free module, and every bad input or file is
a CpuError naming it.
"""

import json
import os
import subprocess

import numpy as np
import pytest

from layer_checks import F32_TOL, check, fresh_seed
from sse_mlir import cpu, model
from sse_mlir.cases import ScanCase, check_close, draw_scan_inputs, reference_scan
from sse_mlir.cpu import CpuError, CpuModel
from sse_mlir.layer_reference import sse_gla_layer
from sse_mlir.runner import RunnerError, find_tool

CASES = [
    ScanCase(T=37, K=16, V=32, H=2, N=4, k=2, gate="per_key", gate_mix="strong",
             routing="router", shared=True, shared_gate="scalar", init=True),
    ScanCase(T=1, K=16, V=16, H=2, N=2, k=1, gate="scalar", rule="delta",
             routing="args", init=True),
    ScanCase(T=20, K=32, V=16, H=1, dtype="bf16", gate="scalar", gate_mix="strong"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cpu_model_matches_reference(case, tmp_path, error_log):
    module = case.module()
    m = CpuModel.build(module.text, module.entry, str(tmp_path / "m"))
    assert m.args == [(t[1], tuple(t[0])) for t in module.arg_types]
    x = draw_scan_inputs(case, np.random.default_rng(fresh_seed()))
    inputs = [x[n] for n in module.args]
    before = [np.array(a, copy=True) for a in inputs]
    o, states = m(inputs)
    ref_o, ref_states = reference_scan(case, x)
    check_close(error_log, case.dtype, "o", o, ref_o)
    check_close(error_log, case.dtype, "states", states, ref_states)
    # Arguments are read, never written: the states the entry updates in
    # place are a copy of init.
    for a, b in zip(inputs, before):
        np.testing.assert_array_equal(a, b)
    # A second call gives the same results (nothing carried between calls).
    o2, states2 = m(inputs)
    np.testing.assert_array_equal(o2, o)
    np.testing.assert_array_equal(states2, states)


def test_outputs_are_poisoned_before_the_call(tmp_path, monkeypatch):
    """With the entry replaced by a no-op, every output reads NaN."""
    case = ScanCase(T=8, K=16, V=16, H=1)
    module = case.module()
    m = CpuModel.build(module.text, module.entry, str(tmp_path / "m"))
    x = draw_scan_inputs(case, np.random.default_rng(0))
    monkeypatch.setattr(m, "_fn", lambda slots: None)
    o, states = m([x[n] for n in module.args])
    assert np.isnan(o).all() and np.isnan(states).all()


def test_emit_aot_for_cpu_writes_support_libs(tmp_path):
    module = ScanCase(T=8, K=16, V=16, H=1, init=True).module()
    src = tmp_path / "m.mlir"
    src.write_text(module.text)
    out = tmp_path / "aot"
    proc = subprocess.run([find_tool("sse-runner"), str(src), f"--entry={module.entry}",
                           "--target=cpu", f"--emit-aot={out}"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    libs = (out / "support-libs.txt").read_text().split()
    assert any(os.path.basename(p) == "libmlir_c_runner_utils.so" for p in libs)
    assert all(os.path.isfile(p) for p in libs)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["results"][1]["in_arg"] == module.args.index("init")
    symbols = subprocess.run(["nm", str(out / "model.o")], capture_output=True, text=True,
                             check=True).stdout
    assert f"T _mlir__mlir_ciface_{module.entry}" in symbols
    assert "mgpu" not in symbols  # host code only: no CUDA runtime


def test_compiled_layer_builds_each_shape_once(tmp_path, monkeypatch):
    """Prefill, then decode steps: one build per (B, T, initial state), the
    steps run the compiled module and continue the prefill exactly."""
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    cfg = model.SSEGLAConfig(hidden_size=32, num_heads=2, head_dim=16, expand_v=2,
                             num_partitions=4, top_k=2)
    layer = model.SSEGLALayer.random(cfg, rng)
    builds = []
    real_build = CpuModel.build

    def counting_build(*a, **kw):
        builds.append(a[2])
        return real_build(*a, **kw)
    monkeypatch.setattr(cpu.CpuModel, "build", staticmethod(counting_build))
    run = model.compile(layer, cache_dir=str(tmp_path))
    x = rng.standard_normal((2, 8, cfg.hidden_size)).astype(np.float32)
    _, state = run(x[:, :5])
    for t in range(5, 8):
        y, state = run(x[:, t:t + 1], initial_state=state)
    assert len(builds) == 2, builds  # the prefill and the decode step
    ref_y, ref_state = sse_gla_layer(cfg, layer.weights, x)
    check(y, ref_y[:, 7:], F32_TOL, f"last decode step (seed {seed})")
    check(state, ref_state, F32_TOL, f"state after the steps (seed {seed})")
    assert sorted(os.listdir(tmp_path)) == ["b2-t1-init", "b2-t5-zero"]


def test_bad_calls_and_files_are_clear_errors(tmp_path):
    case = ScanCase(T=8, K=16, V=16, H=1, init=True)
    module = case.module()
    d = tmp_path / "m"
    m = CpuModel.build(module.text, module.entry, str(d))
    x = draw_scan_inputs(case, np.random.default_rng(1))
    inputs = [x[n] for n in module.args]
    with pytest.raises(CpuError, match=r"takes 4 arguments, got 3"):
        m(inputs[:3])
    bad = list(inputs)
    bad[0] = bad[0][:, :4]
    with pytest.raises(CpuError, match=r"argument 0 of @scan: an array of shape \(1, 4, 1, 16\)"):
        m(bad)
    bad[0] = inputs[0].astype(np.int32)
    with pytest.raises(CpuError, match=r"argument 0 of @scan: an array of int32 for f32"):
        m(bad)
    # A manifest that does not describe model.so.
    manifest = json.loads((d / "manifest.json").read_text())
    manifest["args"][0]["shape"][1] = 9
    (d / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CpuError, match="the manifest does not describe"):
        CpuModel.load(str(d))
    (d / "manifest.json").write_text("{")
    with pytest.raises(CpuError, match="cannot read the manifest"):
        CpuModel.load(str(d))
    os.remove(d / "support-libs.txt")
    with pytest.raises(CpuError):
        CpuModel.load(str(d))
    with pytest.raises(RunnerError, match="sse-runner --emit-aot failed"):
        CpuModel.build("func.func @scan( {", "scan", str(tmp_path / "broken"))
