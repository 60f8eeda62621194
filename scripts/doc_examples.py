#!/usr/bin/env python3
"""Prints every ```mlir block of docs/**/*.md, separated by `// -----`.

The lit test test/Docs/examples.mlir feeds the result to `sse-opt
-split-input-file` so that every example in the docs parses, verifies and
round-trips. Blocks in docs must therefore be complete modules/functions;
fragments belong in ```text blocks.
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
blocks = []
for md in sorted(root.rglob("*.md")):
    for m in re.finditer(r"```mlir\n(.*?)```", md.read_text(), re.S):
        blocks.append(f"// From {md.relative_to(root)}\n{m.group(1)}")
if not blocks:
    sys.exit("no ```mlir examples found under " + str(root))
print("\n// -----\n".join(blocks))
