"""Building blocks of the models: append-only rows and encrypted files."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Someone tried to change or delete an audit or destruction record."""


class AppendOnlyQuerySet(models.QuerySet):
    """Records that are written once: bulk updates and deletes are refused too."""

    def update(self, **kwargs: object) -> int:
        # The one update allowed: Django's on_delete=SET_NULL when the user, request or document
        # referred to is deleted. The event itself stays.
        if kwargs and all(
            value is None and self.model._meta.get_field(name).is_relation
            for name, value in kwargs.items()
        ):
            return super().update(**kwargs)
        raise AppendOnlyError(f"{self.model.__name__} records cannot be changed.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError(f"{self.model.__name__} records cannot be deleted.")


class AppendOnlyModel(models.Model):
    """A record written once: saving it again or deleting it is refused (a guard, not logic)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} records cannot be changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise AppendOnlyError(f"{type(self).__name__} records cannot be deleted.")


class EncryptedFileModel(models.Model):
    """A customer's file as stored: the encrypted blob, its data key (wrapped by the master key)
    and what normalising it found. Rows are made by ``services.encrypted_file_stored``."""

    # Name of the encrypted blob in the "passports" storage; it says nothing about its owner.
    blob_name = models.CharField(max_length=200, editable=False)
    wrapped_key = models.BinaryField(editable=False)
    original_format = models.CharField(_("uploaded as"), max_length=10)
    stored_content_type = models.CharField(max_length=40, default="image/jpeg")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    stored_bytes = models.PositiveIntegerField()

    class Meta:
        abstract = True
