"""What the installation writes for customers, in every language: consent texts, guidance, FAQ, e-mail templates."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from modeltranslation.admin import TranslationAdmin

from uploads.messaging.emails import PLACEHOLDER_PATTERN
from uploads.models import (
    ConsentText,
    EmailTemplate,
    FaqEntry,
    GuidanceStep,
)


def _translated_names(field: str) -> list[str]:
    return [f"{field}_{code.replace('-', '_')}" for code, _name in settings.LANGUAGES]


@admin.register(ConsentText)
class ConsentTextAdmin(TranslationAdmin):
    """The installation's one consent text of before consents per shop: kept, read only, for
    the consents given to it. Customers now agree to their shop's consent document."""

    list_display = ["version", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # A consent text someone has agreed to is never rewritten: publish a new version instead.
        return ["version", "published_at", *_translated_names("body")] if obj else []


@admin.register(GuidanceStep)
class GuidanceStepAdmin(TranslationAdmin):
    list_display = ["text", "position"]
    list_editable = ["position"]


@admin.register(FaqEntry)
class FaqEntryAdmin(TranslationAdmin):
    list_display = ["question", "position"]
    list_editable = ["position"]


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["subject", "body"]

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in [*_translated_names("subject"), *_translated_names("body")]:
            unknown = set(PLACEHOLDER_PATTERN.findall(cleaned.get(name) or "")) - set(
                EmailTemplate.PLACEHOLDERS
            )
            if unknown:
                self.add_error(
                    name,
                    _("Unknown placeholder: %(names)s. Use only: %(known)s.")
                    % {
                        "names": ", ".join(sorted(f"{{{item}}}" for item in unknown)),
                        "known": ", ".join(f"{{{item}}}" for item in EmailTemplate.PLACEHOLDERS),
                    },
                )
        return cleaned


@admin.register(EmailTemplate)
class EmailTemplateAdmin(TranslationAdmin):
    form = EmailTemplateForm
    list_display = ["kind", "subject"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one template per kind, shipped by a migration

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
