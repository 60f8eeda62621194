"""sse-runner fails cleanly on bad input: a message naming the problem on
stderr and a non-zero exit status -- never a crash, abort or signal."""

import os
import shutil
import subprocess

import numpy as np
import pytest

from sse_mlir import mlirgen
from sse_mlir.npyio import f32_to_bf16_bits
from sse_mlir.runner import RunnerError, find_tool, run, run_module

# A small routed scan: q, k, v [1,7,2,16] f32, z [1,7,4] -> o, states.
MODULE = mlirgen.scan_module(1, 7, 2, 16, 16, routing="classify", partitions=4, topk=2)
ENTRY = MODULE.entry
SHAPES = [shape for shape, _ in MODULE.arg_types]

CRASH_MARKERS = ("PLEASE submit a bug report", "Stack dump", "Assertion", "Segmentation",
                 "Aborted", "UNREACHABLE", "terminate called")


def good_inputs():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(shape).astype(np.float32) for shape in SHAPES]


def save_inputs(tmp_path, arrays):
    paths = []
    for i, a in enumerate(arrays):
        p = tmp_path / f"arg{i}.npy"
        np.save(p, a)
        paths.append(str(p))
    return paths


def sse_runner(tmp_path, args, text=MODULE.text):
    """Runs sse-runner on ``text`` with ``args``; returns the CompletedProcess."""
    module = tmp_path / "module.mlir"
    module.write_text(text)
    cmd = [find_tool("sse-runner"), str(module), *args, f"--output-dir={tmp_path / 'out'}"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def assert_clean_error(proc, *needles):
    """Non-zero exit, not a signal, no crash report, stderr names the problem."""
    assert proc.returncode != 0, f"expected failure, got success:\n{proc.stdout}"
    assert proc.returncode > 0, f"killed by signal {-proc.returncode}:\n{proc.stderr}"
    assert proc.returncode < 128, f"exit status {proc.returncode} looks like a signal"
    for marker in CRASH_MARKERS:
        assert marker not in proc.stderr, f"crash marker {marker!r} in stderr:\n{proc.stderr}"
    for needle in needles:
        assert needle in proc.stderr, f"{needle!r} not in stderr:\n{proc.stderr}"
    assert not os.path.exists(os.path.join(os.path.dirname(proc.args[1]), "out",
                                           "result0.npy")), "results written on failure"


def test_good_inputs_run(tmp_path):
    """The baseline the error cases perturb really works."""
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", "--target=cpu",
                                 *save_inputs(tmp_path, good_inputs())])
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "result1.npy").exists()


# ---------------------------------------------------------------------------
# Input files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad, needles", [
    (lambda a: a.astype(np.float64), ["arg0.npy", "unsupported dtype", "<f8"]),
    (lambda a: a.astype(np.int32), ["argument 0", "holds i32", "f32"]),
    (lambda a: a.astype(np.float16), ["argument 0", "holds f16", "f32"]),
    (lambda a: f32_to_bf16_bits(a), ["argument 0", "holds bf16", "f32"]),
    (lambda a: a.astype(np.int64), ["argument 0", "holds i64"]),
    (lambda a: a.astype(np.uint8), ["arg0.npy", "unsupported dtype", "|u1"]),
    (lambda a: a.astype(">f4"), ["arg0.npy", "unsupported dtype", ">f4"]),
], ids=["f64", "i32", "f16", "bf16", "i64", "u8", "big-endian-f32"])
def test_wrong_dtype_file(tmp_path, bad, needles):
    arrays = good_inputs()
    arrays[0] = bad(arrays[0])
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", *save_inputs(tmp_path, arrays)])
    assert_clean_error(proc, *needles)


@pytest.mark.parametrize("shape", [(1, 7, 2, 8), (7, 2, 16), (1, 7, 2, 16, 1), (0, 7, 2, 16),
                                   ()], ids=["narrow", "rank3", "rank5", "empty", "scalar"])
def test_wrong_shape_file(tmp_path, shape):
    arrays = good_inputs()
    arrays[1] = np.zeros(shape, np.float32)
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", *save_inputs(tmp_path, arrays)])
    assert_clean_error(proc, "argument 1", "shape", "(1, 7, 2, 16)")


