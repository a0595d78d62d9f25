from io import StringIO

from django.core.management import call_command

from tests.customs.test_readiness import upload
from uploads.models import CustomsRecord, CustomsSettings


def _refresh() -> str:
    out = StringIO()
    call_command("refresh_customs", stdout=out)
    return out.getvalue()


def test_it_rechecks_requests_after_the_shop_changes_its_settings(
    upload_request, passport_jpeg, shop
):
    upload(upload_request, passport_jpeg)
    assert CustomsRecord.objects.get(upload_request=upload_request).ready
    CustomsSettings.objects.create(shop=shop, require_issue_date=True)
    assert _refresh() == "1 request(s) checked, 0 ready for customs\n"
    assert CustomsRecord.objects.get(upload_request=upload_request).problems == ["issue_date"]


def test_it_creates_the_record_a_request_from_before_the_upgrade_lacks(uploaded_request):
    CustomsRecord.objects.all().delete()
    assert _refresh().startswith("1 request(s) checked")
    assert CustomsRecord.objects.filter(upload_request=uploaded_request).exists()
