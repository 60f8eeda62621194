"""sse_mlir: Sparse State Expansion (SSE) linear attention tooling.

The pure-NumPy float64 reference lives in :mod:`sse_mlir.reference`; bf16 /
``.npy`` helpers live in :mod:`sse_mlir.npyio`.
"""
