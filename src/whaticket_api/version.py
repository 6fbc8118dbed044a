"""The installed version of whaticket (the package metadata; a source tree without it reports the project's)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version


def version() -> str:
    try:
        return _distribution_version("whaticket")
    except PackageNotFoundError:
        return "0.0.0+source"
