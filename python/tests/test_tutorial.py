"""docs/Tutorial.md runs as written: its Python blocks, in order, in one
namespace (as a reader pasting them into one session), each assert in it
comparing a compiled result with the float64 model."""

import os

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "Tutorial.md")


def test_tutorial_runs(tmp_path, monkeypatch):
    with open(DOC) as f:
        text = f.read()
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    assert len(blocks) == 5
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/Tutorial.md block {i + 1}", "exec"), namespace)
