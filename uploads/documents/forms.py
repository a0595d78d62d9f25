"""The passport fields as a form: the customer's review and the seller's view share it."""

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Letters of any script, with the spaces, hyphens and apostrophes names contain.
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")
_NUMBER_RE = re.compile(r"^[A-Z0-9]{1,20}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{1,3}$")
_DEPARTMENT_RE = re.compile(r"^\d{3}-?\d{3}$")


class PassportFieldsForm(forms.Form):
    surname = forms.CharField(label=_("Surname"), max_length=100)
    given_names = forms.CharField(label=_("Given names"), max_length=100, required=False)
    surname_cyrillic = forms.CharField(
        label=_("Surname in Cyrillic"),
        max_length=100,
        required=False,
        help_text=_("As in a Russian internal passport, if you have one."),
    )
    given_names_cyrillic = forms.CharField(
        label=_("Given names and patronymic in Cyrillic"), max_length=100, required=False
    )
    number = forms.CharField(label=_("Document number"), max_length=20)
    nationality = forms.CharField(
        label=_("Nationality"),
        max_length=3,
        help_text=_("Three-letter code, for example RUS, KAZ, UZB."),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("F", _("female")), ("M", _("male")), ("X", _("unspecified"))]
    )
    expiry_date = forms.DateField(
        label=_("Expiry date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty if the document has none."),
    )

    issue_date = forms.DateField(
        label=_("Date of issue"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    department_code = forms.CharField(label=_("Department code"), max_length=7, required=False)
    series = forms.CharField(label=_("Series"), max_length=8, required=False)
    issuing_authority = forms.CharField(
        label=_("Issued by"),
        max_length=200,
        required=False,
        help_text=_("As printed in the passport."),
    )
    inn = forms.CharField(
        label=_("INN"),
        max_length=20,
        required=False,
        help_text=_("The taxpayer number of a person: 12 digits."),
    )

    def _clean_name(self, field: str) -> str:
        value = " ".join(self.cleaned_data[field].split())
        if value and not _NAME_RE.match(value):
            raise forms.ValidationError(_("Use letters only, as written in the passport."))
        return value.upper()

    def clean_surname(self) -> str:
        return self._clean_name("surname")

    def clean_given_names(self) -> str:
        return self._clean_name("given_names")

    def clean_surname_cyrillic(self) -> str:
        return self._clean_name("surname_cyrillic")

    def clean_given_names_cyrillic(self) -> str:
        return self._clean_name("given_names_cyrillic")

    def clean_number(self) -> str:
        value = "".join(self.cleaned_data["number"].split()).upper()
        if not _NUMBER_RE.match(value):
            raise forms.ValidationError(
                _("Use only the Latin letters and digits of the document number.")
            )
        return value

    def clean_nationality(self) -> str:
        value = self.cleaned_data["nationality"].strip().upper()
        if not _COUNTRY_RE.match(value):
            raise forms.ValidationError(_("Enter the three-letter country code, for example RUS."))
        return value

    def clean_date_of_birth(self) -> date:
        value: date = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if value > today or value.year < today.year - 130:
            raise forms.ValidationError(_("Check the date of birth."))
        return value

    def clean_issue_date(self) -> date | None:
        value: date | None = self.cleaned_data["issue_date"]
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("Check the date of issue."))
        return value

    def clean_department_code(self) -> str:
        value = "".join(self.cleaned_data["department_code"].split())
        if not value:
            return ""
        if not _DEPARTMENT_RE.match(value):
            raise forms.ValidationError(_("Enter the code as six digits, for example 770-001."))
        digits = value.replace("-", "")
        return f"{digits[:3]}-{digits[3:]}"

    def clean_series(self) -> str:
        return "".join(self.cleaned_data["series"].split())

    def clean_inn(self) -> str:
        return "".join(self.cleaned_data["inn"].split())

    def clean_issuing_authority(self) -> str:
        value = " ".join(self.cleaned_data["issuing_authority"].split())
        if value and (not value.isprintable() or not any(char.isalpha() for char in value)):
            raise forms.ValidationError(
                _("Enter the issuing authority exactly as printed in the passport.")
            )
        return value

    def as_fields(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            name: value.isoformat() if isinstance(value, date) else (value or "")
            for name, value in data.items()
        }


def field_label(name: str) -> str:
    """The passport field's label in the active language (column headers, the seller's view)."""
    return str(PassportFieldsForm.base_fields[name].label)
