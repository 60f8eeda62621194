"""Check the arrays `sse-runner --dump-inputs` wrote against the float64 reference.

Used by the lit integration tests: sse-runner runs a .mlir entry on seeded
inputs and writes ``input<i>.npy`` and ``result<i>.npy`` into a directory;
this script names what each argument is (``--args q,k,v,gate,w,i``), computes
the reference from the very same inputs and prints one line per result:

    result0 o: rel_err=3.1e-08 tol=1e-05 nan=0 PASS

It exits non-zero if any result is off, holds NaN (outputs are poisoned
before the run, so NaN means "never written"), or has the wrong shape.

Recipes (``--ref``):
  scan      one sse.scan; roles: q k v gate beta w i init cu
  classify  one sse.classify; roles: z
  gla_core  the bundled SSE-GLA core; roles: q1 k1 q2 k2 v g1 g2 z
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from . import reference
from .npyio import bf16_bits_to_f32


def load(path):
    """Loads an .npy; '<u2' arrays are bf16 bits by the project's convention."""
    a = np.load(path)
    if a.dtype == np.dtype("<u2"):
        return bf16_bits_to_f32(a).astype(np.float64), "bf16"
    if a.dtype.kind == "f":
        return a.astype(np.float64), str(a.dtype)
    return a, str(a.dtype)


def rel_err(out, ref):
    denom = np.linalg.norm(ref.ravel())
    diff = np.linalg.norm((out - ref).ravel())
    return diff / denom if denom > 0 else diff


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir")
    p.add_argument("--ref", required=True, choices=["scan", "classify", "gla_core"])
    p.add_argument("--args", required=True,
                   help="comma-separated role of each input, in argument order")
    p.add_argument("--partitions", type=int, default=1)
    p.add_argument("--k", type=int, default=1)
    p.add_argument("--rule", default="additive")
    p.add_argument("--order", default="softmax_then_topk")
    p.add_argument("--renormalize", action="store_true")
    p.add_argument("--no-read-gate", action="store_true")
    p.add_argument("--no-write-gate", action="store_true")
    p.add_argument("--scale", type=float, default=None)
    opts = p.parse_args(argv)

    roles = opts.args.split(",")
    inputs, dtypes = {}, {}
    for n, role in enumerate(roles):
        inputs[role], dtypes[role] = load(os.path.join(opts.dir, f"input{n}.npy"))

    if opts.ref == "scan":
        refs = reference.scan(
            inputs["q"], inputs["k"], inputs["v"], gate=inputs.get("gate"),
            beta=inputs.get("beta"), weights=inputs.get("w"),
            indices=inputs.get("i"), init=inputs.get("init"),
            cu_seqlens=inputs.get("cu"), partitions=opts.partitions,
            scale=opts.scale, rule=opts.rule,
            read_gate=not opts.no_read_gate, write_gate=not opts.no_write_gate)
        names = ["o", "final_states"]
        in_dtype = dtypes["v"]
    elif opts.ref == "classify":
        refs = reference.classify(inputs["z"], opts.k, order=opts.order,
                                  renormalize=opts.renormalize)
        names = ["weights", "indices"]
        in_dtype = dtypes["z"]
    else:
        x = inputs
        o, states = reference.sse_gla_core(
            x["q1"], x["k1"], x["q2"], x["k2"], x["v"], x["g1"], x["g2"],
            x["z"], opts.k, renormalize=opts.renormalize, scale=opts.scale)
        refs = (o, states[:, :, :1], states[:, :, 1:])
        names = ["o", "shared_states", "routed_states"]
        in_dtype = dtypes["v"]

    tol = 1e-5 if in_dtype == "float32" else 1e-2
    ok = True
    for n, (name, ref) in enumerate(zip(names, refs)):
        out, _ = load(os.path.join(opts.dir, f"result{n}.npy"))
        if out.shape != ref.shape:
            print(f"result{n} {name}: shape {out.shape} != reference {ref.shape} FAIL")
            ok = False
            continue
        if name == "indices":
            same = np.array_equal(out, ref)
            print(f"result{n} {name}: exact={same} {'PASS' if same else 'FAIL'}")
            ok &= bool(same)
            continue
        nan = int(np.isnan(out).sum())
        err = rel_err(out, ref)
        good = nan == 0 and err <= tol
        print(f"result{n} {name}: rel_err={err:.1e} tol={tol:g} nan={nan} "
              f"{'PASS' if good else 'FAIL'}")
        ok &= good
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
