"""A regular (non-editable) install ships the bundled models as package data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_wheel_ships_the_models_and_lists_them(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("bargain_games-*.whl")
    # Every model file ships, the canonical ones in their folder; the bundled names
    # (`bargain list`) are the files at the top of models/.
    shipped = sorted(str(p.relative_to(ROOT / "models")) for p in (ROOT / "models").rglob("*.toml"))
    bundled = sorted(p.name for p in (ROOT / "models").glob("*.toml"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    in_wheel = [n.removeprefix("bargain/models/") for n in names if n.startswith("bargain/models/")]
    assert sorted(n for n in in_wheel if n.endswith(".toml")) == shipped
    listing = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import bargain.io as io; "
            "print(io.models_folder()); print(*(m.name for m in io.list_models()))",
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    folder, names_line = listing.stdout.splitlines()
    assert folder.startswith(str(tmp_path / "site"))
    assert names_line.split() == sorted(Path(b).stem for b in bundled)  # by name


def test_citation_file_names_this_version():
    """CITATION.cff (Citation File Format 1.2) has the keys the format requires and the
    version the package reports."""
    import yaml

    import bargain
    from bargain.files import parse_toml

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert {"cff-version", "message", "title", "authors"} <= set(citation)
    assert citation["cff-version"] == "1.2.0" and citation["authors"][0]["name"]
    pyproject = ROOT / "pyproject.toml"
    project = parse_toml(pyproject.read_text(encoding="utf-8"), str(pyproject))["project"]
    assert citation["version"] == project["version"] == bargain.__version__
    assert citation["license"] == project["license"]