def test_wrong_dtype_for_bf16_argument(tmp_path):
    module = mlirgen.scan_module(1, 3, 1, 16, 16, dtype="bf16")
    rng = np.random.default_rng(1)
    arrays = [f32_to_bf16_bits(rng.standard_normal(s)) for s, _ in module.arg_types]
    arrays[2] = arrays[2].view(np.float16)  # f16 bits where bf16 is expected
    proc = sse_runner(tmp_path, [f"--entry={module.entry}", *save_inputs(tmp_path, arrays)],
                      text=module.text)
    assert_clean_error(proc, "argument 2", "bf16", "holds f16")


@pytest.mark.parametrize("count", [0, 1, 3, 5], ids=lambda n: f"{n}files")
def test_wrong_number_of_inputs(tmp_path, count):
    arrays = (good_inputs() * 2)[:count]
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", *save_inputs(tmp_path, arrays)])
    if count == 0:
        assert_clean_error(proc, "takes 4 arguments", "--seed")
    else:
        assert_clean_error(proc, f"takes 4 arguments but {count} input files")


def test_missing_input_file(tmp_path):
    paths = save_inputs(tmp_path, good_inputs())
    paths[2] = str(tmp_path / "does_not_exist.npy")
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", *paths])
    assert_clean_error(proc, "does_not_exist.npy", "cannot read")


@pytest.mark.parametrize("content, needle", [
    (b"hello, world\n", "not an .npy file"),
    (b"", "not an .npy file"),
    (b"\x93NUMPY\x01", "truncated"),
    (b"\x93NUMPY\x07\x00\x10\x00{}              ", "unsupported .npy format version"),
    (b"PK\x03\x04" + b"\0" * 60, "not an .npy file"),  # an .npz (zip) archive
], ids=["text", "empty", "truncated-header", "bad-version", "npz"])
def test_non_npy_file(tmp_path, content, needle):
    paths = save_inputs(tmp_path, good_inputs())
    junk = tmp_path / "junk.npy"
    junk.write_bytes(content)
    paths[0] = str(junk)
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", *paths])
    assert_clean_error(proc, "junk.npy", needle)


def test_truncated_data(tmp_path):
    paths = save_inputs(tmp_path, good_inputs())
    data = open(paths[0], "rb").read()
    open(paths[0], "wb").write(data[:-6])
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", *paths])
    assert_clean_error(proc, "arg0.npy", "data bytes")


def test_fortran_order_file(tmp_path):
    arrays = good_inputs()
    paths = save_inputs(tmp_path, arrays)
    np.save(paths[0], np.asfortranarray(arrays[0]))
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", *paths])
    assert_clean_error(proc, "arg0.npy", "Fortran")


# ---------------------------------------------------------------------------
# The module and the command line
# ---------------------------------------------------------------------------


def test_missing_entry(tmp_path):
    proc = sse_runner(tmp_path, ["--entry=nope", *save_inputs(tmp_path, good_inputs())])
    assert_clean_error(proc, "@nope", f"@{ENTRY}")


