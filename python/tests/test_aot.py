"""The ahead-of-time CUDA path compiles on machines without a GPU.

`sse-runner --target=cuda --emit-aot=DIR` writes a host object that calls
the mgpu* runtime (kernels embedded) and a manifest of the entry's
signature; sse-aot-run then needs only libsse_cuda_runtime. These checks
run everywhere; running the objects needs a GPU (scripts/gpu_suite.py).
"""

import json
import os
import subprocess

import numpy as np
import pytest

from sse_mlir.cases import ScanCase
from sse_mlir.runner import find_tool


def emit(tmp_path, case):
    module = case.module()
    src = tmp_path / "m.mlir"
    src.write_text(module.text)
    out = tmp_path / "aot"
    proc = subprocess.run([find_tool("sse-runner"), str(src), f"--entry={module.entry}",
                           "--target=cuda", f"--emit-aot={out}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return module, out


def manifest_of(out):
    return json.loads((out / "manifest.json").read_text())


def test_emit_aot_object_and_manifest(tmp_path):
    case = ScanCase(T=40, K=32, V=32, H=2, N=4, k=1, dtype="bf16", gate="per_key",
                    routing="router", shared=True, shared_gate="per_key", init=True)
    module, out = emit(tmp_path, case)
    assert not (out / "manifest.txt").exists()
    m = manifest_of(out)
    assert set(m) == {"format", "version", "entry", "args", "results", "descriptors"}
    assert m["format"] == "sse-aot-manifest" and m["version"] == 1
    assert m["entry"] == module.entry
    assert len(m["args"]) == len(module.args)
    # The final states are written in place into init (no out parameter).
    init = module.args.index("init")
    assert m["results"] == [{"dtype": "bf16", "shape": [1, 40, 2, 32]},
                            {"dtype": "f32", "shape": [1, 2, 5, 32, 32], "in_arg": init}]
    assert m["descriptors"] == len(module.args) + 1
    symbols = subprocess.run(["nm", str(out / "model.o")], capture_output=True,
                             text=True, check=True).stdout
    assert f"T _mlir_ciface_{module.entry}" in symbols
    # The packed wrapper the runtime calls, and what sse-aot-run checks.
    assert f"T _mlir__mlir_ciface_{module.entry}" in symbols
    assert f"R _sse_aot_signature_{module.entry}" in symbols
    assert f"R _sse_aot_descriptors_{module.entry}" in symbols
    for fn in ("mgpuLaunchKernel", "mgpuModuleLoadJIT", "mgpuMemAlloc"):
        assert f"U {fn}" in symbols
    # The object links into a shared library without LLVM.
    subprocess.run(["c++", "-shared", "-o", str(out / "model.so"), str(out / "model.o")],
                   check=True)
    assert os.path.getsize(out / "model.so") > 0


def test_python_manifest_reads_results_in_arguments(tmp_path):
    from sse_mlir.aot import Manifest
    case = ScanCase(T=8, K=16, V=16, H=1, N=2, k=1, routing="args", init=True)
    module, out = emit(tmp_path, case)
    m = Manifest(str(out / "manifest.json"))
    assert m.entry == module.entry
    assert len(m.args) == len(module.args)
    assert m.results == [("f32", (1, 8, 1, 16)), ("f32", (1, 1, 2, 16, 16))]
    assert m.result_in_arg == [None, module.args.index("init")]


def test_states_without_init_are_an_out_parameter(tmp_path):
    case = ScanCase(T=20, K=16, V=16, H=1, N=2, k=1, routing="args")
    module, out = emit(tmp_path, case)
    assert manifest_of(out)["results"] == [{"dtype": "f32", "shape": [1, 20, 1, 16]},
                                           {"dtype": "f32", "shape": [1, 1, 2, 16, 16]}]


def test_aot_run_links_no_llvm():
    """sse-aot-run runs on GPU machines without LLVM: LLVMSupport is static."""
    dyn = subprocess.run(["readelf", "-d", find_tool("sse-aot-run")], capture_output=True,
                         text=True, check=True).stdout
    needed = [l for l in dyn.splitlines() if "NEEDED" in l]
    assert needed and not any("libLLVM" in l or "libMLIR" in l for l in needed), needed


# ---------------------------------------------------------------------------
# sse-aot-run validates everything before it needs a GPU
# ---------------------------------------------------------------------------

CRASH_MARKERS = ("PLEASE submit a bug report", "Stack dump", "Assertion", "Segmentation",
                 "Aborted", "terminate called", "Traceback")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An AOT model of a routed scan with init, linked, and good inputs."""
    tmp = tmp_path_factory.mktemp("aot")
    case = ScanCase(T=8, K=16, V=16, H=1, N=2, k=1, routing="args", init=True)
    module, out = emit(tmp, case)
    subprocess.run(["c++", "-shared", "-o", str(out / "model.so"), str(out / "model.o")],
                   check=True)
    inputs = []
    for name, (shape, dtype) in zip(module.args, module.arg_types):
        path = tmp / f"{name}.npy"
        np.save(path, np.zeros(shape, np.int32 if dtype == "i32" else np.float32))
        inputs.append(str(path))
    return module, out, inputs


def aot_run(model, manifest, inputs, *extra):
    return subprocess.run([find_tool("sse-aot-run"), str(model), str(manifest), *inputs,
                           *extra], capture_output=True, text=True, timeout=60)


def assert_clean(proc, *needles):
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    for marker in CRASH_MARKERS:
        assert marker not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sse-aot-run: error: "), proc.stderr
    for needle in needles:
        assert needle in proc.stderr, (needle, proc.stderr)


def write_manifest(tmp_path, edit, built):
    m = json.loads((built[1] / "manifest.json").read_text())
    edit(m)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(m))
    return path


def _set(path, value):
    def edit(m):
        *head, last = path
        target = m
        for k in head:
            target = target[k]
        target[last] = value
    return edit


def _del(key):
    return lambda m: m.pop(key)


@pytest.mark.parametrize("edit, needles", [
    (_set(["args", 0, "shape", 1], "foo"), ["args[0].shape[1]", "non-negative integer"]),
    (_set(["args", 0, "shape", 1], 99999999999999999999), ["args[0].shape[1]"]),
    (_set(["args", 0, "shape", 1], -3), ["args[0].shape[1]"]),
    (_set(["args", 0, "shape", 1], 2.5), ["args[0].shape[1]"]),
    (_set(["args", 0, "shape"], [2 ** 40, 2 ** 40]), ["too large"]),
    (_set(["args", 0, "shape"], [1] * 9), ["rank 9"]),
    (_set(["args", 0, "dtype"], "f64"), ["args[0].dtype"]),
    (_set(["results", 1, "in_arg"], "x"), ["results[1].in_arg"]),
    (_set(["results", 1, "in_arg"], -2), ["results[1].in_arg"]),
    (_set(["results", 1, "in_arg"], 17), ["results[1].in_arg", "not an argument"]),
    (_set(["results", 1, "in_arg"], 0), ["results[1].in_arg", "argument 0 is"]),
    (_set(["results", 0, "in_arg"], 5), ["results[0].in_arg"]),
    (_set(["results", 1, "extra"], 1), ['unknown key "extra"']),
    (_set(["colour"], "red"), ['unknown key "colour"']),
    (_del("entry"), ['missing key "entry"']),
    (_set(["version"], 2), ['"version"']),
    (_set(["format"], "txt"), ['"format"']),
    (_set(["descriptors"], 6), ['"descriptors" must be 7']),
    (_set(["entry"], ""), ['"entry"']),
], ids=["dim-foo", "dim-overflow", "dim-negative", "dim-float", "bytes-overflow", "rank-9",
        "dtype-f64", "in-arg-x", "in-arg-minus-2", "in-arg-range", "in-arg-type",
        "in-arg-shape", "unknown-key-result", "unknown-key", "no-entry", "version",
        "format", "descriptors", "empty-entry"])
def test_aot_run_rejects_bad_manifest(tmp_path, built, edit, needles):
    _, out, inputs = built
    proc = aot_run(out / "model.so", write_manifest(tmp_path, edit, built), inputs)
    assert_clean(proc, "manifest.json", *needles)


@pytest.mark.parametrize("text", ["", "{", "[]", "entry scan\narg f32 2xfoo\n", "null"],
                         ids=["empty", "cut", "array", "old-txt-format", "null"])
def test_aot_run_rejects_unparsable_manifest(tmp_path, built, text):
    _, out, inputs = built
    path = tmp_path / "manifest.json"
    path.write_text(text)
    assert_clean(aot_run(out / "model.so", path, inputs), "manifest.json")


def test_aot_run_manifest_folder_or_missing(tmp_path, built):
    _, out, inputs = built
    assert_clean(aot_run(out / "model.so", tmp_path, inputs), "not a regular file")
    assert_clean(aot_run(out / "model.so", tmp_path / "none.json", inputs), "none.json")


def test_aot_run_manifest_contradicting_model(tmp_path, built):
    """A manifest that validates but describes another model."""
    module, out, inputs = built
    def edit(m):
        m["results"][0]["shape"][-1] = 17
    proc = aot_run(out / "model.so", write_manifest(tmp_path, edit, built), inputs)
    assert_clean(proc, "does not describe", "the model is scan(")
    def rename(m):
        m["entry"] = "other"
    proc = aot_run(out / "model.so", write_manifest(tmp_path, rename, built), inputs)
    assert_clean(proc, "does not export _mlir_ciface_other")


def test_aot_run_rejects_bad_model_file(tmp_path, built):
    _, out, inputs = built
    manifest = out / "manifest.json"
    assert_clean(aot_run(out / "model.o", manifest, inputs), "not a shared object")
    junk = tmp_path / "junk.so"
    junk.write_bytes(b"\x7fELF" + b"\0" * 10)
    assert_clean(aot_run(junk, manifest, inputs), "junk.so")
    assert_clean(aot_run(tmp_path / "none.so", manifest, inputs), "none.so")


@pytest.mark.parametrize("arg, needle", [("--repeat=abc", "--repeat=abc"),
                                         ("--repeat=0", "--repeat=0"),
                                         ("--repeat=-1", "--repeat=-1"),
                                         ("--frobnicate", "unknown option")])
def test_aot_run_rejects_bad_options(built, arg, needle):
    _, out, inputs = built
    assert_clean(aot_run(out / "model.so", out / "manifest.json", inputs, arg), needle)


def _npy_v2_10_bytes(path):
    path.write_bytes(b"\x93NUMPY\x02\x00\x10\x00")


def _npy_huge_header(path):
    path.write_bytes(b"\x93NUMPY\x02\x00\xff\xff\xff\x7f{'descr'")


def _npy_truncated(path):
    np.save(path, np.zeros((1, 8, 1, 16), np.float32))
    path.write_bytes(path.read_bytes()[:-5])


def _npy_fortran(path):
    np.save(path, np.asfortranarray(np.zeros((1, 8, 1, 16), np.float32)))


def _npy_wrong_dtype(path):
    np.save(path, np.zeros((1, 8, 1, 16), np.float16))


def _npy_wrong_shape(path):
    np.save(path, np.zeros((1, 8, 1, 15), np.float32))


def _npy_f64(path):
    np.save(path, np.zeros((1, 8, 1, 16), np.float64))


def _npy_text(path):
    path.write_text("hello")


@pytest.mark.parametrize("make, needle", [
    (_npy_v2_10_bytes, "truncated"), (_npy_huge_header, "truncated"),
    (_npy_truncated, "data bytes"), (_npy_fortran, "Fortran"),
    (_npy_wrong_dtype, "holds f16"), (_npy_wrong_shape, "shape (1, 8, 1, 15)"),
    (_npy_f64, "unsupported dtype"), (_npy_text, "not an .npy file"),
], ids=["v2-10-bytes", "huge-header", "truncated", "fortran", "f16", "shape", "f64", "text"])
def test_aot_run_rejects_bad_inputs(tmp_path, built, make, needle):
    _, out, inputs = built
    bad = tmp_path / "bad.npy"
    make(bad)
    proc = aot_run(out / "model.so", out / "manifest.json", [str(bad), *inputs[1:]])
    assert_clean(proc, needle)


def test_aot_run_input_count_and_missing_file(tmp_path, built):
    _, out, inputs = built
    assert_clean(aot_run(out / "model.so", out / "manifest.json", inputs[:-1]),
                 "takes 6 arguments but 5")
    assert_clean(aot_run(out / "model.so", out / "manifest.json",
                         [*inputs[:-1], str(tmp_path / "gone.npy")]), "gone.npy")
    assert_clean(aot_run(out / "model.so", out / "manifest.json", [*inputs[:-1], str(tmp_path)]),
                 "not a regular file")


@pytest.mark.skipif(os.path.exists("/dev/nvidiactl"),
                    reason="GPU machine: scripts/gpu_suite.py runs the objects")
def test_aot_run_without_gpu_is_a_clear_error(built):
    """Only a valid manifest, inputs and model get as far as the driver."""
    _, out, inputs = built
    proc = aot_run(out / "model.so", out / "manifest.json", inputs, "--output-dir=x")
    assert_clean(proc, "sse-aot-run: error: cannot load the CUDA driver")


# ---------------------------------------------------------------------------
# The call path: the packed wrapper, any number of descriptors
# ---------------------------------------------------------------------------


def test_wide_entry_gets_its_packed_wrapper(tmp_path):
    """An entry with 25 descriptors (more than the old 20-case switch)."""
    from sse_mlir import mlirgen
    text = mlirgen.scan_module(1, 8, 1, 16, 16).text
    extra = "".join(f", %x{i}: tensor<{i + 1}xi32>" for i in range(20))
    text = text.replace("%v: tensor<1x8x1x16xf32>)", "%v: tensor<1x8x1x16xf32>" + extra + ")", 1)
    src = tmp_path / "wide.mlir"
    src.write_text(text)
    out = tmp_path / "aot"
    proc = subprocess.run([find_tool("sse-runner"), str(src), "--entry=scan", "--target=cuda",
                           f"--emit-aot={out}"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert manifest_of(out)["descriptors"] == 25
    symbols = subprocess.run(["nm", str(out / "model.o")], capture_output=True, text=True,
                             check=True).stdout
    assert "T _mlir__mlir_ciface_scan" in symbols


FAKE_MODEL = r"""
#include <stdint.h>
typedef struct { float *allocated, *aligned; int64_t offset, sizes[1], strides[1]; } D1;
#define P(i) D1 *d##i
void _mlir_ciface_wide(P(0), P(1), P(2), P(3), P(4), P(5), P(6), P(7), P(8), P(9), P(10),
                       P(11), P(12), P(13), P(14), P(15), P(16), P(17), P(18), P(19),
                       P(20), P(21), P(22), P(23), P(24)) {
  D1 *all[25] = {d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15,
                 d16, d17, d18, d19, d20, d21, d22, d23, d24};
  for (int i = 0; i < 25; ++i) all[i]->aligned[all[i]->offset] = 100 + i + all[i]->sizes[0];
}
/* ExecutionEngine's packed convention: args[i] points to the i-th argument. */
void _mlir__mlir_ciface_wide(void **args) {
  _mlir_ciface_wide(
#define A(i) *(D1 **)args[i]
      A(0), A(1), A(2), A(3), A(4), A(5), A(6), A(7), A(8), A(9), A(10), A(11), A(12),
      A(13), A(14), A(15), A(16), A(17), A(18), A(19), A(20), A(21), A(22), A(23), A(24));
}
const int64_t _sse_aot_descriptors_wide = 25;
"""


def test_runtime_calls_entries_with_many_descriptors(tmp_path):
    """sseRuntimeCallEntry calls the packed wrapper with 25 descriptors (any
    count); a count that differs from the model's is refused. Runs on the
    CPU: the fake model does no GPU work, and the synchronisation after the
    call is what needs the driver."""
    import ctypes
    from sse_mlir.aot import descriptor as _descriptor
    from sse_mlir.gpu import _load_runtime, _runtime_path
    src = tmp_path / "fake.c"
    src.write_text(FAKE_MODEL)
    so = tmp_path / "fake.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(so), str(src)], check=True)
    rt = _load_runtime(_runtime_path(str(tmp_path)))
    model = ctypes.CDLL(str(so))
    bufs = [np.zeros(3 + i % 4, np.float32) for i in range(25)]
    descs = [_descriptor(b.ctypes.data, b.shape) for b in bufs]
    array = (ctypes.c_void_p * 25)(*[ctypes.addressof(d) for d in descs])
    assert rt.sseRuntimeCallEntry(model._handle, b"wide", array, 24) != 0
    assert b"takes 25 memref descriptors, but 24" in rt.sseRuntimeLastError()
    assert all(b[0] == 0 for b in bufs)
    assert rt.sseRuntimeCallEntry(model._handle, b"nope", array, 25) != 0
    assert b"_mlir__mlir_ciface_nope" in rt.sseRuntimeLastError()
    status = rt.sseRuntimeCallEntry(model._handle, b"wide", array, 25)
    assert [b[0] for b in bufs] == [100 + i + b.shape[0] for i, b in enumerate(bufs)]
    assert status == 0 or b"CUDA driver" in rt.sseRuntimeLastError()
