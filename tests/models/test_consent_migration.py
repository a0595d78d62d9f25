"""Consents given before documents per shop survive the migration that adds them, unchanged."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("uploads", "0020_not_opened_passports")]
AFTER = [("uploads", "0021_consent_documents")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_existing_consent_keeps_its_text_and_time():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        shop = old.get_model("uploads", "Shop").objects.create(name="Old Shop")
        order = old.get_model("uploads", "Order").objects.create(
            shop=shop, number="OLD-1", customer_name="Anna"
        )
        upload_request = old.get_model("uploads", "UploadRequest").objects.create(
            order=order, token_hash="0" * 64, token_sealed=b"", expires_at=timezone.now()
        )
        text = old.get_model("uploads", "ConsentText").objects.get()
        given_at = timezone.now()
        consent = old.get_model("uploads", "Consent").objects.create(
            upload_request=upload_request, consent_text=text, language="kk", given_at=given_at
        )

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        kept = new.get_model("uploads", "Consent").objects.get(pk=consent.pk)
        assert kept.consent_text_id == text.pk
        assert kept.language == "kk" and kept.given_at == given_at
        assert kept.document_id is None and kept.client_ip is None and kept.user_agent == ""
        assert new.get_model("uploads", "Shop").objects.get(pk=shop.pk).consent_recipients == ""
    finally:
        MigrationExecutor(connection).migrate(latest)
