# lit configuration of the sse-mlir regression tests (FileCheck with
# -enable-var-scope and strict prefixes; %python runs the reference helpers).
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SSE"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sse_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]

config.environment["FILECHECK_OPTS"] = (
    "-enable-var-scope --allow-unused-prefixes=false"
)

# The Debian NumPy lives in the system interpreter; prefer it.
python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
config.substitutions.append(("%python", python))
config.substitutions.append(("%sse_src", config.sse_src_root))
config.substitutions.append(("%sse_obj", config.sse_obj_root))
config.environment["PYTHONPATH"] = os.path.join(config.sse_src_root, "python")
config.environment["SSE_TOOLS_DIR"] = config.sse_tools_dir

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.sse_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["sse-opt", "sse-runner", "sse-gpu-info"], tool_dirs)

# Compile-only GPU tests assemble the emitted PTX with ptxas when it exists.
ptxas = shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas" if os.path.exists("/usr/local/cuda/bin/ptxas") else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# GPU-only tests say `REQUIRES: cuda`.
if shutil.which("nvidia-smi") and os.environ.get("SSE_ENABLE_CUDA_TESTS"):
    config.available_features.add("cuda")
