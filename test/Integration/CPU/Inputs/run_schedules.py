"""Runs the SSE-GLA core example under forced schedules (lit helper).

For each pipeline option set: sse-runner on seeded inputs, then
sse_mlir.check against the float64 reference; prints "<options>: PASS" or
the failing check's output.
"""
import os
import subprocess
import sys

SCHEDULES = [
    "split=recurrent grouping=dense",
    "split=recurrent grouping=sorted",
    "split=chunked grouping=dense chunk=16",
    "split=chunked grouping=sorted chunk=32",
    "split=chunked grouping=dense chunk=64",
    "split=chunked grouping=sorted chunk=128",
    "fuse=false tile=false",
]

example, work = sys.argv[1], sys.argv[2]
runner = os.path.join(os.environ["SSE_TOOLS_DIR"], "sse-runner")
status = 0
for n, options in enumerate(SCHEDULES):
    out = os.path.join(work, f"run{n}")
    subprocess.run([runner, example, "--entry=sse_gla_core", "--seed=21",
                    "--dump-inputs", f"--output-dir={out}",
                    f"--pipeline-options={options}"],
                   check=True, stdout=subprocess.DEVNULL)
    check = subprocess.run([sys.executable, "-m", "sse_mlir.check", out,
                            "--ref", "gla_core",
                            "--args", "q1,k1,q2,k2,v,g1,g2,z"],
                           capture_output=True, text=True)
    if check.returncode == 0:
        print(f"{options}: PASS")
    else:
        print(f"{options}: FAIL\n{check.stdout}{check.stderr}")
        status = 1
sys.exit(status)
