"""Ciphertext bound to its place (#20 item 8): a passport's wrapped key, fields and file, and a
link token, copied to another shop's (or request's, or document's) row do not open there: the
other shop's passport is never shown. Rows sealed before the binding are re-sealed by the
upgrade migration."""

import importlib
import json
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps

from tests.conftest import TEST_MASTER_KEY, submit_and_confirm
from uploads.core import crypto, storage
from uploads.documents import selectors as document_selectors
from uploads.models import PassportDocument, UploadRequest
from uploads.requests import links
from uploads.requests import services as request_services

SWAPPED = ["blob_name", "wrapped_key", "fields_sealed"]


@pytest.fixture
def two_shops_documents(shop, other_shop, passport_jpeg):  # type: ignore[no-untyped-def]
    documents = []
    for owner, number in [(shop, "A-1"), (other_shop, "B-1")]:
        link = request_services.order_create(shop_id=owner.pk, number=number, customer_name="X")
        submit_and_confirm(link.upload_request, passport_jpeg)
        documents.append(PassportDocument.objects.get(upload_request=link.upload_request))
    return documents


def _swap(first: PassportDocument, second: PassportDocument, columns: list[str]) -> None:
    values = {
        document.pk: {name: getattr(document, name) for name in columns}
        for document in (first, second)
    }
    PassportDocument.objects.filter(pk=first.pk).update(**values[second.pk])
    PassportDocument.objects.filter(pk=second.pk).update(**values[first.pk])
    first.refresh_from_db()
    second.refresh_from_db()


@pytest.mark.parametrize(
    "columns", [SWAPPED, ["wrapped_key"], ["fields_sealed"], ["blob_name", "wrapped_key"]]
)
def test_it_refuses_ciphertext_swapped_between_two_shops(two_shops_documents, columns):
    mine, theirs = two_shops_documents
    _swap(mine, theirs, columns)

    for document in (mine, theirs):
        with pytest.raises(crypto.DecryptionError):
            document_selectors.document_fields(document=document)
        if "wrapped_key" in columns or "blob_name" in columns:
            with pytest.raises(crypto.DecryptionError):
                key = document_selectors.document_key(document)
                storage.blob_read(key=key, name=document.blob_name)


def test_it_refuses_a_document_row_moved_to_another_shops_request(two_shops_documents):
    mine, theirs = two_shops_documents
    PassportDocument.objects.filter(pk=theirs.pk).update(upload_request=mine.upload_request)
    theirs.refresh_from_db()
    with pytest.raises(crypto.DecryptionError):
        document_selectors.document_fields(document=theirs)


def test_it_refuses_a_link_token_copied_to_another_request(shop, other_shop):
    first = request_services.order_create(shop_id=shop.pk, number="T-1", customer_name="X")
    second = request_services.order_create(shop_id=other_shop.pk, number="T-2", customer_name="Y")
    UploadRequest.objects.filter(pk=second.upload_request.pk).update(
        token_sealed=first.upload_request.token_sealed
    )
    second.upload_request.refresh_from_db()
    with pytest.raises(crypto.DecryptionError):
        links.upload_link_current(upload_request=second.upload_request)
    assert links.upload_link_current(upload_request=first.upload_request).token == first.token


def test_the_seller_sees_a_refusal_not_the_other_shops_passport(client, alice, two_shops_documents):
    from tests.conftest import login

    mine, theirs = two_shops_documents
    _swap(mine, theirs, SWAPPED)
    login(client, alice)

    page = client.get(f"/admin/uploads/uploadrequest/{mine.upload_request_id}/change/")
    image = client.get(f"/admin/uploads/uploadrequest/{mine.upload_request_id}/image/")

    assert page.status_code == 200
    assert "ERIKSSON" not in page.content.decode()
    assert "This passport can no longer be opened" in page.content.decode()
    assert image.status_code == 503
    assert not image.content.startswith(b"\xff\xd8")


def _legacy_rows(document: PassportDocument) -> None:
    """Turn a document and its request's token into what an older version sealed: a constant
    authenticated data."""
    key = document_selectors.document_key(document)
    fields = document_selectors.document_fields(document=document)
    nonce = os.urandom(12)
    wrapped = (
        crypto._fingerprint(TEST_MASTER_KEY)
        + nonce
        + AESGCM(TEST_MASTER_KEY).encrypt(nonce, key.plaintext, b"passport-portal data key v1")
    )
    nonce = os.urandom(12)
    sealed_fields = nonce + AESGCM(key.plaintext).encrypt(
        nonce, json.dumps(fields).encode(), b"passport fields v1"
    )
    PassportDocument.objects.filter(pk=document.pk).update(
        wrapped_key=wrapped, fields_sealed=sealed_fields
    )
    token = links.upload_link_current(upload_request=document.upload_request).token
    token_key = os.urandom(32)
    nonce = os.urandom(12)
    value = nonce + AESGCM(token_key).encrypt(nonce, token.encode(), b"upload link token v1")
    nonce = os.urandom(12)
    token_wrapped = (
        crypto._fingerprint(TEST_MASTER_KEY)
        + nonce
        + AESGCM(TEST_MASTER_KEY).encrypt(nonce, token_key, b"passport-portal data key v1")
    )
    UploadRequest.objects.filter(pk=document.upload_request_id).update(
        token_sealed=len(token_wrapped).to_bytes(2, "big") + token_wrapped + value
    )


def test_the_upgrade_migration_reseals_rows_sealed_before_the_binding(uploaded_request):
    document = document_selectors.document_current(upload_request=uploaded_request)
    fields = document_selectors.document_fields(document=document)
    token = links.upload_link_current(upload_request=uploaded_request).token
    _legacy_rows(document)
    document.refresh_from_db()
    uploaded_request.refresh_from_db()
    # Refused by every ordinary read until re-sealed...
    with pytest.raises(crypto.UnboundCiphertext):
        document_selectors.document_fields(document=document)
    with pytest.raises(crypto.UnboundCiphertext):
        links.upload_link_current(upload_request=uploaded_request)

    migration = importlib.import_module("uploads.migrations.0013_master_keys_bound_ciphertext")
    migration.bind_ciphertext(apps, None)

    # ...then bound, and opening as before.
    document.refresh_from_db()
    uploaded_request.refresh_from_db()
    assert crypto.is_bound(bytes(document.wrapped_key))
    assert document_selectors.document_fields(document=document) == fields
    assert links.upload_link_current(upload_request=uploaded_request).token == token
    key = document_selectors.document_key(document)
    assert storage.blob_read(key=key, name=document.blob_name).startswith(b"\xff\xd8")
