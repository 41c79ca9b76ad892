"""Memory of a sweep streamed to a file: peak RSS does not grow with the number of points.

``bargain sweep escalation -g ... -o sweep.csv`` runs in a fresh process that
reports its own peak resident memory (``VmHWM`` on Linux), once for a tiny grid (the
interpreter, numpy, sympy, pandas and the model: the floor) and once for the
benchmark's grid: 10,000,000 points in full mode (target: under 500 MB), 90,000
under ``--benchmark-disable``. The difference is what the sweep itself holds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Peak resident memory allowed for the streamed sweep, in MB.
TARGET_MB = 500

# The process's own peak (kB): Linux's VmHWM belongs to the memory of this program;
# getrusage's ru_maxrss also counts the parent's memory at the fork (the test runner's).
RUN = """
import resource, sys
from bargain.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert not done.code, done.code
try:
    with open("/proc/self/status") as status:
        print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_mb(folder: Path, rows: int, columns: int) -> tuple[float, int]:
    """Peak RSS (MB) of a fresh process streaming the escalation sweep, and the lines written."""
    out = folder / f"sweep-{rows}x{columns}.csv"
    args = ["-g", f"bite=0:3:{rows}", "-g", f"clash=0.1:5:{columns}", "-o", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", RUN, "sweep", "escalation", *args],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr
    with open(out, "rb") as file:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 24), b""))
    out.unlink()
    return int(done.stdout.split()[-1]) / 1024, lines


def test_streamed_sweep_memory(benchmark, sizes, tmp_path, capsys):
    rows, columns = sizes.stream_grid
    floor, _ = peak_mb(tmp_path, 10, 10)
    peak, lines = benchmark.pedantic(peak_mb, args=(tmp_path, rows, columns), rounds=1)
    points = rows * columns
    assert lines == points + 1  # the header, one line per point
    benchmark.extra_info.update(points=points, peak_mb=peak, floor_mb=floor)
    with capsys.disabled():
        print(
            f"\nstreamed sweep to CSV: {points:,} points, peak RSS {peak:.0f} MB "
            f"(a 100-point sweep: {floor:.0f} MB)"
        )
    assert peak < TARGET_MB
