"""The seller's admin: a module per topic, each model's admin registered once.

Django's admin autodiscovery imports this package, which imports every module that registers.
"""

from uploads.admin import api, customs, feedback, messaging, requests

__all__ = ["api", "customs", "feedback", "messaging", "requests"]
