from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from uploads.models import UploadRequest


def test_it_expires_requests_whose_link_ran_out(upload_request):
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    out = StringIO()
    call_command("expire_requests", stdout=out)
    upload_request.refresh_from_db()
    assert upload_request.status == UploadRequest.Status.EXPIRED
    assert out.getvalue().startswith("1 ")