def test_missing_module_file(tmp_path):
    cmd = [find_tool("sse-runner"), str(tmp_path / "absent.mlir"), "--entry=f",
           f"--output-dir={tmp_path / 'out'}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert_clean_error(proc, "absent.mlir")


@pytest.mark.parametrize("text, needle", [
    (MODULE.text.replace("sse.scan", "sse.scna"), "sse.scna"),
    (MODULE.text.replace("-> (", "-> ((", 1), "expected"),
    (MODULE.text[: len(MODULE.text) // 2], "error:"),
    ("func.func @scan(", "expected"),
    ("this is not mlir\n", "error"),
    (MODULE.text.replace("tensor<1x7x4xf32>", "tensor<1x7x4xf32", 1), "expected '>'"),
], ids=["unknown-op", "extra-paren", "cut-in-half", "unterminated", "prose", "bad-type"])
def test_malformed_mlir(tmp_path, text, needle):
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", *save_inputs(tmp_path, good_inputs())],
                      text=text)
    assert_clean_error(proc, "module.mlir:", needle)


def _classify_k_gt_n():
    return mlirgen.classify_module((1, 7, 4), 5).text


def _scan_k_gt_n():
    return mlirgen.scan_module(1, 7, 1, 16, 16, routing="args", partitions=2, topk=3).text


def _scan_gate_rank():
    text = mlirgen.scan_module(1, 7, 2, 16, 16, gate="scalar").text
    return text.replace("tensor<1x7x2xf32>", "tensor<1x7xf32>")


def _scan_delta_no_beta():
    text = mlirgen.scan_module(1, 7, 2, 16, 16).text
    return text.replace("{partitions = 1 : i64}", "{partitions = 1 : i64, rule = #sse.rule<delta>}")


def _scan_unrouted_partitions():
    return mlirgen.scan_module(1, 7, 2, 16, 16).text.replace("partitions = 1", "partitions = 4")


def _scan_float_indices():
    return mlirgen.scan_module(1, 7, 2, 16, 16, routing="args", partitions=4,
                               topk=1).text.replace("x1xi32>", "x1xf32>")


def _scan_cu_with_batch2():
    return mlirgen.scan_module(1, 7, 2, 16, 16, num_seqs=2).text.replace(
        "tensor<1x7x2x16xf32>", "tensor<2x7x2x16xf32>")


@pytest.mark.parametrize("make, needles", [
    (_classify_k_gt_n, ["sse.classify", "'k' = 5", "N = 4"]),
    (_scan_k_gt_n, ["sse.scan", "k = 3", "partitions = 2"]),
    (_scan_gate_rank, ["sse.scan", "gate", "tensor<1x7xf32>"]),
    (_scan_delta_no_beta, ["sse.scan", "beta"]),
    (_scan_unrouted_partitions, ["sse.scan", "partitions"]),
    (_scan_float_indices, ["indices"]),
    (_scan_cu_with_batch2, ["sse.scan", "B = 1"]),
], ids=["classify-k-gt-N", "scan-k-gt-N", "gate-rank", "delta-no-beta",
        "unrouted-N4", "float-indices", "cu-seqlens-B2"])
def test_verifier_error(tmp_path, make, needles):
    proc = sse_runner(tmp_path, ["--entry=scan", "--seed=1"], text=make())
    assert_clean_error(proc, "error", *needles)


@pytest.mark.parametrize("target", ["gpu", "rocm", ""])
def test_unsupported_target(tmp_path, target):
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", f"--target={target}",
                                 *save_inputs(tmp_path, good_inputs())])
    assert_clean_error(proc, f"--target={target}", "not supported")


def _has_gpu():
    return shutil.which("nvidia-smi") is not None


@pytest.mark.skipif(_has_gpu(), reason="checks the error without a GPU")
def test_cuda_without_gpu_is_a_clear_error(tmp_path):
    """No GPU or no driver: a clear error naming the driver, exit status 1."""
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", "--target=cuda",
                                 *save_inputs(tmp_path, good_inputs())])
    assert_clean_error(proc, "--target=cuda", "CUDA driver")


def test_emit_aot_needs_a_known_target(tmp_path):
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", "--target=tpu",
                                 f"--emit-aot={tmp_path}/aot"])
    assert_clean_error(proc, "--target=tpu is not supported (available: cpu, cuda)")
    assert not os.path.exists(tmp_path / "aot")


def test_unknown_option(tmp_path):
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", "--no-such-flag",
                                 *save_inputs(tmp_path, good_inputs())])
    assert_clean_error(proc, "--no-such-flag")


@pytest.mark.parametrize("text, needle", [
    ("func.func @f(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {\n"
     "  return %x : tensor<?x3xf32>\n}\n", "static shape"),
    ("func.func @f(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {\n"
     "  return %x : tensor<2x3xf64>\n}\n", "f64"),
    ("func.func @f(%x: f32) -> f32 {\n  return %x : f32\n}\n", "ranked tensors"),
    ("func.func @f(%x: tensor<2xf32>) -> tensor<2xi8> {\n"
     "  %y = arith.fptosi %x : tensor<2xf32> to tensor<2xi8>\n"
     "  return %y : tensor<2xi8>\n}\n", "result 0"),
], ids=["dynamic-shape", "f64-arg", "scalar-arg", "i8-result"])
def test_unsupported_signature(tmp_path, text, needle):
    proc = sse_runner(tmp_path, ["--entry=f", "--seed=1"], text=text)
    assert_clean_error(proc, "@f", needle)


# ---------------------------------------------------------------------------
# The Python wrapper
# ---------------------------------------------------------------------------


