"""bfloat16 helpers for exchanging tensors through ``.npy`` files.

NumPy has no bfloat16 dtype, so the project's convention is:

    A bf16 array is stored in ``.npy`` as little-endian ``uint16`` (``'<u2'``)
    holding the raw bf16 bit patterns.

bf16 is the upper 16 bits of an IEEE float32 (1 sign, 8 exponent, 7 mantissa
bits), so conversion to float32 is a 16-bit shift, and conversion from float32
is a rounding of the low 16 bits away.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BF16_NPY_DTYPE", "f32_to_bf16_bits", "bf16_bits_to_f32", "round_to_bf16"]

#: dtype used for bf16 bit patterns in ``.npy`` files.
BF16_NPY_DTYPE = np.dtype("<u2")

# Typed constants: with NumPy 1.x value-based casting, mixing a 0-d unsigned
# array with a Python int can promote to int64/float64; these keep the dtype.
_U64_16 = np.uint64(16)
_U64_1 = np.uint64(1)
_U64_ROUND = np.uint64(0x7FFF)
_U64_QUIET_NAN_BIT = np.uint64(0x0040)  # top mantissa bit of a bf16 NaN
_U32_16 = np.uint32(16)


def f32_to_bf16_bits(x) -> np.ndarray:
    """Round float32 values to bf16 and return their bit patterns.

    Rounding is to nearest, ties to even -- the IEEE default and what hardware
    bf16 conversions do.  Values are first converted to float32 (so float64
    input is rounded twice: f64 -> f32 -> bf16).  Overflow rounds to +-inf.
    NaNs stay NaN: plain truncation could turn a NaN whose payload lives only
    in the low 16 bits into infinity, so the quiet bit is forced on.

    Returns a ``'<u2'`` array with the shape of ``x``.
    """
    # np.array copies, which also guarantees a contiguous buffer to view.
    f32 = np.array(x, dtype=np.float32)
    bits = f32.view(np.uint32).astype(np.uint64)
    # Round to nearest even: add 0x7FFF, plus 1 more if the kept part is odd,
    # so an exact halfway value (low half == 0x8000) carries only from odd.
    # uint64 keeps the addition from wrapping for the largest bit patterns.
    truncated = bits >> _U64_16
    lsb = truncated & _U64_1
    rounded = (bits + _U64_ROUND + lsb) >> _U64_16
    out = np.where(np.isnan(f32), truncated | _U64_QUIET_NAN_BIT, rounded)
    return out.astype(BF16_NPY_DTYPE)


def bf16_bits_to_f32(bits) -> np.ndarray:
    """Widen bf16 bit patterns (any uint16 endianness) to float32, exactly."""
    bits = np.asarray(bits)
    if not np.issubdtype(bits.dtype, np.integer):
        raise TypeError(f"bf16 bits must be an integer array, got dtype {bits.dtype}")
    if bits.size and (bits.min() < 0 or bits.max() > 0xFFFF):
        raise ValueError("bf16 bit patterns must lie in [0, 0xFFFF]")
    # np.asarray: ufuncs turn 0-d inputs into scalars; keep returning arrays.
    wide = np.asarray(np.left_shift(bits.astype(np.uint32), _U32_16))
    return wide.view(np.float32)


def round_to_bf16(x) -> np.ndarray:
    """Round to the nearest bf16 value, returned as float32.

    Every returned value is exactly representable in bf16, which is handy for
    generating test inputs whose bf16 and float32 versions are identical.
    """
    return bf16_bits_to_f32(f32_to_bf16_bits(x))
