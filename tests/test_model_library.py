"""Every bundled model (models/*.toml) is complete, citable, runs and has its docs page.

What a researcher needs to cite, run and extend a model: a title, a description, a
version and the BibTeX of every source it cites; parameters with descriptions and
bounds that hold their defaults; scenarios that solve and sweep; a showcase that runs
in seconds and writes its tables, figure, sign table and references; and a page in
docs/models/ that names the model's file and sources.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bargain
from bargain.files import bibtex_keys
from tests.latex import compile_latex

bio = pytest.importorskip("bargain.io")

ROOT = Path(__file__).parents[1]
MODELS = sorted(info.name for info in bio.list_models())


def load(name: str) -> bargain.Model:
    return bio.load_model(name)


def test_the_library_holds_the_flagship_models():
    assert {"escalation", "interim-deal", "interim-terms", "intermediaries"} <= set(MODELS)


@pytest.mark.parametrize("name", MODELS)
def test_model_file_is_complete_and_citable(name):
    model = load(name)
    assert model.name == name
    assert model.title and model.description and model.citation
    assert re.fullmatch(r"\d+\.\d+\.\d+", model.version)
    keys = bibtex_keys(model.bibtex)
    assert keys and len(set(keys)) == len(keys)
    for entry in re.split(r"\n(?=@)", model.bibtex.strip()):
        assert re.search(r"\byear\s*=", entry), entry[:60]
        assert re.search(r"\b(title|author)\s*=", entry), entry[:60]
    for p in model.params:
        assert p.description, p.name
        assert p.low is not None and p.high is not None, p.name
        assert p.low <= p.default <= p.high, p.name
    assert len(model.scenarios) >= 4
    for key, preset in model.scenarios.items():
        assert preset["description"] and preset["values"], key
    spec = model.showcase
    assert {"grid", "table", "measures"} <= set(spec) and len(spec["grid"]) == 2


@pytest.mark.parametrize("name", MODELS)
def test_bundled_name_and_round_trip(name):
    model = load(name)
    again = bio.loads_model(bio.dumps_model(model))
    assert again.fingerprint() == model.fingerprint()
    assert (again.version, again.bibtex) == (model.version, model.bibtex)


@pytest.mark.parametrize("name", MODELS)
def test_every_scenario_solves_and_sweeps(name):
    model = load(name)
    grid = {k: np.linspace(a, b, 3) for k, (a, b, _) in model.showcase["grid"].items()}
    for scenario in [None, *model.scenarios]:
        values = model.scenario(scenario)
        assert len(model.solve(scenario=scenario)) >= 1, scenario
        axes = {k: v for k, v in grid.items() if k not in values}
        if not axes:  # the scenario sets both axes: sweep another parameter instead
            free = next(p for p in model.params if p.name not in values)
            axes = {free.name: np.linspace(free.low, free.high, 3)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
            frame = bargain.sweep(model, axes, scenario=scenario, progress=False).to_frame()
        assert frame["n_equilibria"].min() >= 1, scenario
        user = list(model.measures.user)
        assert np.isfinite(frame[user].to_numpy(dtype=float)).all(), scenario
    table = bargain.compare_scenarios(model).to_frame()
    assert list(table["scenario"]) == ["defaults", *model.scenarios]  # the baseline first
    defaults = table.iloc[0]
    for p in model.params:
        if p.name in table:
            assert defaults[p.name] == pytest.approx(p.default), p.name


@pytest.mark.parametrize("name", MODELS)
def test_showcase_runs_fast_and_writes_every_output(name, tmp_path):
    from bargain.showcase import showcase

    model = load(name)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        written = showcase(model, tmp_path, load=bio.load_model)
    assert time.perf_counter() - start < 30
    names = {p.name for p in written}
    assert {"table.md", "table.tex", "regimes.png", "regimes.pdf", "directions.md"} <= names
    assert (tmp_path / "regimes.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "references.bib").read_text() == model.bibtex.strip() + "\n"
    cite = ", ".join(bibtex_keys(model.bibtex))
    for table in ("table.md", "table.tex", "directions.md"):
        text = (tmp_path / table).read_text()
        assert f"{name} {model.version}" in text and cite in text.replace("\n", " "), table
    if "threshold" in model.showcase:
        assert f"model {name} {model.version}" in (tmp_path / "thresholds.md").read_text()
    # The LaTeX table fits a journal page; the CSV reads back as it is.
    compile_latex((tmp_path / "table.tex").read_text(), tmp_path / "tex")
    frame = pd.read_csv(tmp_path / "sweep.csv")
    about = json.loads((tmp_path / "sweep.csv.meta.json").read_text())
    assert about["model"] == name and about["model_version"] == model.version
    assert list(frame.columns[:2]) == about["swept"] and len(frame) == about["points"]


@pytest.mark.parametrize("name", MODELS)
def test_each_model_has_its_docs_page(name):
    page = ROOT / "docs" / "models" / f"{name}.md"
    assert page.exists(), page
    text = page.read_text(encoding="utf-8")
    assert f"models/{name}.toml" in text
    model = load(name)
    for p in model.params:
        assert f"`{p.name}`" in text, (name, p.name)
    assert "## Limits" in text or "## Limitations" in text
    assert name in (ROOT / "mkdocs.yml").read_text()
