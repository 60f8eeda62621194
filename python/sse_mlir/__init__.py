"""sse_mlir: Sparse State Expansion (SSE) linear attention tooling.

The pure-NumPy float64 reference lives in :mod:`sse_mlir.reference`; bf16 /
``.npy`` helpers live in :mod:`sse_mlir.npyio`; :mod:`sse_mlir.mlirgen`
writes ``.mlir`` modules with ``sse`` ops and :mod:`sse_mlir.runner` runs
them on the CPU through ``sse-runner``.  :mod:`sse_mlir.model` describes
whole SSE-GLA and SSE-GDN layers and compiles them, :mod:`sse_mlir.hybrid`
stacks them with attention and MLP blocks into models,
:mod:`sse_mlir.layer_mlir` writes them as MLIR; :mod:`sse_mlir.layer_reference`
is their float64 model.  :mod:`sse_mlir.cpu` compiles an entry once for the
CPU and calls it (:mod:`sse_mlir.gpu` the same on CUDA).  docs/Tutorial.md
walks through it.
"""

from . import aot, cpu, hybrid, layer_mlir, layer_reference, mlirgen, model, npyio, reference
from .runner import RunnerError, find_tool, run, run_module

__all__ = ["aot", "cpu", "hybrid", "layer_mlir", "layer_reference", "mlirgen", "model", "npyio", "reference", "RunnerError", "find_tool", "run", "run_module"]
