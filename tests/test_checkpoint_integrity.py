"""Checkpoint chunks tied to their sweep, and outputs written whole or not at all."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bargain import BargainError, BargainWarning
from bargain.files import atomic_path, atomic_write
from bargain.io import load_model
from bargain.showcase import showcase
from bargain.spaces import grid, linspace
from bargain.sweeps import CheckpointError, SweepResult, sweep
from tests.test_cli import MODEL
from tests.test_sweep import deal_model, escalation_model

pytestmark = pytest.mark.filterwarnings("ignore::bargain.DegenerateGameWarning")

CHUNK = 25
BITES = {"bite": linspace(0, 3, 100)}  # 4 chunks of 25 points


def run(model, space, path=None, **kwargs) -> tuple[SweepResult, list[str]]:
    """A sweep in chunks of 25 points, and the checkpoint warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sweep(model, space, chunk_size=CHUNK, checkpoint=path, progress=False, **kwargs)
    notes = [str(w.message) for w in caught if issubclass(w.category, BargainWarning)]
    return result, [note for note in notes if note.startswith("checkpoint")]


def assert_fresh(result: SweepResult, model, space, **kwargs) -> None:
    fresh, _ = run(model, space, **kwargs)
    pd.testing.assert_frame_equal(result.to_frame(), fresh.to_frame())
    pd.testing.assert_frame_equal(result.to_frame(long=True), fresh.to_frame(long=True))


def chunk(path: Path, index: int) -> Path:
    return path / f"chunk-{index:06d}.npz"


@pytest.mark.parametrize(
    "other",
    [
        (escalation_model, BITES, {"clash": 2.0}),  # the same model at another value
        (deal_model, {"relief": linspace(0, 1, 100)}, {}),  # another model
    ],
    ids=["other-value", "other-model"],
)
def test_a_chunk_copied_from_another_sweep_is_recomputed(tmp_path, other):
    make, space, fixed = other
    run(make(), space, tmp_path / "other", fixed=fixed)
    mine = tmp_path / "mine"
    run(escalation_model(), BITES, mine, fixed={"clash": 4.0})
    shutil.copyfile(chunk(tmp_path / "other", 1), chunk(mine, 1))
    result, notes = run(escalation_model(), BITES, mine, fixed={"clash": 4.0})
    assert notes == [
        f"checkpoint {mine}: rejected 1 of 4 chunk files (1 from another sweep); "
        "deleted, they will be recomputed"
    ]
    assert result.metadata["chunks_resumed"] == 3
    assert_fresh(result, escalation_model(), BITES, fixed={"clash": 4.0})
    again, notes = run(escalation_model(), BITES, mine, fixed={"clash": 4.0})
    assert again.metadata["chunks_resumed"] == 4 and notes == []


def test_without_its_manifest_a_checkpoint_gives_nothing_to_another_sweep(tmp_path):
    run(escalation_model(), BITES, tmp_path, fixed={"clash": 2.0})
    (tmp_path / "manifest.json").unlink()
    result, notes = run(escalation_model(), BITES, tmp_path, fixed={"clash": 4.0})
    assert len(notes) == 1 and "rejected 4 of 4 chunk files (4 from another sweep)" in notes[0]
    assert result.metadata["chunks_resumed"] == 0
    assert_fresh(result, escalation_model(), BITES, fixed={"clash": 4.0})
    again, notes = run(escalation_model(), BITES, tmp_path, fixed={"clash": 4.0})
    assert again.metadata["chunks_resumed"] == 4 and notes == []


def test_swapped_chunk_files_are_recomputed(tmp_path):
    space = grid(bite=linspace(0, 3, 10), clash=linspace(0.5, 5, 10))
    run(escalation_model(), space, tmp_path)
    one, two = chunk(tmp_path, 1), chunk(tmp_path, 2)
    one.rename(tmp_path / "swap")
    two.rename(one)
    (tmp_path / "swap").rename(two)
    result, notes = run(escalation_model(), space, tmp_path)
    assert len(notes) == 1 and "2 saved under another chunk's name" in notes[0]
    assert result.metadata["chunks_resumed"] == 2
    assert_fresh(result, escalation_model(), space)


def truncate(file: Path) -> None:
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2])


def flip(file: Path) -> None:
    data = bytearray(file.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 8):
        data[i] ^= 0xFF
    file.write_bytes(bytes(data))


def empty(file: Path) -> None:
    file.write_bytes(b"")


def alter(file: Path) -> None:
    """A valid npz file, stamp kept, one number changed: only the checksum tells."""
    with np.load(file) as data:
        arrays = {key: data[key] for key in data.files}
    arrays["points/bite"] = arrays["points/bite"] + 1
    np.savez(file, **arrays)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (truncate, "1 unreadable (empty, truncated or not a chunk file)"),
        (flip, "1 unreadable"),
        (empty, "1 unreadable"),
        (alter, "1 with a wrong checksum"),
    ],
)
def test_a_damaged_chunk_is_recomputed(tmp_path, damage, reason):
    run(escalation_model(), BITES, tmp_path)
    damage(chunk(tmp_path, 2))
    result, notes = run(escalation_model(), BITES, tmp_path)
    assert len(notes) == 1 and f"rejected 1 of 4 chunk files ({reason}" in notes[0]
    assert result.metadata["chunks_resumed"] == 3
    assert_fresh(result, escalation_model(), BITES)
    again, notes = run(escalation_model(), BITES, tmp_path)
    assert again.metadata["chunks_resumed"] == 4 and notes == []


