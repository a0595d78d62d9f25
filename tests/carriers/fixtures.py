"""The CDEK stand-in on loopback, a shop's account with it, and a request ready for customs
(imported by the conftest of tests/carriers and by the admin's carrier tests)."""

from collections.abc import Iterator
from datetime import date

import pytest

from tests.carriers.cdek_standin import CdekStandin
from uploads.carriers import services as carrier_services
from uploads.carriers.cdek.client import tokens_forget
from uploads.core import crypto
from uploads.customs.services import decisions as customs_decisions
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import CdekAccount, Consent, PassportDocument, Shop, UploadRequest
from uploads.papers import services as papers_services

# A citizen of Russia with an internal passport: every field CDEK takes is there.
RU_INTERNAL_FIELDS = {
    "surname": "IVANOV",
    "given_names": "IVAN IVANOVICH",
    "surname_cyrillic": "ИВАНОВ",
    "given_names_cyrillic": "ИВАН ИВАНОВИЧ",
    "number": "123456",
    "series": "4510",
    "nationality": "RUS",
    "date_of_birth": date(1965, 5, 23).isoformat(),
    "sex": "M",
    "issue_date": "2015-07-14",
    "department_code": "770-093",
    "issuing_authority": "ОУФМС России по г. Москве",
    "inn": "500100732259",
    "expiry_date": "",
}


@pytest.fixture
def cdek(settings) -> Iterator[CdekStandin]:
    with CdekStandin() as standin:
        settings.CDEK_API_URL_TEST = standin.url
        settings.CARRIER_TIMEOUT_SECONDS = 5
        tokens_forget()
        yield standin
    tokens_forget()


@pytest.fixture
def cdek_account(shop: Shop, cdek: CdekStandin) -> CdekAccount:
    return carrier_services.cdek_account_save(
        shop=shop, client_id=cdek.client_id, client_secret=cdek.client_secret
    )


def make_ready(upload_request: UploadRequest, fields: dict[str, str] | None = None) -> None:
    """The customer's internal passport, confirmed (fields sealed as the portal seals them)."""
    fields = fields or RU_INTERNAL_FIELDS
    key = crypto.new_data_key(
        context=document_selectors.PASSPORT_FILE_CONTEXT,
        shop_id=upload_request.order.shop_id,
        request_id=upload_request.pk,
    )
    consent = Consent.objects.create(
        upload_request=upload_request,
        document=papers_services.consent_document_shown(
            shop=upload_request.order.shop, language="ru"
        ),
        language="ru",
    )
    document = PassportDocument.objects.create(
        upload_request=upload_request,
        consent=consent,
        blob_name="test",
        wrapped_key=b"",
        original_format="JPEG",
        width=1,
        height=1,
        stored_bytes=1,
        mrz_status=PassportDocument.MrzStatus.FOUND,
    )
    document.wrapped_key = crypto.wrap_data_key(
        key,
        context=document_selectors.PASSPORT_FILE_CONTEXT,
        **document_selectors.document_place(document),
    )
    document.fields_sealed = document_services.fields_seal(key, document=document, fields=fields)
    document.save(update_fields=["wrapped_key", "fields_sealed"])
    customs_decisions.customs_document_confirm(
        document=document, fields=fields, situation="ru_internal"
    )
    upload_request.refresh_from_db()


@pytest.fixture
def ready_request(upload_request: UploadRequest) -> UploadRequest:
    make_ready(upload_request)
    return upload_request
