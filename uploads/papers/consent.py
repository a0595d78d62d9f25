"""A shop's consent document in one language, built from what the shop really does.

152-FZ art. 9 part 4 (a separate document since 1 September 2025): the operator's name and
address, the purposes, the list of data, the actions with it, the third parties it goes to, the
term and how to withdraw. Each comes from the shop's own rows, so the text cannot promise less or
more than the portal does: the operator from the shop's operator details, the data from its
customs settings (the fields the customer's form shows for each situation it accepts), the
photo from its photo policy (a shop that collects none names none), the recipients from its
carrier account, its column mappings (each with its country) and its list of other recipients,
the term from its retention settings, the withdrawal from the link's own page. ``ConsentFacts``
says what must be in it; ``consent_document_text`` renders it in a language
(templates/papers/consent_document.txt).
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from uploads.core import customs_rules as validation
from uploads.core.passport_fields import PASSPORT_FIELDS
from uploads.documents.forms import PassportFieldsForm
from uploads.models import (
    CarrierMapping,
    CdekAccount,
    ConsentDocument,
    Country,
    CustomsSettings,
    PhotoPolicy,
    Shop,
    country_name,
    recipient_lines,
)

# The portal's name as the consent's information system when PAPERS_SYSTEM_NAME is empty (the
# destruction acts use the same setting, in Russian).
SYSTEM_NAME = _("Passport upload portal")

# Carriers the portal hands data to by API, with the country their company is registered in (the
# same as the carrier's own ``country``, uploads/carriers/cdek/carrier.py).
CDEK = ("CDEK", Country.RUSSIA)


@dataclass(frozen=True)
class FieldGroup:
    """The passport fields the customer's form asks for in one situation (labels, in order)."""

    situation: str | Promise
    fields: tuple[str | Promise, ...]


@dataclass(frozen=True)
class ConsentFacts:
    """Everything a shop's consent names; labels are lazy, read in the document's language."""

    shop_name: str
    operator_name: str
    operator_address: str
    operator_registration: str
    operator_rkn_number: str
    operator_contact: str
    # The installation's owner, processing on the shop's behalf (empty: the shop runs it itself).
    processor: str
    system_name: str | Promise
    field_groups: tuple[FieldGroup, ...]
    # PhotoPolicy: whether the passport photo is collected always, only if the customer sends one
    # instead of typing, or never (then the document names no photo, no reading, no photo term).
    photo_policy: str
    second_document: bool
    # "Name (Country)", one each: the carrier connected by API first, then the column mappings,
    # then the shop's list.
    recipients: tuple[str | Promise, ...]
    image_retention_days: int
    retention_days: int
    withdraw_url: str


def field_label(name: str) -> str | Promise:
    """A passport field's label as the customer's form shows it (documents/forms.py)."""
    return PassportFieldsForm.base_fields[name].label or name


def shop_field_groups(*, customs_settings: CustomsSettings) -> tuple[FieldGroup, ...]:
    """The fields the shop collects: for each situation it accepts, every field its form shows
    (the ones a customer may leave empty too: what is typed is kept)."""
    rules = customs_settings.rules()
    return tuple(
        FieldGroup(
            situation=validation.SITUATION_LABELS[situation],
            fields=tuple(
                field_label(name)
                for name in validation.SITUATION_FIELDS[situation]
                if name in PASSPORT_FIELDS
            ),
        )
        for situation in rules.situations
    )


def shop_recipients(*, shop: Shop) -> tuple[str | Promise, ...]:
    """Who the shop hands the passport data to, each with its country, lazily translated: the
    carrier connected by API, the carriers and brokers it exports files for (its column
    mappings), then the ones it typed."""
    recipients: list[str | Promise] = []
    if CdekAccount.objects.filter(shop=shop, is_active=True).exists():
        name, country = CDEK
        recipients.append(format_lazy("{} ({})", name, country_name(country)))
    for mapping in CarrierMapping.objects.filter(shop=shop).order_by("name"):
        # A mapping without its country blocks the shop's links (papers.operator), so a
        # customer never reads this line without one.
        recipients.append(
            format_lazy("{} ({})", mapping.name, country_name(mapping.country))
            if mapping.country
            else mapping.name
        )
    recipients.extend(recipient_lines(shop.consent_recipients))
    return tuple(recipients)


def consent_facts(*, shop: Shop) -> ConsentFacts:
    # A shop that never saved its customs settings asks what the defaults ask.
    customs_settings = CustomsSettings.objects.filter(shop=shop).first() or CustomsSettings(
        shop=shop
    )
    photo_policy = PhotoPolicy(customs_settings.photo_policy or PhotoPolicy.REQUIRED)
    # The second document is a photo too: a shop that collects no photos asks for none (its
    # settings form refuses the combination; the document does not name it either way).
    second_document = (
        customs_settings.require_second_document
        and customs_settings.accept_foreign
        and photo_policy != PhotoPolicy.NOT_COLLECTED
    )
    return ConsentFacts(
        shop_name=shop.name,
        operator_name=shop.operator_name.strip(),
        operator_address=shop.operator_address.strip(),
        operator_registration=shop.operator_registration.strip(),
        operator_rkn_number=shop.operator_rkn_number.strip(),
        operator_contact=shop.operator_contact.strip(),
        processor=settings.PAPERS_PROCESSOR.strip(),
        system_name=settings.PAPERS_SYSTEM_NAME or SYSTEM_NAME,
        field_groups=shop_field_groups(customs_settings=customs_settings),
        photo_policy=photo_policy.value,
        second_document=second_document,
        recipients=shop_recipients(shop=shop),
        image_retention_days=shop.effective_image_retention_days,
        retention_days=shop.effective_retention_days,
        withdraw_url=f"{settings.SITE_URL}{reverse('uploads:withdraw')}",
    )


def consent_document_text(*, facts: ConsentFacts, language: str) -> str:
    """The document's plain text in ``language``: what the customer reads, downloads and agrees
    to, byte for byte (its SHA-256 names the version)."""
    with translation.override(language):
        # Every label is read here, in the document's language.
        text = render_to_string(
            "papers/consent_document.txt",
            {
                "facts": facts,
                "system_name": str(facts.system_name),
                "field_groups": [
                    (str(group.situation), ", ".join(str(label) for label in group.fields))
                    for group in facts.field_groups
                ],
                "recipients": [str(recipient) for recipient in facts.recipients],
                "withdraw_title": gettext("Withdraw consent and delete my data"),
                "photo_required": facts.photo_policy == PhotoPolicy.REQUIRED,
                "photo_optional": facts.photo_policy == PhotoPolicy.OPTIONAL,
                "photo_collected": facts.photo_policy != PhotoPolicy.NOT_COLLECTED,
            },
        )
    return _tidy(text)


def _tidy(text: str) -> str:
    """Template lines without trailing spaces and at most one blank line in a row."""
    lines: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    return "\n".join(lines).strip() + "\n"


def consent_document_of_shop(*, shop_id: int, document_id: int) -> ConsentDocument | None:
    """A version of the shop's consent, for its customers to download (it names no customer)."""
    return ConsentDocument.objects.filter(pk=document_id, shop_id=shop_id).first()
