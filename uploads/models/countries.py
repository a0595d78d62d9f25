"""The countries a recipient of passport data may be in (ISO 3166-1 alpha-2), named in the
customer's consent in its language and kept by code in the transfer register (152-FZ art. 9
part 4, art. 12).

A short list, not all of ISO 3166: the carriers and customs brokers of parcels to Russia and its
neighbours are registered in these, and each name must be translated into every language of the
portal. Another country is added here (with its translations) when a seller needs it.
"""

from django.db import models
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
