"""The customer's forms. Every value is checked here; nothing from the browser is trusted."""

from django import forms
from django.utils.translation import gettext_lazy as _

from uploads.models import Feedback


class UploadForm(forms.Form):
    consent = forms.BooleanField(
        label=_("Consent"),
        required=True,
        error_messages={
            "required": _("Please confirm that you agree, so that we can accept the passport.")
        },
    )
    # The consent document the page showed (uploads.papers): the consent is tied to that text.
    consent_document_id = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
    )
    file = forms.FileField(
        label=_("Photo of the passport"),
        required=True,
        allow_empty_file=True,  # images.normalise_upload explains what is wrong with an empty file
        error_messages={"required": _("Please take a photo of the passport or choose a file.")},
    )
    # Set by portal.js when it holds back a chosen photo because the consent box is not ticked:
    # the form comes back with that one error and the photo stays chosen in the browser, instead
    # of megabytes going up only to be refused.
    photo_kept = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, typed: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if typed:
            # The customer types the details (the shop's photo policy allows it): no file at all.
            del self.fields["file"]
            del self.fields["photo_kept"]
        elif self.is_bound and self.data.get("photo_kept") and not self.data.get("consent"):
            self.fields["file"].required = False


class FeedbackForm(forms.Form):
    """How easy it was (1-5) and an optional comment, after the passport is sent."""

    rating = forms.TypedChoiceField(
        label=_("How easy was it to send your passport?"),
        choices=Feedback.Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything we could do better? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )
