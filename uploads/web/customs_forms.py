"""The customer's review form for one buyer situation: exactly the fields the shop needs for it,
pre-filled from the MRZ, checked by ``validation`` and compared with the MRZ names."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from uploads.core import customs_rules as validation
from uploads.core.passport_fields import PASSPORT_FIELDS
from uploads.core.transliteration import to_latin
from uploads.customs.services.readiness import names_differing
from uploads.documents.forms import PassportFieldsForm


class CustomsFieldsForm(PassportFieldsForm):
    # Posted by the page; a client that sends none gets the situation the MRZ suggests.
    situation = forms.CharField(widget=forms.HiddenInput, required=False)
    # The upload this form was shown for: confirming refuses when a newer one has arrived since.
    document_id = forms.CharField(widget=forms.HiddenInput, required=False)
    names_confirmed = forms.BooleanField(
        label=_("The names I typed are exactly as printed in my passport"), required=False
    )

    def __init__(
        self,
        *args: object,
        situation: str,
        rules: validation.Rules,
        read_fields: dict[str, str],
        today: date,
        deadline: date | None = None,
        document_id: int | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.situation = situation
        self.rules = rules
        self.read_fields = read_fields
        self.today = today
        self.deadline = deadline
        self.warnings: dict[str, list[str]] = {}
        self.name_mismatch = False
        shown = set(validation.SITUATION_FIELDS[situation])
        for name in list(self.fields):
            if name in PASSPORT_FIELDS and name not in shown:
                del self.fields[name]
        required = validation.required_fields(situation, rules)
        for name, field in self.fields.items():
            if name in PASSPORT_FIELDS:
                field.required = name in required
                field.error_messages["required"] = validation.missing_message(name)
        self.fields["situation"].initial = situation
        self.fields["document_id"].initial = document_id
        if "sex" in self.fields:
            # Nothing chosen for the customer: a select would otherwise show its first option.
            self.fields["sex"].choices = [("", "—"), *self.fields["sex"].choices]
        for field in self.fields.values():
            if field.required and not field.widget.is_hidden:
                field.widget.attrs["aria-required"] = "true"
        self.order_fields(validation.SITUATION_FIELDS[situation])
        # Phones show a digit keyboard for the fields that are digits only.
        for name in ("inn", "series", "department_code"):
            if name in self.fields:
                self.fields[name].widget.attrs.update(inputmode="numeric", autocomplete="off")
        if not self.is_bound:
            # Warnings (a passport running out before the deadline) show before the first submit.
            values = {name: str(value or "") for name, value in self.initial.items()}
            outcome = validation.validate_fields(
                values, situation=situation, rules=rules, today=today, deadline=deadline
            )
            self.warnings = {
                name: [str(message) for message in messages]
                for name, messages in outcome.warnings.items()
            }
        if situation == validation.RU_INTERNAL:
            self.fields["number"].label = _("Passport number")
            self.fields["number"].widget.attrs.update(inputmode="numeric")
            self.fields["number"].help_text = _("6 digits, after the series.")
            self.fields["series"].help_text = _("4 digits, for example 4508.")
            self.fields["surname_cyrillic"].help_text = ""
            self.fields["given_names_cyrillic"].label = _("Given name and patronymic")

    def shows_document(self, document_id: int) -> bool:
        """Whether the posted form was shown for this upload. A post without the field (an old
        page) counts as shown; the service refuses it too if a newer upload has arrived."""
        posted = self.data.get("document_id", "")
        return posted == "" or posted == str(document_id)

    @property
    def names_confirm_after(self) -> str:
        """The last name field shown: the "names as printed" box goes right below it, next to
        the message that asks for it."""
        names = [
            name
            for name in ("surname", "given_names", "surname_cyrillic", "given_names_cyrillic")
            if name in self.fields
        ]
        order = [bound.name for bound in self.visible_fields()]
        return max(names, key=order.index) if names else ""

    @property
    def situation_label(self) -> str:
        return str(validation.SITUATION_LABELS[self.situation])

    def field_rows(self) -> list[tuple[forms.BoundField, list[str]]]:
        """The visible fields with their warnings, for the template."""
        return [
            (bound, self.warnings.get(bound.name, []))
            for bound in self.visible_fields()
            if bound.name != "names_confirmed"
        ]

    def clean_situation(self) -> str:
        if self.cleaned_data["situation"] not in ("", self.situation):
            raise forms.ValidationError(_("Please choose your situation again."))
        return self.situation

    def clean(self) -> dict:
        cleaned = super().clean()
        fields = self.as_fields()
        outcome = validation.validate_fields(
            fields,
            situation=self.situation,
            rules=self.rules,
            today=self.today,
            deadline=self.deadline,
        )
        for name, messages in outcome.errors.items():
            target = name if name in self.fields and name != "situation" else None
            if target is None or target not in self.errors:
                for message in messages:
                    self.add_error(target, message)
        self.warnings = {
            name: [str(message) for message in messages]
            for name, messages in outcome.warnings.items()
        }
        differing = names_differing(self.read_fields, fields, self.situation)
        if differing:
            self.name_mismatch = True
            if not cleaned.get("names_confirmed"):
                read = " ".join(
                    self.read_fields.get(key, "")
                    for key in (
                        ("surname_cyrillic", "given_names_cyrillic")
                        if self.read_fields.get("surname_cyrillic")
                        else ("surname", "given_names")
                    )
                ).strip()
                for name in differing:
                    if name not in self.errors:
                        self.add_error(
                            name,
                            _(
                                "This differs from the name read from your passport (%(read)s). "
                                "Correct it, or tick the box below if the passport says so."
                            )
                            % {"read": read},
                        )
        return cleaned

    def customs_fields(self) -> dict[str, str]:
        """What is stored: the shown fields, plus what the situation implies."""
        fields = {
            name: value for name, value in self.as_fields().items() if name in PASSPORT_FIELDS
        }
        if self.situation in (validation.RU_INTERNAL, validation.RU_FOREIGN):
            fields["nationality"] = "RUS"
        if self.situation == validation.RU_INTERNAL:
            # Carriers that print Latin names get the spelling of a Russian foreign passport.
            fields["surname"] = to_latin(fields.get("surname_cyrillic", ""))
            fields["given_names"] = to_latin(fields.get("given_names_cyrillic", ""))
        return fields


def initial_fields(read_fields: dict[str, str], situation: str) -> dict[str, str | None]:
    """The form's starting values from the MRZ reading."""
    initial: dict[str, str | None] = {
        name: read_fields.get(name) or None for name in PASSPORT_FIELDS
    }
    series, number = read_fields.get("series") or "", read_fields.get("number") or ""
    if (
        situation == validation.RU_INTERNAL
        and series
        and len(number) == 10
        and number.startswith(series)
    ):
        # The internal passport's MRZ gives the series and number as one; the page prints them apart.
        initial["number"] = number[4:]
    initial["situation"] = situation
    return initial
