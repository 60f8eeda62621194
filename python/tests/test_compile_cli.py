"""sse-compile (sse_mlir.compile_cli): every stage, the PTX and a summary
per kernel, or an error naming the op and the pipeline.

For the CPU a model file compiles to LLVM with each pass's module kept; for
CUDA a module of one scan gives its kernels' PTX, launches (grid, block,
shared memory, as the IR has them) and, where ptxas is installed, their
registers and spills; a whole model for CUDA fails at sse-check-gpu-ops,
naming the first op without a GPU kernel. Bad model and weight files exit
with status 2 and a message.
"""

import json
import os
import shutil

import numpy as np
import pytest

from sse_mlir import compile_cli, hybrid
from sse_mlir.safetensors import write_safetensors

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
EXAMPLE = os.path.join(ROOT, "examples", "sse_h_small.json")
SCAN = """func.func @f(%q: tensor<1x4096x2x64xbf16>, %v: tensor<1x4096x2x64xbf16>)
    -> (tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) : (tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>,
      tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>)
      -> (tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>)
  return %o, %s : tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>
}
"""


def test_model_for_the_cpu_keeps_every_stage(tmp_path, capsys):
    weights = tmp_path / "w.safetensors"
    hybrid.Model.random(hybrid.ModelConfig.from_json(EXAMPLE), 0).save_safetensors(str(weights))
    out = tmp_path / "out"
    assert compile_cli.main([EXAMPLE, "--weights", str(weights), "--target", "cpu",
                             "-o", str(out), "--batch", "2", "--seq-len", "8"]) == 0
    stages = sorted(os.listdir(out / "stages"))
    assert stages[0].startswith("00-") and any("sse-fuse" in s for s in stages)
    # Each kept stage changed the module; the last is what lowered.mlir holds.
    texts = [(out / "stages" / s).read_text() for s in stages]
    assert all(a != b for a, b in zip(texts, texts[1:]))
    assert "tensor<2x8x64xf32>" in (out / "input.mlir").read_text()
    assert "llvm.func @sse_model" in (out / "lowered.mlir").read_text()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["stages"] == stages and summary["kernels"] == []
    assert len(summary["scans"]) == 3  # the example's three SSE blocks
    assert "stages (sse-to-llvm-cpu)" in capsys.readouterr().out


def test_scan_for_cuda_gives_ptx_and_kernel_summary(tmp_path):
    src = tmp_path / "scan.mlir"
    src.write_text(SCAN)
    out = tmp_path / "out"
    assert compile_cli.main([str(src), "--target", "cuda", "-o", str(out)]) == 0
    ptx = (out / "kernels" / "kernel0.ptx").read_text()
    assert "wgmma.mma_async" in ptx and "cp.async" in ptx
    summary = json.loads((out / "summary.json").read_text())
    kernels = {k["kernel"]: k for k in summary["kernels"]}
    # 2 heads x 64 chunks on 132 SMs: a segmented walk of 8 pieces.
    assert set(kernels) == {"sse_segment_states_0", "sse_combine_segments_0",
                            "sse_chunk_scan_0"}
    assert kernels["sse_chunk_scan_0"]["grid"] == [1, 2, 8]
    assert kernels["sse_segment_states_0"]["grid"] == [1, 2, 7]
    assert kernels["sse_chunk_scan_0"]["block"] == [256, 1, 1]
    assert kernels["sse_chunk_scan_0"]["dynamic_smem"] > 100_000
    text = (out / "summary.txt").read_text()
    if shutil.which("ptxas") or os.path.exists("/usr/local/cuda/bin/ptxas"):
        assert summary["ptxas"] and kernels["sse_chunk_scan_0"]["spill_bytes"] == 0
        assert 0 < kernels["sse_chunk_scan_0"]["registers"] <= 255
    else:
        assert not summary["ptxas"] and "registers unknown (no ptxas)" in text


def test_model_for_cuda_names_the_op_without_a_kernel(tmp_path, capsys):
    out = tmp_path / "out"
    assert compile_cli.main([EXAMPLE, "--target", "cuda", "-o", str(out),
                             "--seq-len", "8"]) == 1
    err = capsys.readouterr().err
    assert "sse-to-nvvm has no GPU kernel for 'linalg." in err
    assert "sse-compile: sse-to-nvvm failed" in err
    assert (out / "stages").is_dir() and not (out / "summary.json").exists()


@pytest.mark.parametrize("setup, message", [
    (lambda d: (d / "m.json").write_text("{"), "cannot read the model file"),
    (lambda d: (d / "m.json").write_text(json.dumps({"hidden_size": 8})), "missing key"),
])
def test_bad_model_files_exit_2(setup, message, tmp_path, capsys):
    setup(tmp_path)
    with pytest.raises(SystemExit) as e:
        compile_cli.main([str(tmp_path / "m.json"), "-o", str(tmp_path / "out")])
    assert e.value.code == 2 and message in capsys.readouterr().err


def test_bad_weights_exit_2(tmp_path, capsys):
    cfg = hybrid.ModelConfig.from_json(EXAMPLE)
    w = hybrid.random_weights(cfg, 0)
    w["norm.weight"] = np.zeros(3, np.float32)
    path = tmp_path / "w.safetensors"
    write_safetensors(str(path), {n: (a, "F32") for n, a in w.items()})
    with pytest.raises(SystemExit) as e:
        compile_cli.main([EXAMPLE, "--weights", str(path), "-o", str(tmp_path / "out")])
    assert e.value.code == 2
    assert "norm.weight is [3], expected [64]" in capsys.readouterr().err
