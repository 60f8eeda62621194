#!/usr/bin/env python3
"""Prints the PTX held by the gpu.binary ops of an MLIR file (format=isa).

Used by lit tests to hand the kernels that sse-to-nvvm emits to ptxas and
FileCheck: `sse-opt m.mlir --sse-to-nvvm=format=isa | extract_ptx.py DIR`
writes DIR/kernel<i>.ptx for each object and prints their names.
"""
import os
import re
import sys

text = sys.stdin.read()
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
count = 0
for match in re.finditer(r'assembly = "', text):
    i = j = match.end()
    while True:
        j = text.index('"', j)
        if text[j - 1] != "\\":
            break
        j += 1
    ptx = re.sub(r"\\([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)),
                 text[i:j])
    path = os.path.join(out, f"kernel{count}.ptx")
    with open(path, "w") as f:
        f.write(ptx)
    print(path)
    count += 1
if count == 0:
    sys.exit("no PTX (gpu.binary with format=isa) in the input")
