"""The container's explicit lists: every use case of the core is provided, each inbound command has its use case."""

from __future__ import annotations

import inspect
import pkgutil
import typing
from importlib import import_module
from pathlib import Path

from whaticket_api.container import make_container
from whaticket_api.providers import use_case_providers
from whaticket_api.settings import Settings
from whaticket_api.transport import INBOUND_USE_CASES
from whaticket_core import use_cases
from whaticket_core.use_cases.inbound.inbound_commands import InboundCommand


def _core_use_cases() -> set[type]:
    """A class of ``whaticket_core.use_cases`` with an async ``execute``: what the area lists must name."""
    found: set[type] = set()
    for info in pkgutil.walk_packages(use_cases.__path__, prefix=f"{use_cases.__name__}."):
        module = import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
                and inspect.iscoroutinefunction(getattr(obj, "execute", None))
            ):
                found.add(obj)
    return found


def _provided() -> list[object]:
    return [factory.provides.type_hint for p in use_case_providers() for factory in p.factories]


def test_every_use_case_is_provided_once() -> None:
    provided = _provided()
    assert len(provided) == len(set(provided))
    assert set(provided) == _core_use_cases()


def test_every_inbound_command_has_one_use_case() -> None:
    assert set(INBOUND_USE_CASES) == set(typing.get_args(InboundCommand))


def test_the_container_graph_is_complete_for_every_process(tmp_path: Path) -> None:
    settings = Settings(jwt_secret="a" * 40, jwt_refresh_secret="b" * 40, data_dir=tmp_path)
    # dishka checks the graph when the container is made: a missing dependency raises here, nothing is built.
    make_container(settings)
    make_container(settings, http=True)
