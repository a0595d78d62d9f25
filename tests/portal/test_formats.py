"""Dates and times in each customer language's own order and month names (portal/formats), in
pages and in e-mails, and never a double full stop after a date."""

from datetime import date, datetime

import pytest
from django.utils import formats, translation

from tests.conftest import MOSCOW
from uploads.messaging.emails import build_customer_email
from uploads.models import EmailTemplate
from uploads.requests import services as request_services

DAY = date(2026, 12, 17)
MOMENT = datetime(2026, 12, 17, 17, 4, tzinfo=MOSCOW)
EXPECTED = {
    "ru": ("17 декабря 2026", "17 декабря 2026, 17:04"),
    "kk": ("2026 жылғы 17 желтоқсан", "2026 жылғы 17 желтоқсан, 17:04"),
    "uz": ("2026-yil 17-dekabr", "2026-yil 17-dekabr, 17:04"),
    "ky": ("2026-жылдын 17-декабры", "2026-жылдын 17-декабры, 17:04"),
    "hy": ("17 դեկտեմբերի 2026", "17 դեկտեմբերի 2026, 17:04"),
    "be": ("17 снежня 2026", "17 снежня 2026, 17:04"),
    "zh-hans": ("2026年12月17日", "2026年12月17日 17:04"),
}


@pytest.mark.parametrize("language", EXPECTED)
def test_it_writes_dates_in_the_languages_own_order(language):
    with translation.override(language):
        assert formats.date_format(DAY, "DATE_FORMAT") == EXPECTED[language][0]
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == EXPECTED[language][1]
        # No English order or abbreviations, no "p.m." in any customer language.
        assert "p.m." not in formats.date_format(MOMENT, "DATETIME_FORMAT")


@pytest.mark.parametrize("language", EXPECTED)
def test_it_puts_the_languages_date_in_the_email_without_a_double_full_stop(shop, language):
    link = request_services.order_create(
        shop_id=shop.pk,
        number=f"D-{language}",
        customer_name="Anna Eriksson",
        email="anna@example.com",
        language=language,
        deadline=DAY,
        send_invitation=False,
    )
    for kind in EmailTemplate.Kind.values:
        message = build_customer_email(
            kind=kind, upload_request=link.upload_request, link_url=link.url
        )
        html = message.alternatives[0][0]
        for text in (message.body, html):
            assert EXPECTED[language][0] in text, (kind, text)
            assert ".." not in text.replace("...", ""), (kind, text)


@pytest.mark.parametrize("language", ["kk", "hy"])
def test_it_shows_the_deadline_on_the_customers_page_in_their_language(client, shop, language):
    link = request_services.order_create(
        shop_id=shop.pk,
        number="D-1",
        customer_name="Anna Eriksson",
        email="anna@example.com",
        language=language,
        deadline=DAY,
        send_invitation=False,
    )
    client.get(f"/u/{link.token}/")
    page = client.get("/upload/").content.decode()
    assert EXPECTED[language][0] in page
