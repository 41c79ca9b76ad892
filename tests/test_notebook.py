"""Notebooks: HTML displays, figures shown without ``%matplotlib inline``, progress bars.

The example notebook is executed in a real Jupyter kernel running this Python
(a kernelspec written by ipykernel for ``sys.executable``), and its outputs are
checked: the HTML tables, the progress widget and the regime map's image.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import bargain
from bargain import Model
from bargain.sweeps import sweep
from tests.test_normal_form import escalation

EXAMPLE = Path(__file__).parent.parent / "examples" / "interim_deal.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("escalation", "pressure/resist"),  # normal form
        ("interim-deal", "pressure"),  # tree
        ("gestures", "separating"),  # signaling
        ("interim-terms", "no deal"),  # bargaining
    ],
)
def test_a_solution_shows_its_equilibria_as_a_table(name, outcome):
    solution = bargain.load_model(name).solve()
    shown = solution._repr_html_()
    assert shown.count("<table") == 1 and shown.count("<tr") == 1 + len(solution)
    assert f"<td>{outcome}</td>" in shown
    assert "<summary>parameter values</summary>" in shown and "=" in shown


def test_a_model_shows_its_parameters_measures_and_citation():
    model = bargain.load_model("interim-deal")
    shown = model._repr_html_()
    assert shown.startswith("<p><b>interim-deal</b>: Interim deal through an intermediary")
    assert shown.count("<tr") == 1 + len(model.params.names)
    relief = "<td>relief</td>\n      <td>0.5</td>\n      <td>[0, 1]</td>\n      <td>{}</td>"
    assert relief.format(model.params.labels["relief"]) in shown
    assert "<i>measures</i>: clash, war," in shown and "<i>citation</i>: Fearon" in shown


def test_html_displays_escape_text():
    model = Model(escalation(), name="a<b", title="pressure & <resist>")
    assert "<p><b>a&lt;b</b>: pressure &amp; &lt;resist&gt;</p>" in model._repr_html_()
    result = sweep(model, {"bite": [0.5, 1.5]})
    assert "&#x27;a&lt;b&#x27;" in result._repr_html_()


def test_a_sweep_result_shows_the_head_of_its_table_with_size_and_note():
    model = bargain.load_model("interim-deal")
    result = sweep(model, bargain.grid(relief=bargain.linspace(0, 1, 6), detect=[0.2, 0.9]))
    shown = result._repr_html_()
    header = shown[shown.index("<thead>") : shown.index("</thead>")]
    assert header.index("relief") < header.index("detect") < header.index("regime")
    assert "repute" not in header  # fixed values are in the note
    assert shown.count("<tr") == 1 + 10 and header.count("<th>") == 1 + 12
    assert "12 points; 10 rows and 12 of" in shown
    assert "fixed parameters: repute = 0.25" in shown


def test_progress_is_text_on_a_terminal_and_nothing_unless_asked(capsys):
    model = Model(escalation(), name="escalation")
    sweep(model, {"bite": [0.5, 1.5]})
    assert capsys.readouterr().err == ""
    sweep(model, {"bite": [0.5, 1.5]}, progress=True)
    assert "sweep escalation: 100%" in capsys.readouterr().err


# -- in a real kernel --------------------------------------------------------------------


def run(notebook, tmp_path: Path):
    """Execute ``notebook`` in a kernel of this Python; return it and the seconds taken."""
    nbclient = pytest.importorskip("nbclient")
    kernelspec = pytest.importorskip("ipykernel.kernelspec")
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kernels = tmp_path / "kernels"
    kernelspec.write_kernel_spec(kernels / "bargain-tests")  # runs sys.executable
    specs = KernelSpecManager(kernel_dirs=[str(kernels)])
    manager = KernelManager(kernel_name="bargain-tests", kernel_spec_manager=specs)
    start = time.perf_counter()
    client = nbclient.NotebookClient(
        notebook, km=manager, timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    )
    try:
        client.execute()
    finally:  # nbclient leaves a kernel it was given running
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    return notebook, time.perf_counter() - start


def outputs(cell) -> dict:
    """The cell's outputs by MIME type (and ``stderr`` for text on standard error)."""
    found: dict = {}
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            found.setdefault(output["name"], "")
            found[output["name"]] += output["text"]
        for mime, data in output.get("data", {}).items():
            found.setdefault(mime, data)
    return found


def test_the_example_notebook_runs_and_shows_tables_a_widget_and_a_map(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(EXAMPLE, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    notebook, seconds = run(notebook, tmp_path)
    model, solution, result, figure, regions = (outputs(cell) for cell in code)
    for shown in (model, solution, result, regions):
        assert "<table" in shown["text/html"]
    assert "subgame-perfect equilibrium" in solution["text/html"]
    assert WIDGET in result and "stderr" not in result  # a widget, no text bar or warning
    assert figure["image/png"] and "text/html" not in figure
    assert "propose&gt;accept&gt;comply&gt;keep" in regions["text/html"]
    assert seconds < 60


def test_importing_bargain_warns_of_nothing_in_a_kernel_without_ipywidgets(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import sys, warnings\n"
            'sys.modules["ipywidgets"] = None  # as if it were not installed\n'
            'warnings.simplefilter("error")\n'
            "import bargain\n"
            'model = bargain.load_model("escalation")\n'
            'bargain.sweep(model, {"bite": [0.5, 1.5]}).to_frame()'
        )
    ]
    notebook, _ = run(notebook, tmp_path)
    shown = outputs(notebook.cells[0])
    assert "stderr" not in shown and "<table" in shown["text/html"]
