#!/usr/bin/env python3
"""Prints the PTX held by the gpu.binary ops of an MLIR file (format=isa).

Used by lit tests to hand the kernels that sse-to-nvvm emits to ptxas and
FileCheck: `sse-opt m.mlir --sse-to-nvvm=format=isa | extract_ptx.py DIR`
writes DIR/kernel<i>.ptx for each object and prints their names. The
unescaping is sse-compile's (sse_mlir.compile_cli.ptx_modules).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

from sse_mlir.compile_cli import ptx_modules  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
modules = ptx_modules(sys.stdin.read())
for count, ptx in enumerate(modules):
    path = os.path.join(out, f"kernel{count}.ptx")
    with open(path, "w") as f:
        f.write(ptx)
    print(path)
if not modules:
    sys.exit("no PTX (gpu.binary with format=isa) in the input")
