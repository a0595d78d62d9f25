"""The carrier tests' fixtures live in ``tests.carriers.fixtures`` (the admin's tests use them too)."""

from tests.carriers.fixtures import cdek, cdek_account, ready_request

__all__ = ["cdek", "cdek_account", "ready_request"]
