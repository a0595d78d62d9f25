"""The master keys this installation uses: their ids and check values, never the keys."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MasterKey(models.Model):
    """A master key registered for this installation (``register_encryption_key``, or the first
    migrate). A process whose first key is not registered, or that lacks a registered key still
    in use, refuses to start: one replica with a stray key list cannot seal uploads under a key
    nobody else has. The check value is an HMAC of a constant under the key: it recognises the
    key, and opens nothing."""

    key_id = models.CharField(_("key id"), max_length=16, unique=True, editable=False)
    check_value = models.BinaryField(editable=False)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    # Set by rotate_keys once nothing is sealed under it any more: processes may then drop it.
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("master key")
        verbose_name_plural = _("master keys")
        ordering = ["registered_at", "pk"]

    def __str__(self) -> str:
        return self.key_id
