"""A shop's consent document (152-FZ art. 9 part 4): every element, in every language, versioned."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, ngettext

from tests.typed import photo_policy_set
from uploads.core import customs_rules as validation
from uploads.documents.forms import PassportFieldsForm
from uploads.models import (
    AppendOnlyError,
    CarrierMapping,
    CdekAccount,
    ConsentDocument,
    Country,
    CustomsSettings,
    PhotoPolicy,
    Shop,
    country_choices,
    country_name,
)
from uploads.models.shops import validate_recipient_lines
from uploads.papers import services as papers_services
from uploads.papers.consent import consent_document_text, consent_facts

LANGUAGES = [code for code, _name in settings.LANGUAGES]
RECIPIENTS = "Boxberry LLC (Russia)\n\n  Global Customs Broker GmbH (Germany)  \n"
# Country names written the same in English and in a language (Uzbek's Latin alphabet).
SAME_AS_ENGLISH = {("uz", "BY")}
PROCESSOR = "Portal Hosting LLC, 5 Tverskaya St, Moscow"


@pytest.fixture
def full_shop(shop: Shop) -> Shop:
    """A shop that names everything a consent can name: a carrier by API, other recipients, a
    second document, its own retention periods."""
    CdekAccount.objects.create(shop=shop, client_id_sealed=b"", client_secret_sealed=b"")
    # Recipients of files: each named with its country, in the document's language.
    CarrierMapping.objects.create(shop=shop, name="Kazpost Broker", country="KZ", columns=[])
    CarrierMapping.objects.create(shop=shop, name="Yiwu Forwarding", country="CN", columns=[])
    CustomsSettings.objects.create(shop=shop, require_second_document=True, require_inn=True)
    shop.consent_recipients = RECIPIENTS
    shop.image_retention_days = 31
    shop.retention_days = 92
    shop.save()
    return shop


def _document(shop: Shop, language: str) -> str:
    return consent_document_text(facts=consent_facts(shop=shop), language=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_names_every_element_the_law_asks_for_in_every_language(full_shop, settings, language):
    settings.PAPERS_PROCESSOR = PROCESSOR
    text = _document(full_shop, language)
    with translation.override(language):
        # The operator, and the installation's owner processing on its behalf.
        for value in (
            full_shop.operator_name,
            full_shop.operator_address,
            full_shop.operator_registration,
            full_shop.operator_rkn_number,
            full_shop.operator_contact,
            PROCESSOR,
        ):
            assert value in text
        for label in (
            "Operator's name:",
            "Operator's address:",
            "Operator's registration number:",
            "Number in the Roskomnadzor register of personal-data operators:",
            "Person responsible for personal data:",
        ):
            assert gettext(label) in text
        # The purposes.
        assert gettext("Purposes of processing") in text
        purpose = gettext(
            "customs declaration and clearance of the parcels with my orders from %(shop)s;"
        )
        assert purpose % {"shop": full_shop.name} in text
        # Every field the shop's form collects, in each situation it accepts, and the photos.
        assert gettext("Personal data processed") in text
        for situation in validation.SITUATIONS:
            line = next(
                line
                for line in text.splitlines()
                if line.strip().startswith(str(validation.SITUATION_LABELS[situation]) + ":")
            )
            for name in validation.SITUATION_FIELDS[situation]:
                assert str(PassportFieldsForm.base_fields[name].label) in line, (situation, name)
        assert gettext("a photo of the passport page with my photo;") in text
        assert (
            gettext(
                "a photo of a second document, such as a residence permit, if I am a citizen of "
                "another country;"
            )
            in text
        )
        assert gettext("my name, e-mail address and phone number given with the order;") in text
        # The actions.
        assert gettext("Actions with the data") in text
        # Each recipient, with its country.
        assert gettext("Recipients of the data") in text
        assert f"- CDEK ({gettext('Russia')});" in text
        assert f"- Kazpost Broker ({gettext('Kazakhstan')});" in text
        assert f"- Yiwu Forwarding ({gettext('China')});" in text
        assert "- Boxberry LLC (Russia);" in text
        assert "- Global Customs Broker GmbH (Germany);" in text
        assert gettext("the customs authority of the country the parcel is delivered to.") in text
        # The term.
        assert gettext("Term") in text
        photo_term = ngettext(
            "The photo of the passport is deleted %(days)s day after the seller accepts it.",
            "The photo of the passport is deleted %(days)s days after the seller accepts it.",
            31,
        )
        assert photo_term % {"days": 31} in text
        assert "92" in text
        # How to withdraw: the link's own page, and the person responsible.
        assert gettext("How to withdraw this consent") in text
        assert f"{settings.SITE_URL}/upload/withdraw/" in text
        assert gettext("Withdraw consent and delete my data") in text


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_it_is_written_in_the_language_not_in_english(full_shop, language):
    english = _document(full_shop, "en").splitlines()
    text = _document(full_shop, language).splitlines()
    # Only the shop's own values (names, addresses, the recipients it typed) are the same.
    shared = {line for line in set(english) & set(text) if line.strip()}
    same = {"- Boxberry LLC (Russia);", "- Global Customs Broker GmbH (Germany);"}
    if language == "uz":
        same.add("1. Operator")  # the same word in Uzbek
    assert shared <= same


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_recipients_country_is_named_in_the_language(language):
    """A country a mapping can choose has its name in each language (none left in English but
    in the English document)."""
    with translation.override(language):
        for code, label in Country.choices:
            assert str(label).strip(), code
            if language != "en":
                with translation.override("en"):
                    english = str(label)
                assert str(label) != english or (language, code) in SAME_AS_ENGLISH, (
                    language,
                    code,
                )


@pytest.mark.parametrize("language", LANGUAGES)
def test_any_iso_country_is_named_in_the_language(language):
    """Beyond the portal's own list, every ISO 3166 country has a name (iso-codes' through
    pycountry, English where a language has none), never the bare code."""
    with translation.override(language):
        choices = country_choices()
        assert len(choices) >= 249
        assert all(name and name != code for code, name in choices)
        assert [name.casefold() for _code, name in choices] == sorted(
            name.casefold() for _code, name in choices
        )
        assert str(country_name("RU")) == str(Country.RUSSIA.label)  # ours, not iso-codes'
    assert str(country_name("XX")) == "XX"


def test_a_recipient_outside_the_portals_list_is_named_in_the_customers_language(shop):
    CarrierMapping.objects.create(shop=shop, name="InPost", country="PL", columns=[])
    assert "- InPost (Польша);" in _document(shop, "ru")
    assert "- InPost (波兰);" in _document(shop, "zh-hans")
    assert "- InPost (Poland);" in _document(shop, "en")


def test_a_change_of_a_mappings_name_or_country_is_a_new_version(shop):
    mapping = CarrierMapping.objects.create(shop=shop, name="Boxberry", country="RU", columns=[])
    first = papers_services.consent_document_shown(shop=shop, language="ru")
    assert "- Boxberry (Россия);" in first.body
    mapping.country = "KZ"
    mapping.save()
    second = papers_services.consent_document_shown(shop=shop, language="ru")
    assert "- Boxberry (Казахстан);" in second.body
    mapping.name = "Boxberry KZ"
    mapping.save()
    third = papers_services.consent_document_shown(shop=shop, language="ru")
    assert "- Boxberry KZ (Казахстан);" in third.body
    assert len({first.content_hash, second.content_hash, third.content_hash}) == 3
    first.refresh_from_db()
    assert "- Boxberry (Россия);" in first.body  # the version a customer agreed to stays


def test_it_lists_only_the_situations_the_shop_accepts(shop):
    CustomsSettings.objects.create(shop=shop, accept_ru_foreign=False, accept_foreign=False)
    text = _document(shop, "en")
    assert "Citizen of Russia with an internal passport:" in text
    assert "Citizen of another country" not in text
    assert "Nationality" not in text
    assert "residence permit" not in text
    # Without a carrier or other recipients, customs is the one recipient named.
    assert "CDEK" not in text


def test_it_names_no_processor_when_the_shop_runs_the_portal_itself(shop, settings):
    settings.PAPERS_PROCESSOR = ""
    text = _document(shop, "en")
    assert "On the operator's behalf" not in text
    assert 'The data is processed in the information system "Passport upload portal".' in text


def test_it_keeps_each_text_shown_as_a_version(shop):
    first = papers_services.consent_document_shown(shop=shop, language="ru")
    assert papers_services.consent_document_shown(shop=shop, language="ru") == first
    assert first.body == _document(shop, "ru")
    assert len(first.content_hash) == 64
    shop.operator_address = "2 New Street, Yiwu, China"
    shop.save()
    second = papers_services.consent_document_shown(shop=shop, language="ru")
    assert second != first
    first.refresh_from_db()
    assert "1 Market Street" in first.body and "2 New Street" in second.body
    english = papers_services.consent_document_shown(shop=shop, language="en")
    assert english.language == "en" and english.body != second.body
    assert ConsentDocument.objects.filter(shop=shop).count() == 3


def test_a_version_is_never_changed_or_deleted(shop):
    document = papers_services.consent_document_shown(shop=shop, language="ru")
    document.body = "something else"
    with pytest.raises(AppendOnlyError):
        document.save()
    with pytest.raises(AppendOnlyError):
        ConsentDocument.objects.filter(pk=document.pk).update(body="something else")
    with pytest.raises(AppendOnlyError):
        document.delete()


def test_each_other_recipient_names_its_country():
    validate_recipient_lines(RECIPIENTS)
    validate_recipient_lines("")
    for wrong in ("Boxberry LLC", "Boxberry LLC ()", "(Russia)"):
        with pytest.raises(ValidationError):
            validate_recipient_lines(wrong)


PHOTO_LINE = "a photo of the passport page with my photo;"
OPTIONAL_PHOTO_LINE = (
    "a photo of the passport page with my photo, only if I send one instead of typing the details;"
)
DETAILS_LINE = "the details of my passport that I confirm or type, depending on my document:"
TYPED_DETAILS_LINE = "the details of my passport that I type, depending on my document:"
SECOND_DOCUMENT_LINE = (
    "a photo of a second document, such as a residence permit, if I am a citizen of another "
    "country;"
)
READING_ACTIONS = (
    "Collection, recording, systematisation, accumulation, storage, clarification (updating, "
    "changing), extraction, use, transfer (provision, access) to the recipients named below, "
    "blocking, deletion and destruction, with and without automation (a program reads the "
    "machine-readable zone of the passport photo)."
)
TYPED_ACTIONS = (
    "Collection, recording, systematisation, accumulation, storage, clarification (updating, "
    "changing), extraction, use, transfer (provision, access) to the recipients named below, "
    "blocking, deletion and destruction, with and without automation."
)


def _photo_term(days: int) -> str:
    return ngettext(
        "The photo of the passport is deleted %(days)s day after the seller accepts it.",
        "The photo of the passport is deleted %(days)s days after the seller accepts it.",
        days,
    ) % {"days": days}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("policy", list(PhotoPolicy))
def test_it_names_the_photo_only_as_the_shop_collects_it(full_shop, language, policy):
    # The full shop asks for a second document: a shop that collects no photo names none.
    photo_policy_set(full_shop, policy)
    text = _document(full_shop, language)
    with translation.override(language):
        present = {
            PhotoPolicy.REQUIRED: [PHOTO_LINE, DETAILS_LINE, SECOND_DOCUMENT_LINE, READING_ACTIONS],
            PhotoPolicy.OPTIONAL: [
                OPTIONAL_PHOTO_LINE,
                DETAILS_LINE,
                SECOND_DOCUMENT_LINE,
                READING_ACTIONS,
            ],
            PhotoPolicy.NOT_COLLECTED: [TYPED_DETAILS_LINE, TYPED_ACTIONS],
        }[policy]
        every = {
            PHOTO_LINE,
            OPTIONAL_PHOTO_LINE,
            DETAILS_LINE,
            TYPED_DETAILS_LINE,
            SECOND_DOCUMENT_LINE,
            READING_ACTIONS,
            TYPED_ACTIONS,
        }
        for line in present:
            assert gettext(line) in text, (policy, line)
        for line in every - set(present):
            assert gettext(line) not in text, (policy, line)
        # The photo's own term is there exactly when a photo may be collected.
        assert (_photo_term(31) in text) == (policy != PhotoPolicy.NOT_COLLECTED)
        # Every field is still named, and the whole term.
        assert gettext("Personal data processed") in text
        assert "92" in text
    if language == "en" and policy == PhotoPolicy.NOT_COLLECTED:
        # Nothing at all about a photo (the words of every other language are checked above).
        assert "photo" not in text.lower()
        assert "machine-readable" not in text


def test_a_change_of_photo_policy_is_a_new_version(shop):
    first = papers_services.consent_document_shown(shop=shop, language="en")
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    second = papers_services.consent_document_shown(shop=shop, language="en")
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    third = papers_services.consent_document_shown(shop=shop, language="en")
    assert len({first.content_hash, second.content_hash, third.content_hash}) == 3
    assert "photo" in first.body and "photo" not in second.body.lower()
    assert "only if I send one instead of typing the details" in third.body
    # Back to what the first version said: the same version, not a fourth.
    photo_policy_set(shop, PhotoPolicy.REQUIRED)
    assert papers_services.consent_document_shown(shop=shop, language="en") == first
    assert ConsentDocument.objects.filter(shop=shop).count() == 3
