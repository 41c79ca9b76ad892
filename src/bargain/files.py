"""Files on disk: model files read, and any output written atomically.

Reading is size-limited UTF-8 TOML text and the ``[model]`` header: all
:func:`bargain.io.list_models` needs, so listing the bundled models loads
neither sympy nor the solvers. Checked access to the parsed values by key path
is :class:`bargain.checks.Checker`; the whole format is read by
:mod:`bargain.model.toml_reader`.

Writing goes through :func:`atomic_write` or :func:`atomic_path`: a temporary
file beside the target, fsynced, then renamed over it, so a crash or a kill
leaves the old file or the new one, whole.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from .checks import Checker, key
from .errors import BargainError, ModelError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Largest model file read, in bytes.
MAX_BYTES = 1_000_000
#: The sections of a model file, in the order of the format reference.
SECTIONS = (
    "model",
    "params",
    "links",
    "game",
    "outcomes",
    "measures",
    "solver",
    "scenarios",
    "showcase",
)
#: The keys of its ``[model]`` table.
HEADER = ("name", "title", "description", "citation", "version", "bibtex")
#: A BibTeX entry's type and key: ``@article{fearon1995,``.
BIBTEX_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*\{\s*([^\s,{}]+)\s*,")


def read_file(path: str | os.PathLike[str]) -> str:
    """The text of a model file: at most :data:`MAX_BYTES` of UTF-8.

    Examples
    --------
    >>> read_file("no/such/model.toml")
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: no/such/model.toml: cannot read the file: No such file or directory
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block, a device never end
            raise ModelError(
                f"{os.fspath(path)}: cannot read the file: not a regular file "
                "(a folder, a pipe or a device)"
            )
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ModelError(f"{os.fspath(path)}: cannot read the file: {exc.strerror}") from None
    _check_size(len(data), os.fspath(path))
    try:
        return data.decode("utf-8-sig")  # a byte-order mark some editors write is dropped
    except UnicodeDecodeError as exc:
        raise ModelError(
            f"{os.fspath(path)}: not UTF-8 text (byte {exc.start}: {data[exc.start]:#04x})"
        ) from None


def _check_size(size: int, source: str) -> None:
    if size > MAX_BYTES:
        raise ModelError(f"{source}: the file is larger than the limit of {MAX_BYTES:,} bytes")


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text; syntax errors keep tomllib's line and column.

    Examples
    --------
    >>> parse_toml("[model]\\nname = escalation", "x.toml")
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: x.toml: invalid TOML: Invalid value (at line 2, column 8)
    """
    _check_size(len(text.encode("utf-8", errors="replace")), source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{source}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ModelError(f"{source}: invalid TOML: arrays or tables nested too deeply") from None


def header(data: dict[str, Any], source: str) -> dict[str, str]:
    """The checked ``[model]`` table of a parsed file: name, title, description, citation,
    the model file's own ``version`` (``2.0.0``) and its sources as ``bibtex`` entries."""
    check = Checker(source)
    table = check.table(data.get("model"), "model", required=HEADER[:1], optional=HEADER[1:])
    out = {name: check.string(table.get(name, ""), key("model", name)) for name in HEADER}
    if not re.fullmatch(r"[A-Za-z0-9_-]+", out["name"]):
        raise check.error(
            "model.name", f"expected letters, digits, '-' and '_' only, got '{out['name']}'"
        )
    if out["version"] and not re.fullmatch(r"\d+(\.\d+){0,2}", out["version"]):
        raise check.error(
            "model.version", f"expected a version such as '2.0.0', got '{out['version']}'"
        )
    if out["bibtex"].strip() and not bibtex_keys(out["bibtex"]):
        raise check.error(
            "model.bibtex", "expected BibTeX entries such as '@article{key, ...}', found none"
        )
    return out


