"""whaticket's framework-free core: the helpdesk domain, its ports and its use cases.

Standard library only (enforced by import-linter and by ``tests/unit/test_core_is_stdlib_only.py``).
Other programs may import it directly; ``whaticket_core.testing`` holds in-memory fakes of every port.
"""
