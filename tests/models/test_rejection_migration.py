"""Migration 0011: a reason typed before reasons were codes stays readable, as "other" + note."""

import importlib

from django.apps import apps

from uploads.models import UploadRequest

migration = importlib.import_module("uploads.migrations.0018_rejection_reasons_and_labels")


def test_it_keeps_an_old_free_text_reason_as_the_note_under_other(uploaded_request, upload_request):
    UploadRequest.objects.filter(pk=uploaded_request.pk).update(
        status="rejected", rejection_code="", rejection_reason="Blurred, retake"
    )
    migration.reasons_typed_before_become_other(apps, None)
    uploaded_request.refresh_from_db()
    assert (uploaded_request.rejection_code, uploaded_request.rejection_reason) == (
        "other",
        "Blurred, retake",
    )


def test_it_leaves_requests_without_a_reason_alone(upload_request):
    migration.reasons_typed_before_become_other(apps, None)
    upload_request.refresh_from_db()
    assert upload_request.rejection_code == ""
