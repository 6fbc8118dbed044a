"""Checks that constraints.txt still covers pyproject.toml: every dependency and extra is locked, at a version its
specifier allows. A dependency added or moved without ``nox -s lock`` fails here, before it reaches CI unpinned."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def locked_versions(text: str) -> dict[str, set[Version]]:
    """``name==version`` lines (environment markers aside); a package may be locked per Python version."""
    locked: dict[str, set[Version]] = {}
    for line in text.splitlines():
        pin = line.split(";")[0].strip()
        if not pin or pin.startswith("#") or "==" not in pin:
            continue
        name, version = pin.split("==")
        locked.setdefault(canonicalize_name(name), set()).add(Version(version))
    return locked


def problems(pyproject: dict[str, Any], locked: dict[str, set[Version]]) -> list[str]:
    """What of pyproject's requirements the lock misses or holds at a version the requirement excludes."""
    project = pyproject["project"]
    own = canonicalize_name(project["name"])
    extras = project["optional-dependencies"].values()
    requirements = [*project["dependencies"], *(r for extra in extras for r in extra)]
    found = []
    for text in requirements:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name == own:
            continue
        versions = locked.get(name)
        if not versions:
            found.append(f"{requirement.name} is not in constraints.txt")
        elif not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
            shown = ", ".join(map(str, sorted(versions)))
            found.append(f"{requirement.name}: locked at {shown}, pyproject.toml asks {requirement.specifier}")
    return found


def main() -> int:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = problems(pyproject, locked_versions((ROOT / "constraints.txt").read_text()))
    for problem in found:
        print(f"lock out of date: {problem}; refresh it with `python3 -m nox -s lock`", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
