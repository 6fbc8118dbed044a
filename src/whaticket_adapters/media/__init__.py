"""Media stores: where message media bytes live."""

from .local import LocalMediaStore

__all__ = ["LocalMediaStore"]
