#!/usr/bin/env python3
"""Forward-pass benchmark of the SPEC section 6 shapes on the GPU.

    python3 bench/gpu_bench.py build DIR   # here: compile each shape (AOT)
    python3 bench/gpu_bench.py run DIR     # on the GPU machine: time, print

Each shape is the SSE-GLA core as one fused scan (shared partition + routed
partitions with their router, per-key gates, bf16 inputs, K = V = 128
unless said), dense-gla a single gated state, decode one token with the
states carried. `run` measures the card's copy bandwidth and bf16 matrix
rate with PyTorch, then times the compiled entry with CUDA events (median
of several runs after a warm-up; inputs are larger than L2 except decode's
q/k/v, whose states are 671 MB; the inputs stay on the device as PyTorch
tensors, so the calls run back to back, decode's states updated in place
by each) and prints: shape, time (events on the
entry's own stream before its first launch and at its last
synchronisation, as PyTorch or Triton time a call on its stream), call
(the whole synchronous call, host latency included), the floor (the
larger of bytes / bandwidth and tensor-core FLOPs / matrix rate, bytes as
SPEC 6 counts them) and the percentage of the floor reached, with the card.
`build DIR --sweep` adds the shapes of SWEEP with forced schedules
(name@cCHUNKvVTILE), the measurements behind the cost model's GPU choices.
SSE_BENCH_SHAPES=core-4k,decode limits `run` to those shapes, and
SSE_PIPELINE_OPTIONS (e.g. kernels=v1) is passed to sse-to-nvvm by `build`; with
SSE_RUNTIME_PROFILE=1 the runtime also prints each kernel's time.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import numpy as np  # noqa: E402

from sse_mlir.cases import ScanCase, draw_scan_inputs  # noqa: E402
from sse_mlir.mlirgen import Schedule  # noqa: E402

SHAPES = {
    # name: (B, T, H, N, k, K=V, decode)
    "core-4k": (4, 4096, 16, 4, 1, 128, False),
    "core-32k": (1, 32768, 16, 4, 1, 128, False),
    "core-d256": (8, 2048, 6, 4, 1, 256, False),
    "core-n8k2": (4, 4096, 16, 8, 2, 128, False),
    "dense-gla": (4, 4096, 16, None, None, 128, False),
    "decode": (64, 1, 16, 4, 1, 128, True),
    # Not in SPEC 6: the SSE-GDN core (gated delta rule, scalar gates, the
    # router only selects), at core-4k's size.
    "gdn-4k": (4, 4096, 16, 4, 1, 128, False),
}
# Shapes on the gated delta rule.
DELTA = {"gdn-4k"}


# Schedules forced on a shape (name@cCHUNKvVTILE), built with `build DIR
# --sweep`: the measurements that calibrate the cost model's GPU choices.
SWEEP = {
    "core-4k": [(16, 128), (32, 128), (64, 128), (32, 64), (64, 64)],
    "core-n8k2": [(32, 128), (64, 128), (64, 64)],
}


def case_of(name):
    base, _, forced = name.partition("@")
    B, T, H, N, k, D, decode = SHAPES[base]
    schedule = None
    if forced:
        chunk, v_tile = (int(x) for x in forced[1:].split("v"))
        schedule = Schedule(chunk=chunk, k_tile=D, v_tile=v_tile,
                            split="recurrent",
                            grouping="dense" if N is None else "sorted")
    if N is None:
        return ScanCase(B=B, T=T, H=H, K=D, V=D, dtype="bf16", gate="per_key",
                        schedule=schedule)
    if base in DELTA:
        return ScanCase(B=B, T=T, H=H, K=D, V=D, N=N, k=k, dtype="bf16",
                        gate="scalar", rule="delta", routing="router",
                        shared=True, shared_gate="scalar", z_dtype="bf16",
                        read_gate=False, write_gate=False, init=decode,
                        schedule=schedule)
    return ScanCase(B=B, T=T, H=H, K=D, V=D, N=N, k=k, dtype="bf16",
                    gate="per_key", routing="router", shared=True,
                    shared_gate="per_key", z_dtype="bf16", init=decode,
                    schedule=schedule)


def names(sweep):
    out = list(SHAPES)
    if sweep:
        out += [f"{n}@c{c}v{v}" for n, variants in SWEEP.items()
                for c, v in variants]
    return out


def floor_bytes_flops(name):
    """Bytes that must move and tensor-core FLOPs (chunk length 64)."""
    base = name.partition("@")[0]
    B, T, H, N, k, D, decode = SHAPES[base]
    tokens = B * T * H
    C = 64
    if base in DELTA:
        # q1, k1, q2, k2, v, o; scalar g1, g2, beta1, beta2; router logits.
        nbytes = tokens * (6 * D + 4) * 2 + B * T * N * 2
        # Per visit also R = Kg S (2 D D) and the k k^T scores (2 C D).
        flops = tokens * (1 + k) * 2 * (3 * C * D + 3 * D * D)
        return nbytes, flops
    if N is None:
        reads = 3 * D + D  # q, k, v, per-key gate
        nbytes = tokens * (reads + D) * 2
        visits = 1
    else:
        reads = 5 * D + 2 * D  # q1, k1, q2, k2, v, g1, g2
        nbytes = tokens * (reads + D) * 2 + B * T * N * 2  # + o, + router logits
        visits = 1 + k
    if decode:
        nbytes += 2 * B * H * (1 + (N or 0)) * D * D * 4  # read + write states
    flops = tokens * visits * 2 * (C * D + C * D + 2 * D * D)
    return nbytes, flops


def build(out, sweep=False):
    from sse_mlir.gpu import Model
    for name in names(sweep):
        case = case_of(name)
        module = case.module()
        Model.build(module.text, module.entry, os.path.join(out, name),
                    pipeline_options=os.environ.get("SSE_PIPELINE_OPTIONS", ""))
        with open(os.path.join(out, name, "case.py"), "w") as f:
            f.write(repr(case))
    import shutil
    shutil.copy(os.path.join(HERE, "..", "build", "lib", "libsse_cuda_runtime.so"), out)
    print(f"built {len(names(sweep))} shapes into {out}")


def measure_card():
    import torch
    n = 1 << 28  # 1 GiB of f32
    a = torch.empty(n, dtype=torch.float32, device="cuda")
    b = torch.empty_like(a)
    for _ in range(3):
        b.copy_(a)
    start, stop = torch.cuda.Event(True), torch.cuda.Event(True)
    start.record()
    for _ in range(10):
        b.copy_(a)
    stop.record()
    torch.cuda.synchronize()
    bw = 10 * 2 * a.numel() * 4 / (start.elapsed_time(stop) * 1e-3)
    m = torch.randn(8192, 8192, dtype=torch.bfloat16, device="cuda")
    for _ in range(3):
        m @ m
    start.record()
    for _ in range(10):
        m @ m
    stop.record()
    torch.cuda.synchronize()
    rate = 10 * 2 * 8192 ** 3 / (start.elapsed_time(stop) * 1e-3)
    del a, b, m
    return torch.cuda.get_device_name(), bw, rate


def sdpa_ms(B=4, T=4096, H=16, D=128):
    """SPEC 6's comparison: causal softmax attention (torch SDPA, bf16)
    at core-4k's B, T, H and head width, median of 20 after warm-up."""
    import torch
    import torch.nn.functional as F
    q, k, v = (torch.randn(B, H, T, D, dtype=torch.bfloat16, device="cuda")
               for _ in range(3))
    for _ in range(3):
        F.scaled_dot_product_attention(q, k, v, is_causal=True)
    times = []
    for _ in range(20):
        start, stop = torch.cuda.Event(True), torch.cuda.Event(True)
        start.record()
        F.scaled_dot_product_attention(q, k, v, is_causal=True)
        stop.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(stop))
    return float(np.median(times))


