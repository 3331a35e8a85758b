"""The notebook of docs/python.md (examples/course_check.ipynb) runs top to bottom:
its code cells, in order, in one namespace (what `jupyter nbconvert
--execute` does, without needing Jupyter)."""

import json
import os
import warnings

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_the_example_notebook_runs_top_to_bottom(capsys):
    path = os.path.join(ROOT, "examples", "course_check.ipynb")
    with open(path) as f:
        nb = json.load(f)
    namespace = {"__name__": "__main__"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                exec(compile("".join(cell["source"]), f"{path} cell {i}", "exec"), namespace)
    out = capsys.readouterr().out
    assert "accuracy: 90.75 %" in out
