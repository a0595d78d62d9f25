"""``manage.py resume_readings`` (cron): readings whose worker died go back to the queue."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from tests.conftest import consent_document_id
from uploads.documents import services as document_services
from uploads.models import PassportDocument

pytestmark = pytest.mark.usefixtures("clock")


def test_it_reads_again_what_a_dead_worker_left(upload_request, passport_jpeg, settings, clock):
    settings.MRZ_READING_RETRY_AFTER_S = 20
    document = document_services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_document_id=consent_document_id(upload_request, "ru"),
    )
    # Claimed by a worker, which then died: nothing but the claim is left.
    PassportDocument.objects.filter(pk=document.pk).update(
        mrz_attempts=1, mrz_started_at=document.created_at
    )
    out = io.StringIO()
    call_command("resume_readings", stdout=out)
    assert out.getvalue() == "0 reading(s) queued again\n"

    clock.shift(timedelta(seconds=21))
    call_command("resume_readings", stdout=out)

    assert "1 reading(s) queued again" in out.getvalue()
    document.refresh_from_db()
    assert (document.mrz_status, document.mrz_attempts) == ("found", 2)