def bibtex_keys(text: str) -> list[str]:
    """The keys of the BibTeX entries in ``text``, in order.

    >>> bibtex_keys("@article{fearon1995, title={Rationalist ...}}\\n@book{schelling1960, ...}")
    ['fearon1995', 'schelling1960']
    """
    return [m.group(2) for m in BIBTEX_ENTRY.finditer(text)]


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Replace the file ``path`` by ``data`` (text as UTF-8), whole or not at all.

    Examples
    --------
    >>> atomic_write("no/such/folder/out.csv", "x")
    Traceback (most recent call last):
    ...
    bargain.errors.BargainError: no/such/folder/out.csv: cannot write the file: \
the folder no/such/folder does not exist
    """
    with atomic_path(path) as temp:
        temp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A new temporary file beside ``path`` for a writer to fill; it replaces ``path`` after.

    When the block ends the file is fsynced and renamed over ``path`` (through a
    symbolic link, keeping an existing file's permissions); if the block raises,
    it is removed and ``path`` is untouched. Its name keeps the extension, for
    writers that choose a format by it (``savefig``). Temporary files that killed
    writers left for the same path are removed first. An unwritable path raises
    :class:`~bargain.errors.BargainError` naming it and the reason.
    """
    name = os.fspath(path)
    target, mode = _target(name)
    _remove_stale(target)
    temp = _create(name, target)
    try:
        yield temp
        _commit(temp, target, mode)
    except OSError as exc:
        raise _error(name, _reason(target, exc)) from None
    finally:
        temp.unlink(missing_ok=True)


def _error(name: str, reason: str) -> BargainError:
    return BargainError(f"{name}: cannot write the file: {reason}")


def _target(name: str) -> tuple[Path, int | None]:
    """The file to replace (a link's target) and its permissions, if it exists; checked."""
    target = Path(os.path.realpath(name)) if os.path.islink(name) else Path(name)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target, None
    except OSError as exc:
        raise _error(name, _reason(target, exc)) from None
    if not stat.S_ISREG(mode):
        raise _error(name, f"it is {_kind(mode)}, not a regular file")
    if not os.access(target, os.W_OK):
        raise _error(name, "permission denied (the file is read-only)")
    return target, stat.S_IMODE(mode)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    return "a socket" if stat.S_ISSOCK(mode) else "a device"


def _reason(target: Path, exc: OSError) -> str:
    """Why ``target`` cannot be written, in words."""
    folder = target.parent
    if not folder.exists():
        return f"the folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    return exc.strerror or str(exc)


def _temp_parts(target: Path) -> tuple[str, str]:
    """The head and tail of the temporary names for ``target``: ``.NAME.`` and ``.tmpSUFFIX``."""
    suffix = target.suffix if len(target.suffix) <= 16 else ""
    return f".{target.name[:64]}.", f".tmp{suffix}"


def _create(name: str, target: Path) -> Path:
    """A new empty file ``.NAME.PID-TOKEN.tmpSUFFIX`` beside ``target`` (permissions by umask)."""
    head, tail = _temp_parts(target)
    temp = target.with_name(f"{head}{os.getpid()}-{secrets.token_hex(8)}{tail}")
    try:
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        reason = _reason(target, exc)
        if target.parent.is_dir():
            reason = f"cannot create a file in the folder {target.parent}: {reason}"
        raise _error(name, reason) from None
    return temp


def _commit(temp: Path, target: Path, mode: int | None) -> None:
    """Flush ``temp`` to the disk and rename it over ``target``."""
    fd = os.open(temp, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if mode is not None:
        os.chmod(temp, mode)
    os.replace(temp, target)
    if os.name == "posix":  # make the rename itself durable; some file systems refuse
        with suppress(OSError):
            fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _remove_stale(target: Path) -> None:
    """Remove the temporary files of ``target`` whose writing process is gone (POSIX)."""
    if os.name != "posix":
        return
    head, tail = _temp_parts(target)
    pattern = re.compile(re.escape(head) + r"(\d+)-[0-9a-f]{16}" + re.escape(tail))
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and not _running(int(match[1])):
            with suppress(OSError):
                os.unlink(entry.path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True
