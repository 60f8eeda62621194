"""sse_mlir: Sparse State Expansion (SSE) linear attention tooling.

The pure-NumPy float64 reference lives in :mod:`sse_mlir.reference`; bf16 /
``.npy`` helpers live in :mod:`sse_mlir.npyio`; :mod:`sse_mlir.mlirgen`
writes ``.mlir`` modules with ``sse`` ops and :mod:`sse_mlir.runner` runs
them on the CPU through ``sse-runner``.
"""

from . import mlirgen, npyio, reference
from .runner import RunnerError, find_tool, run, run_module

__all__ = ["mlirgen", "npyio", "reference", "RunnerError", "find_tool", "run", "run_module"]
