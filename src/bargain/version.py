"""The installed package version, for notes that make results reproducible."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bargain-games")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"
