"""The whole upload in each customer language, with no English source text left on any page."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import ERIKSSON_FIELDS, consent_shown_to
from uploads.requests import services as request_services

SOURCE_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
_ENTRY = re.compile(r'^msgid ((?:"(?:[^"\\]|\\.)*"\s*)+)', re.MULTILINE)


def _source_strings() -> list[str]:
    """Our English strings long enough that seeing one on a page means it was not translated."""
    strings = []
    for match in _ENTRY.finditer(SOURCE_CATALOGUE.read_text()):
        text = (
            "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1)))
            .replace('\\"', '"')
            .replace("\\n", "\n")
        )
        if len(text) >= 15 and " " in text and "%(" not in text and "{" not in text:
            strings.append(text)
    return strings


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _assert_all_translated(page: str, language: str) -> None:
    text = " ".join(_visible_text(page).split())
    with translation.override(language):
        leaks = [
            source for source in _source_strings() if source in text and gettext(source) != source
        ]
    assert not leaks, f"untranslated on the {language} page: {leaks}"


CUSTOMER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


@pytest.mark.parametrize("language", CUSTOMER_LANGUAGES)
def test_it_takes_the_whole_upload_in_each_language(client, shop, passport_jpeg, language):
    link = request_services.order_create(
        shop_id=shop.pk, number="W-1", customer_name="Aru", language=language
    )
    client.get(f"/u/{link.token}/")
    start = client.get("/upload/").content.decode()
    assert f'<html lang="{language}">' in start
    _assert_all_translated(start, language)

    refused = client.post("/upload/", {"consent_document_id": consent_shown_to(client)})
    assert refused.status_code == 400
    _assert_all_translated(refused.content.decode(), language)

    client.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(client),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    review = client.get("/upload/review/").content.decode()
    assert 'value="ERIKSSON"' in review
    _assert_all_translated(review, language)

    assert client.post("/upload/review/", ERIKSSON_FIELDS)["Location"] == "/upload/done/"
    done = client.get("/upload/done/").content.decode()
    _assert_all_translated(done, language)


def test_it_detects_an_untranslated_page():
    with pytest.raises(AssertionError):
        _assert_all_translated("<h1>This link does not work</h1>", "ru")
