"""The countries a recipient of passport data, or a staff member, may be in (ISO 3166-1 alpha-2),
named in the customer's consent in its language and kept by code in the transfer register
(152-FZ art. 9 part 4, art. 12).

Every country of ISO 3166-1 can be chosen: the list and the names in each language come from
pycountry (Debian's iso-codes and their translations). ``Country`` holds the ones the portal's
sellers use most, with names the portal's own translators chose (the short "Russia", not iso-codes'
"Russian Federation"; Uzbek names iso-codes lacks): a name is read from the portal's catalogue for
those, from iso-codes for the rest, and in English where iso-codes has no translation.
"""

import functools
import gettext

import pycountry
from django.db import models
from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    RUSSIA = "RU", _("Russia")
    BELARUS = "BY", _("Belarus")
    KAZAKHSTAN = "KZ", _("Kazakhstan")
    KYRGYZSTAN = "KG", _("Kyrgyzstan")
    ARMENIA = "AM", _("Armenia")
    UZBEKISTAN = "UZ", _("Uzbekistan")
    CHINA = "CN", _("China")
    HONG_KONG = "HK", _("Hong Kong")
    TURKEY = "TR", _("Türkiye")
    UAE = "AE", _("United Arab Emirates")
    GERMANY = "DE", _("Germany")
    UNITED_STATES = "US", _("United States")


# The portal's language codes whose iso-codes catalogue has another name.
_ISO_LOCALES = {"zh_Hans": "zh_CN"}


@functools.cache
def _iso_catalogue(locale: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1",
        pycountry.LOCALES_DIR,
        languages=[_ISO_LOCALES.get(locale, locale)],
        fallback=True,
    )


def _iso_name(code: str) -> str:
    record = pycountry.countries.get(alpha_2=code)
    if record is None:
        return code
    catalogue = _iso_catalogue(to_locale(get_language() or "en"))
    translated = catalogue.gettext(record.name)
    if translated != record.name:
        return translated
    # Untranslated (or English): the everyday name where iso-codes gives one ("Taiwan").
    return getattr(record, "common_name", None) or record.name


_iso_name_lazy = lazy(_iso_name, str)


def country_name(code: str) -> str | Promise:
    """A country's name in the language active where it is read (lazily); an unknown code as
    it is."""
    return Country(code).label if code in Country.values else _iso_name_lazy(code)


def country_choices() -> list[tuple[str, str]]:
    """Every country, as a form's choices, by name in the active language (a model field's
    choices call it each time a form is built, so each user reads their own language)."""
    codes = [record.alpha_2 for record in pycountry.countries]
    named = [(code, str(country_name(code))) for code in codes]
    return sorted(named, key=lambda pair: pair[1].casefold())
