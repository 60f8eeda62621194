"""pytest setup for the sse_mlir tests.

* Puts ``python/`` on ``sys.path`` so ``import sse_mlir`` works however
  pytest is launched (from the repository root, from python/, ...).
* Provides the ``error_log`` fixture: tests record the relative error of
  each output they check, and a summary of the worst error per element
  type (and per output) is printed at the end of the run.

Nothing is skipped here: if the tools are missing, the tests fail loudly.
"""

import os
import sys

import pytest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

# (test node id, dtype, output name, relative error)
_ERRORS = []


class ErrorLog:
    def __init__(self, nodeid):
        self.nodeid = nodeid

    def record(self, dtype, output, err):
        _ERRORS.append((self.nodeid, dtype, output, float(err)))


@pytest.fixture
def error_log(request):
    return ErrorLog(request.node.nodeid)


def pytest_terminal_summary(terminalreporter):
    if not _ERRORS:
        return
    tr = terminalreporter
    tr.section("worst relative error per input dtype and output")
    worst = {}
    for nodeid, dtype, output, err in _ERRORS:
        key = (dtype, output)
        if key not in worst or err > worst[key][0]:
            worst[key] = (err, nodeid)
    for (dtype, output), (err, nodeid) in sorted(worst.items()):
        tr.write_line(f"{dtype:>5} {output:<8} {err:.3e}  {nodeid}")
