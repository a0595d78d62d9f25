from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "uploads"
    verbose_name = _("Passport uploads")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the system check of the master keys.
        from uploads import checks  # noqa: F401
