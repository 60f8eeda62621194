"""sse-compile: compile a model (or a module) and keep every stage.

    sse-compile MODEL.json [--weights W.safetensors] --target cpu|cuda -o OUT/
                [--batch B] [--seq-len T] [--pipeline-options "..."]
    sse-compile module.mlir --target cuda -o OUT/

MODEL.json is a model file of :mod:`sse_mlir.hybrid` (compiled for static
``--batch`` x ``--seq-len``; ``--weights`` are checked against it, names and
shapes); a ``.mlir`` file is compiled as it is.  OUT/ receives:

* ``input.mlir``: the module given to the pipeline;
* ``stages/NN-<pass>.mlir``: the module after each pass of ``sse-to-llvm-cpu``
  or ``sse-to-nvvm`` that changed it (``NN`` its position in the pipeline);
* ``lowered.mlir``: the pipeline's result;
* with ``--target cuda``: ``kernels/kernelN.ptx`` (one per ``gpu.binary``);
* ``summary.txt`` and ``summary.json``: per scan the cost model's schedule
  and estimate; per GPU kernel its launch (grid, block, dynamic shared
  memory) and, where ``ptxas`` is found, its registers, spills and static
  shared memory.

Exit status: 0; 1 when the pipeline fails (its diagnostic, which names the
op and the pipeline, is printed, and the stages up to there are kept); 2 on
a bad model, weight file or option.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Dict, List, Optional

from .runner import find_tool

__all__ = ["main", "split_stages", "launches", "ptx_modules"]

_DUMP = re.compile(r"^// -----// IR Dump After (\S+) \((\S+)\).*//----- //$", re.M)
_LAUNCH = re.compile(r"gpu\.launch_func\s+(?:\[[^\]]*\]\s*)?@\w+::@(\w+)\s+blocks in \(([^)]*)\)"
                     r"\s+threads in \(([^)]*)\)(?:\s+dynamic_shared_memory_size\s+(%\w+))?")


def split_stages(dump: str) -> List[Dict[str, str]]:
    """The modules of ``--mlir-print-ir-after-all`` output, in order:
    [{"pass": argument, "name": class name, "ir": text}]."""
    marks = list(_DUMP.finditer(dump))
    stages = []
    for n, m in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(dump)
        stages.append({"pass": m.group(2), "name": m.group(1),
                       "ir": dump[m.end():end].strip() + "\n"})
    return stages


def _constant(name: str) -> Optional[int]:
    """The value of an index or i32 constant named as MLIR prints them
    (``%c256``, ``%c144384_i32``)."""
    m = re.fullmatch(r"%c(\d+)(?:_i\d+)?(?:_\d+)?", name.strip())
    return int(m.group(1)) if m else None


def launches(ir: str) -> List[dict]:
    """Every ``gpu.launch_func`` of ``ir``: kernel, grid, block, dynamic
    shared memory (None where an operand is not a printed constant)."""
    out = []
    for m in _LAUNCH.finditer(ir):
        grid = [_constant(x) for x in m.group(2).split(",")]
        block = [_constant(x) for x in m.group(3).split(",")]
        smem = _constant(m.group(4)) if m.group(4) else 0
        out.append({"kernel": m.group(1), "grid": grid, "block": block,
                    "dynamic_smem": smem})
    return out


def ptx_modules(ir: str) -> List[str]:
    """The PTX of each ``gpu.binary`` (format=isa) of ``ir``."""
    texts = []
    for match in re.finditer(r'assembly = "', ir):
        i = j = match.end()
        while True:
            j = ir.index('"', j)
            if ir[j - 1] != "\\":
                break
            j += 1
        texts.append(re.sub(r"\\([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)),
                            ir[i:j]))
    return texts


def _ptxas_info(ptx_path: str) -> Dict[str, dict]:
    """Per entry: registers, spill bytes, static shared memory (ptxas -v);
    empty without ptxas."""
    ptxas = shutil.which("ptxas") or next(
        (p for p in ("/usr/local/cuda/bin/ptxas",) if os.path.exists(p)), None)
    if not ptxas:
        return {}
    proc = subprocess.run([ptxas, "-arch=sm_90a", "-v", ptx_path, "-o", os.devnull],
                          capture_output=True, text=True)
    info: Dict[str, dict] = {}
    current = None
    for line in proc.stderr.splitlines():
        m = re.search(r"Compiling entry function '(\w+)'", line)
        if m:
            current = info.setdefault(m.group(1), {})
            continue
        if current is None:
            continue
        m = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m:
            current["spill_bytes"] = int(m.group(1)) + int(m.group(2))
        m = re.search(r"Used (\d+) registers", line)
        if m:
            current["registers"] = int(m.group(1))
            s = re.search(r"(\d+) bytes smem", line)
            current["static_smem"] = int(s.group(1)) if s else 0
    return info


def _cost_model(sse_opt: str, src: str) -> List[str]:
    """The cost model's remark for each scan (schedule and estimate)."""
    proc = subprocess.run([sse_opt, src, "--sse-fuse", "--sse-tile", "--test-sse-cost-model",
                           "--mlir-print-op-on-diagnostic=false", "-o", os.devnull],
                          capture_output=True, text=True)
    return [m.group(1) for m in re.finditer(r"remark: cost model: (.*)", proc.stderr)]