def test_leftover_temporary_files_are_removed(tmp_path):
    run(escalation_model(), BITES, tmp_path)
    (tmp_path / "tmpk3j2x9.tmp").write_bytes(b"\0" * 100_000)  # an older version's
    (tmp_path / ".chunk-000003.npz.4194301-0123456789abcdef.tmp.npz").write_bytes(b"PK")
    result, notes = run(escalation_model(), BITES, tmp_path)
    assert notes == [] and result.metadata["chunks_resumed"] == 4
    assert sorted(f.name for f in tmp_path.iterdir()) == [
        *(f"chunk-00000{i}.npz" for i in range(4)),
        "manifest.json",
    ]


def test_an_unreadable_manifest_is_refused(tmp_path):
    run(escalation_model(), BITES, tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(CheckpointError, match=r"not a checkpoint manifest \(not JSON\)"):
        run(escalation_model(), BITES, tmp_path)


@pytest.mark.parametrize("damage", [empty, truncate])
def test_the_command_recomputes_a_damaged_chunk(tmp_path, damage):
    exe = shutil.which("bargain", path=str(Path(sys.executable).parent))
    ck = tmp_path / "ck"

    def command(output: str) -> subprocess.CompletedProcess:
        args = ["sweep", "escalation", "-g", "bite=0:3:30", "-g", "clash=0.5:5:20"]
        args += ["--checkpoint", str(ck), "-o", str(tmp_path / output)]
        return subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)

    assert command("first.csv").returncode == 0
    damage(chunk(ck, 0))
    done = command("again.csv")
    assert done.returncode == 0, done.stderr
    assert "rejected 1 of 1 chunk files (1 unreadable" in done.stderr
    assert "Aborted" not in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "again.csv").read_text() == (tmp_path / "first.csv").read_text()


WRITER = """
from bargain.files import atomic_write
atomic_write({path!r}, b"new line\\n" * (16 << 20))
"""

TO_CSV = """
from bargain.spaces import grid, linspace
from bargain.sweeps import sweep
from tests.test_sweep import escalation_model
space = grid(bite=linspace(0, 3, 100), clash=linspace(0.1, 5, 1000))
sweep(escalation_model(), space, progress=False).to_csv({path!r})
"""


def kill_while_writing(script: str, target: Path) -> None:
    """Run ``script`` and SIGKILL it once it starts replacing ``target``."""
    before = target.stat()
    root = Path(__file__).parents[1]
    process = subprocess.Popen([sys.executable, "-c", script], cwd=root)
    deadline = time.time() + 120
    try:
        while time.time() < deadline:
            started = any(f != target for f in target.parent.iterdir())
            if started or target.stat().st_mtime_ns != before.st_mtime_ns:
                break
            assert process.poll() is None, "the writer ended before it could be interrupted"
            time.sleep(0.001)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.parametrize("script", [WRITER, TO_CSV], ids=["atomic_write", "to_csv"])
def test_a_killed_write_leaves_the_old_file_whole(tmp_path, script):
    target = tmp_path / "out.csv"
    target.write_text("the previous, complete file\n")
    kill_while_writing(script.format(path=str(target)), target)
    assert target.read_text() == "the previous, complete file\n"
    (temp,) = (f for f in tmp_path.iterdir() if f != target)  # the killed writer's
    assert temp.name.startswith(".out.csv.") and temp.name.endswith(".tmp.csv")
    atomic_write(target, "next\n")  # removes it: its writer is gone
    assert list(tmp_path.iterdir()) == [target] and target.read_text() == "next\n"


def test_a_failing_writer_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "map.png"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        assert temp.parent == tmp_path and temp.suffix == ".png"
        temp.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert list(tmp_path.iterdir()) == [target] and target.read_bytes() == b"old"


def test_permissions_and_links_are_kept(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def unwritable(tmp_path: Path) -> list[tuple[str, str]]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "plain").write_text("x")
    cases = [
        (str(tmp_path), "it is a folder, not a regular file"),
        (str(fifo), "it is a named pipe (FIFO), not a regular file"),
        (str(tmp_path / "no" / "out.csv"), f"the folder {tmp_path / 'no'} does not exist"),
        (str(tmp_path / "plain" / "out.csv"), f"{tmp_path / 'plain'} is not a folder"),
    ]
    if Path("/proc/version").exists():
        cases.append(("/proc/version", "cannot create a file in the folder /proc"))
    return cases


def test_unwritable_paths_are_named_with_the_reason(tmp_path):
    for path, reason in unwritable(tmp_path):
        with pytest.raises(BargainError) as caught:
            atomic_write(path, "x")
        message = str(caught.value)
        assert message.startswith(f"{path}: cannot write the file: {reason}"), message
        assert "Errno" not in message
    assert sorted(f.name for f in tmp_path.iterdir()) == ["fifo", "plain"]


def test_outputs_refuse_unwritable_paths(tmp_path):
    result, _ = run(deal_model(), grid(relief=linspace(0, 1, 4), detect=linspace(0, 1, 4)))
    with pytest.raises(BargainError, match="cannot write the file: it is a folder"):
        result.to_csv(str(tmp_path))
    pytest.importorskip("matplotlib")
    with pytest.raises(BargainError, match=r"map\.png: cannot write the file: the folder"):
        result.regime_map("relief", "detect", path=tmp_path / "no" / "map.png")


def test_the_showcase_leaves_only_its_files(tmp_path):
    pytest.importorskip("matplotlib")
    model_file = tmp_path / "toy.toml"
    model_file.write_text(MODEL)
    folder = tmp_path / "show"
    written = showcase(load_model(str(model_file)), folder)
    assert sorted(folder.iterdir()) == sorted(written)
