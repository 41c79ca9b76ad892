"""The structure the code promises (docs/architecture.md), checked so that it can fail.

Layers import downward only (the import-linter contract in pyproject.toml);
no import cycles, type-only imports included; no private name crosses a
module; nothing outside the game forms asks which form a game is; and
``import bargain`` and ``bargain list`` load none of the heavy dependencies.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src" / "bargain"
HEAVY = (
    "sympy",
    "mpmath",
    "nashpy",
    "networkx",
    "scipy.stats",
    "pandas",
    "matplotlib",
    "dask",
)
#: The classes of the game forms and their solutions: only games/ may name them in checks.
FORM_CLASSES = {
    "NormalFormGame",
    "GameTree",
    "BargainingGame",
    "BatchSolution",
    "TreeBatchSolution",
    "BargainingBatch",
    "Solution",
    "TreeSolution",
    "BargainingSolution",
}
FORM_NAMES = {"normal", "tree", "bargaining"}


def lint_imports(pythonpath: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a dev dependency"
    env = {"PYTHONPATH": str(pythonpath), "PATH": str(Path(sys.executable).parent)}
    return subprocess.run(
        [exe, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_the_layers_contract_holds_and_breaks_on_an_upward_import(tmp_path):
    kept = lint_imports(ROOT / "src")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "2 kept, 0 broken" in kept.stdout
    copy = tmp_path / "bargain"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    params = copy / "params.py"
    params.write_text(params.read_text() + "\nfrom bargain import sweeps  # upward\n")
    broken = lint_imports(tmp_path)
    assert broken.returncode == 1
    assert "bargain.params -> bargain.sweeps" in broken.stdout


def test_no_import_cycles_type_only_imports_included():
    graph = grimp.build_graph("bargain", include_external_packages=False)
    cycles = [
        (a, b)
        for a in sorted(graph.modules)
        for b in graph.find_modules_directly_imported_by(a)
        if graph.find_shortest_chain(importer=b, imported=a)
    ]
    assert cycles == []


def modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text())) for path in sorted(SRC.rglob("*.py"))]


def test_no_private_name_is_imported_from_another_module():
    crossing = [
        f"{path.relative_to(SRC)}: {alias.name}"
        for path, tree in modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert crossing == []


def names_in(node: ast.AST) -> set[str]:
    return {
        n.id if isinstance(n, ast.Name) else n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Name | ast.Attribute)
    }


def form_switch(node: ast.AST) -> bool:
    """An isinstance on a form's class, a hasattr on a game, or a comparison with a form name."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        name, args = node.func.id, node.args
        if name in ("isinstance", "issubclass") and len(args) == 2:
            return bool(names_in(args[1]) & FORM_CLASSES)
        if name in ("hasattr", "getattr"):
            return bool({"game", "solution"} & names_in(args[0]))
    if isinstance(node, ast.Compare):
        texts = {
            c.value
            for c in (node.left, *node.comparators)
            if isinstance(c, ast.Constant) and isinstance(c.value, str)
        }
        return bool(texts & FORM_NAMES) and "form" in names_in(node)
    return False


def test_nothing_outside_the_game_forms_asks_which_form_a_game_is():
    switches = [
        f"{path.relative_to(SRC)}:{node.lineno}: {ast.unparse(node)}"
        for path, tree in modules()
        if path.relative_to(SRC).parts[0] != "games"
        for node in ast.walk(tree)
        if form_switch(node)
    ]
    assert switches == []


def loaded_after(code: str) -> list[str]:
    """The heavy modules loaded by a fresh interpreter after ``code``."""
    check = f"import sys\n{code}\nprint([m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def test_import_bargain_loads_no_heavy_dependency():
    assert loaded_after("import bargain") == []
    assert loaded_after("import bargain.cli, bargain.io") == []


@pytest.mark.parametrize("args", [["--help"], ["list"], ["--version"]])
def test_the_command_starts_without_heavy_dependencies(args):
    run = (
        "from bargain.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit as exit:\n    assert not exit.code"
    )
    assert loaded_after(run) == []


def test_a_public_name_loads_what_it_needs():
    assert "sympy" in loaded_after("import bargain; bargain.NormalFormGame")
    assert "pandas" not in loaded_after("import bargain; bargain.Param")