def test_python_runner_raises_with_stderr(tmp_path):
    arrays = good_inputs()
    arrays[0] = arrays[0][..., :8]
    with pytest.raises(RunnerError) as info:
        run(MODULE.text, ENTRY, arrays, MODULE.arg_dtypes, workdir=str(tmp_path))
    err = info.value
    assert err.returncode == 1
    assert "argument 0" in str(err) and "shape" in str(err)
    assert "argument 0" in err.stderr


def test_python_runner_missing_entry():
    with pytest.raises(RunnerError, match="no function @nope"):
        run(MODULE.text, "nope", good_inputs(), MODULE.arg_dtypes)


def test_python_runner_roundtrip_bf16(tmp_path):
    """bf16 goes in as bits and comes back as float32 values."""
    module = mlirgen.scan_module(1, 3, 1, 16, 16, dtype="bf16")
    rng = np.random.default_rng(2)
    x = [rng.standard_normal(s).astype(np.float32) for s, _ in module.arg_types]
    o, states = run_module(module, x, workdir=str(tmp_path))
    assert o.dtype == np.float32 and states.dtype == np.float32
    assert np.load(tmp_path / "arg0.npy").dtype == np.dtype("<u2")


def test_find_tool_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("SSE_TOOLS_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="SSE_TOOLS_DIR"):
        find_tool("sse-runner")


# Sizes whose byte count overflows, or exceeds the machine, are refused.
@pytest.mark.parametrize("how", ["seed", "npy"])
def test_oversized_tensor_is_an_error(tmp_path, how):
    n = 2 ** 62
    t = f"tensor<{n}xf32>"
    text = (f"func.func @f(%x: {t}) -> {t} {{\n  %e = tensor.empty() : {t}\n"
            f"  %o = linalg.add ins(%x, %x : {t}, {t}) outs(%e : {t}) -> {t}\n"
            f"  return %o : {t}\n}}\n")
    if how == "seed":
        args = ["--entry=f", "--seed=1"]
    else:
        # A well-formed header claiming 2^62 f32 elements and no data: its byte
        # count would wrap to 0 if it were not checked.
        header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({n},), }}"
        header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
        raw = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
        (tmp_path / "huge.npy").write_bytes(raw)
        args = ["--entry=f", str(tmp_path / "huge.npy")]
    proc = sse_runner(tmp_path, args, text=text)
    assert_clean_error(proc, "@f")


def test_tensor_larger_than_memory_is_refused_before_allocating(tmp_path):
    t = "tensor<1000000x1000000xf32>"  # 4 TB
    text = (f"func.func @f(%x: {t}) -> {t} {{\n  return %x : {t}\n}}\n")
    proc = sse_runner(tmp_path, ["--entry=f", "--seed=1"], text=text)
    assert_clean_error(proc, "need 12000000000000 bytes (inputs held twice)",
                       "more than sse-runner may use")


def test_inputs_beyond_the_address_space_limit_are_refused(tmp_path):
    """Under ulimit -v, buffers that fit the machine but not the limit are an
    error before any allocation (a 1.5 GB input held twice under a 2 GB limit
    was an abort in operator new: the saved fuzz crasher runner.huge-dim)."""
    import resource
    runner = find_tool("sse-runner")
    with open(runner, "rb") as f:
        if b"__asan_init" in f.read():
            # ASan reserves terabytes of shadow address space at start-up:
            # no ASan-built tool runs under a 2 GB RLIMIT_AS at all. (The
            # release build runs this test; test_tensor_larger_than_memory
            # checks the same refusal under ASan.)
            pytest.skip("an ASan-built sse-runner cannot run under RLIMIT_AS")
    t = "tensor<3x268435456xbf16>"
    text = (f"func.func @f(%z: {t}) -> (tensor<3x2xf32>, tensor<3x2xi64>) {{\n"
            f"  %w, %i = sse.classify %z {{k = 2 : i64, order = #sse.order<topk_then_softmax>}}"
            f" : {t} -> (tensor<3x2xf32>, tensor<3x2xi64>)\n"
            "  return %w, %i : tensor<3x2xf32>, tensor<3x2xi64>\n}\n")
    module = tmp_path / "module.mlir"
    module.write_text(text)
    limit = 2 << 30

    def preexec():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    proc = subprocess.run([runner, str(module), "--entry=f", "--seed=1",
                           f"--output-dir={tmp_path / 'out'}"],
                          capture_output=True, text=True, timeout=120, preexec_fn=preexec)
    assert_clean_error(proc, "the arguments and results of @f need 3221225544 bytes",
                       f"more than sse-runner may use ({limit} bytes")


