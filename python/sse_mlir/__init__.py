"""sse_mlir: Sparse State Expansion (SSE) linear attention tooling.

The pure-NumPy float64 reference lives in :mod:`sse_mlir.reference`; bf16 /
``.npy`` helpers live in :mod:`sse_mlir.npyio`; :mod:`sse_mlir.mlirgen`
writes ``.mlir`` modules with ``sse`` ops and :mod:`sse_mlir.runner` runs
them on the CPU through ``sse-runner``.  :mod:`sse_mlir.model` describes
whole SSE-GLA and SSE-GDN layers and compiles them, :mod:`sse_mlir.layer_mlir`
writes them as MLIR; :mod:`sse_mlir.layer_reference` is their float64 model.
"""

from . import layer_mlir, layer_reference, mlirgen, model, npyio, reference
from .runner import RunnerError, find_tool, run, run_module

__all__ = ["layer_mlir", "layer_reference", "mlirgen", "model", "npyio", "reference", "RunnerError", "find_tool", "run", "run_module"]
