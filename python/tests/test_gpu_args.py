"""Argument checks of sse_mlir.gpu.Model on CUDA tensors, before any runtime
call (so no GPU is needed): a tensor of the wrong dtype, shape or layout is
refused with a message naming it, instead of being read as raw bytes."""

import pytest

from sse_mlir.gpu import GpuError, Model


class FakeCudaTensor:
    """What Model reads of a torch CUDA tensor."""

    def __init__(self, shape, dtype, contiguous=True):
        self.shape, self.dtype, self._contiguous = shape, dtype, contiguous
        self.is_cuda = True

    def data_ptr(self):
        return 4096

    def is_contiguous(self):
        return self._contiguous


def model_taking(dtype, shape):
    m = Model.__new__(Model)  # no runtime: the checks come first
    m.entry, m.args, m.results, m.result_in_arg = "f", [(dtype, shape)], [], []
    m.rt = None
    return m


@pytest.mark.parametrize("dtype, given", [("bf16", "torch.float32"),
                                          ("f32", "torch.bfloat16"),
                                          ("i32", "torch.int64"),
                                          ("f16", "torch.bfloat16")])
def test_wrong_dtype_is_refused(dtype, given):
    with pytest.raises(GpuError, match=f"tensor of {given} for an argument of {dtype}"):
        model_taking(dtype, (2, 3))([FakeCudaTensor((2, 3), given)])


def test_wrong_shape_and_layout_are_refused():
    m = model_taking("bf16", (2, 3))
    with pytest.raises(GpuError, match=r"tensor of shape \(3, 2\) for an argument of shape \(2, 3\)"):
        m([FakeCudaTensor((3, 2), "torch.bfloat16")])
    with pytest.raises(GpuError, match="tensor of shape"):
        m([FakeCudaTensor((2, 3), "torch.bfloat16", contiguous=False)])


def test_wrong_argument_count_is_refused():
    with pytest.raises(GpuError, match="takes 1 arguments, got 2"):
        model_taking("f32", (1,))([FakeCudaTensor((1,), "torch.float32")] * 2)