# ---------------------------------------------------------------------------
# Issue 9: the pipeline-owned attribute, libraries, empty inputs
# ---------------------------------------------------------------------------

ADD = ("func.func @f(%x: tensor<4xf32>, %y: tensor<4xi32>) -> tensor<4xf32> {{\n"
       "  %e = tensor.empty() : tensor<4xf32>\n"
       "  %o = linalg.add ins(%x, %x : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>)"
       " -> tensor<4xf32>\n  return %o : tensor<4xf32>\n}}\n")


@pytest.mark.parametrize("value", ["array<i64: 7>", "array<i64: 1>", "array<i64: 0, 0>",
                                   "array<i64: -5>", "[7]", "3"],
                         ids=["out-of-range", "wrong-type", "too-many", "negative",
                              "not-an-array", "not-a-dict"])
def test_results_in_args_in_input_is_validated(tmp_path, value):
    """The runner checks sse.results_in_args against the entry's signature
    (it decides which buffers the entry is called with): a wrong one is an
    error, not a call with too few buffers (it was a SIGSEGV)."""
    attr = value if value == "3" else f"{{f = {value}}}"
    text = f"module attributes {{sse.results_in_args = {attr}}} {{\n{ADD.format()}}}\n"
    proc = sse_runner(tmp_path, ["--entry=f", "--seed=1"], text=text)
    assert_clean_error(proc, "sse.results_in_args")
    assert proc.returncode == 1


def test_missing_shared_lib_is_an_error(tmp_path):
    proc = sse_runner(tmp_path, ["--entry=f", "--seed=1",
                                 f"--shared-libs={tmp_path}/nope.so"], text=ADD.format())
    assert_clean_error(proc, "nope.so")
    assert proc.returncode == 1


def test_non_elf_shared_lib_is_an_error(tmp_path):
    (tmp_path / "text.so").write_text("not a library\n")
    proc = sse_runner(tmp_path, ["--entry=f", "--seed=1",
                                 f"--shared-libs={tmp_path}/text.so"], text=ADD.format())
    assert_clean_error(proc, "text.so", "not an ELF file")
    assert proc.returncode == 1


def test_wrong_mlir_lib_dir_is_an_error(tmp_path):
    module = tmp_path / "module.mlir"
    module.write_text(ADD.format())
    env = dict(os.environ, SSE_MLIR_LIB_DIR=str(tmp_path / "nolibs"))
    proc = subprocess.run([find_tool("sse-runner"), str(module), "--entry=f", "--seed=1",
                           f"--output-dir={tmp_path / 'out'}"], capture_output=True,
                          text=True, timeout=120, env=env)
    assert_clean_error(proc, "libmlir_c_runner_utils.so", "SSE_MLIR_LIB_DIR")
    assert proc.returncode == 1


def test_zero_element_input_runs(tmp_path):
    """An empty argument (no data to copy) runs; the copy is skipped."""
    text = ("func.func @f(%x: tensor<0xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {\n"
            "  %e = tensor.empty() : tensor<3xf32>\n"
            "  %o = linalg.add ins(%y, %y : tensor<3xf32>, tensor<3xf32>) outs(%e : tensor<3xf32>)"
            " -> tensor<3xf32>\n  return %o : tensor<3xf32>\n}\n")
    paths = save_inputs(tmp_path, [np.zeros(0, np.float32), np.arange(3, dtype=np.float32)])
    proc = sse_runner(tmp_path, ["--entry=f", "--repeat=2", *paths], text=text)
    assert proc.returncode == 0, proc.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "result0.npy"), [0, 2, 4])


def test_directory_as_input_is_an_error(tmp_path):
    paths = save_inputs(tmp_path, good_inputs())
    paths[0] = str(tmp_path)
    proc = sse_runner(tmp_path, [f"--entry={ENTRY}", *paths])
    assert_clean_error(proc, "not a regular file")
