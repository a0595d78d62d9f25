"""The seller's admin: a module per topic, each model's admin one class, registered once.

Django's admin autodiscovery imports this package, which imports every module that registers.
``base`` holds what they share: the shop scope and the passport permissions.
"""

from uploads.admin import (
    api,
    audit,
    carriers,
    contacts,
    content,
    customs,
    feedback,
    orders,
    papers,
    requests,
    shops,
    transfers,
    two_factor,
)

__all__ = [
    "api",
    "audit",
    "carriers",
    "contacts",
    "content",
    "customs",
    "feedback",
    "orders",
    "papers",
    "requests",
    "shops",
    "transfers",
    "two_factor",
]