def _input_module(args) -> str:
    """The module text of the input, or a SystemExit(2) naming the problem."""
    from . import hybrid
    from .model import ConfigError, WeightsError
    if args.input.endswith(".mlir"):
        if args.weights:
            raise SystemExit(_fail("--weights goes with a model file, not a .mlir module"))
        try:
            with open(args.input) as f:
                return f.read()
        except OSError as e:
            raise SystemExit(_fail(f"cannot read {args.input}: {e.strerror}"))
    try:
        cfg = hybrid.ModelConfig.from_json(args.input)
        if args.weights:
            hybrid.Model.from_safetensors(cfg, args.weights)
        return hybrid.emit_model_mlir(cfg, args.batch, args.seq_len).text
    except (ConfigError, WeightsError, ValueError) as e:
        raise SystemExit(_fail(str(e)))


def _fail(message: str) -> int:
    print(f"sse-compile: error: {message}", file=sys.stderr)
    return 2


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="sse-compile", description=__doc__.splitlines()[0])
    p.add_argument("input", help="a model file (.json) or a module (.mlir)")
    p.add_argument("--weights", help="the model's .safetensors (checked)")
    p.add_argument("--target", choices=("cpu", "cuda"), default="cpu")
    p.add_argument("-o", "--output", required=True, help="the directory to write")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--seq-len", type=int, default=64)
    p.add_argument("--pipeline-options", default="")
    args = p.parse_args(argv)
    text = _input_module(args)
    out = args.output
    os.makedirs(os.path.join(out, "stages"), exist_ok=True)
    src = os.path.join(out, "input.mlir")
    with open(src, "w") as f:
        f.write(text)
    sse_opt = find_tool("sse-opt")
    pipeline = "sse-to-llvm-cpu" if args.target == "cpu" else "sse-to-nvvm"
    opts = args.pipeline_options
    if args.target == "cuda":
        opts = (opts + " format=isa").strip()
    flag = f"--{pipeline}" + (f"={opts}" if opts else "")
    proc = subprocess.run([sse_opt, src, flag, "--mlir-print-ir-after-all",
                           "--mlir-print-ir-module-scope", "--mlir-disable-threading",
                           "-o", os.path.join(out, "lowered.mlir")],
                          capture_output=True, text=True)
    stages = split_stages(proc.stderr)
    previous, kept = text, []
    for n, stage in enumerate(stages):
        if stage["ir"].strip() == previous.strip():
            continue
        name = f"{n:02d}-{stage['pass']}.mlir"
        with open(os.path.join(out, "stages", name), "w") as f:
            f.write(stage["ir"])
        kept.append(name)
        previous = stage["ir"]
    if proc.returncode != 0:
        # The diagnostics, without the dumps around them.
        errors = [line for line in proc.stderr.splitlines()
                  if re.search(r": (error|note|warning):", line) and not line.startswith("//")]
        print("\n".join(errors) or proc.stderr.strip()[-2000:], file=sys.stderr)
        print(f"sse-compile: {pipeline} failed; {len(kept)} stages kept in {out}/stages",
              file=sys.stderr)
        return 1
    summary = {"input": args.input, "target": args.target, "pipeline": flag,
               "stages": kept, "scans": _cost_model(sse_opt, src), "kernels": []}
    if args.target == "cuda":
        with open(os.path.join(out, "lowered.mlir")) as f:
            lowered = f.read()
        os.makedirs(os.path.join(out, "kernels"), exist_ok=True)
        info: Dict[str, dict] = {}
        for i, ptx in enumerate(ptx_modules(lowered)):
            path = os.path.join(out, "kernels", f"kernel{i}.ptx")
            with open(path, "w") as f:
                f.write(ptx)
            info.update(_ptxas_info(path))
        launch_ir = next((s["ir"] for s in stages if s["pass"] == "convert-sse-gpu-to-gpu"), "")
        launch_ir += next((s["ir"] for s in stages if s["pass"] == "sse-outline-kernels"), "")
        seen = set()
        for launch in launches(launch_ir):
            if launch["kernel"] in seen:
                continue
            seen.add(launch["kernel"])
            launch.update(info.get(launch["kernel"], {}))
            summary["kernels"].append(launch)
        summary["ptxas"] = bool(info)
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    lines = [f"sse-compile {args.input} --target {args.target}: {len(kept)} stages "
             f"({pipeline}) in {out}/stages"]
    for remark in summary["scans"]:
        lines.append(f"scan (cost model of sse-tile): {remark}")
    for k in summary["kernels"]:
        regs = (f"{k['registers']} registers, {k['spill_bytes']} bytes spilled, "
                f"{k['static_smem']} B static smem" if "registers" in k
                else "registers unknown (no ptxas)")
        lines.append(f"kernel {k['kernel']}: grid {tuple(k['grid'])}, block {tuple(k['block'])}, "
                     f"{k['dynamic_smem']} B dynamic smem; {regs}")
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