#: Timed calls per shape (the median is reported).
REPEAT = 20

def on_device(arrays, arg_types):
    """The inputs as PyTorch CUDA tensors of the entry's argument types,
    uploaded once: the timed calls then run back to back on the device
    (as do_bench runs a PyTorch or Triton call), instead of each waiting
    behind a host copy of every input while the GPU idles."""
    from sse_mlir.gpu import cuda_tensor
    return [cuda_tensor(np.reshape(a, shape), dtype)
            for a, (dtype, shape) in zip(arrays, arg_types)]


def run(out):
    import sse_mlir.cases as cases_module
    from sse_mlir.gpu import Model
    card, bw, rate = measure_card()
    print(f"card: {card}; measured copy {bw / 1e12:.2f} TB/s, bf16 matmul "
          f"{rate / 1e12:.0f} TFLOP/s; causal SDPA at core-4k's shape "
          f"{sdpa_ms():.3f} ms")
    rows = []
    only = os.environ.get("SSE_BENCH_SHAPES")
    built = sorted(d for d in os.listdir(out) if os.path.isfile(
        os.path.join(out, d, "case.py")))
    for name in names(True):
        if name not in built or (only and name not in only.split(",")):
            continue
        d = os.path.join(out, name)
        case = eval(open(os.path.join(d, "case.py")).read(), vars(cases_module))
        module = case.module()
        x = draw_scan_inputs(case, np.random.default_rng(
            int.from_bytes(os.urandom(4), "little")))
        model = Model.load(d)
        inputs = on_device([x[a] for a in module.args], model.args)
        model(inputs)  # warm-up (module load, JIT of the PTX)
        outs, call_ms = model(inputs, repeat=REPEAT)
        ms = model.device_ms if model.device_ms is not None else call_ms
        nan = sum(int(np.isnan(o).sum()) for o in outs)
        nbytes, flops = floor_bytes_flops(name)
        floor_ms = max(nbytes / bw, flops / rate) * 1e3
        rows.append((name, ms, call_ms, floor_ms, 100.0 * floor_ms / ms, nan))
        print(f"{name:18s} {ms:10.3f} ms  (call {call_ms:.3f} ms)  floor "
              f"{floor_ms:7.3f} ms  {100.0 * floor_ms / ms:6.2f} % of floor  "
              f"(unwritten {nan})", flush=True)
    print(f"\n| shape | time (ms) | call (ms) | floor (ms) | % of floor | card |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, ms, call_ms, floor_ms, pct, _ in rows:
        print(f"| {name} | {ms:.3f} | {call_ms:.3f} | {floor_ms:.3f} | "
              f"{pct:.2f} | {card} |")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("build", "run"):
        sys.exit(__doc__)
    if sys.argv[1] == "build":
        sys.exit(build(sys.argv[2], sweep="--sweep" in sys.argv[3:]))
    sys.exit(run(sys.argv[2]))
