from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from tests.conftest import MOSCOW, submit_and_confirm
from uploads.messaging.services import notifications
from uploads.models import ContactLogEntry, UploadRequest
from uploads.requests import services as request_services

Kind = ContactLogEntry.Kind
Outcome = ContactLogEntry.Outcome
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=MOSCOW)
# Every scenario runs whole on the clock fixture: it starts ten days before NOON and only moves on.
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def clock_start() -> datetime:
    return NOON - timedelta(days=10)


def new_request(shop, number, **kwargs):
    return request_services.order_create(
        shop_id=shop.pk,
        number=number,
        customer_name="Customer",
        email=f"{number.lower()}@example.com",
        send_invitation=False,
        **kwargs,
    ).upload_request


def command(clock: time_machine.Traveller, name: str, moment: datetime) -> str:
    """Moves the scenario's clock on to `moment` (it stays there) and runs the command."""
    move_on(clock, moment)
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def move_on(clock: time_machine.Traveller, moment: datetime) -> None:
    now = datetime.now(UTC)
    assert moment >= now, f"a scenario's clock only goes forward: {moment} is before {now}"
    clock.move_to(moment)


def test_it_notifies_the_shop_at_once_and_logs_it(upload_request, passport_jpeg):
    submit_and_confirm(upload_request, passport_jpeg)
    [message] = mail.outbox
    assert message.to == ["alice-shop@example.com"]
    assert "A-100" in message.subject
    [entry] = ContactLogEntry.objects.filter(kind=Kind.UPLOAD_NOTIFICATION)
    assert entry.outcome == Outcome.SENT


def test_it_collects_uploads_into_an_hourly_digest(clock, shop, passport_jpeg):
    shop.upload_notifications = "hourly"
    shop.notification_language = "en"
    shop.save()
    first, second = new_request(shop, "D-1"), new_request(shop, "D-2")
    submit_and_confirm(first, passport_jpeg)
    submit_and_confirm(second, passport_jpeg)
    assert mail.outbox == []
    assert "1 digest(s) sent" in command(clock, "send_upload_digests", NOON)
    assert "0 digest(s) sent" in command(clock, "send_upload_digests", NOON + timedelta(minutes=1))
    [message] = mail.outbox
    assert message.to == ["alice-shop@example.com"]
    assert message.subject == "Alice's Goods: 2 passports uploaded"
    assert f"D-1: http://testserver/admin/uploads/uploadrequest/{first.pk}/change/" in message.body
    assert f"/admin/uploads/uploadrequest/{second.pk}/change/" in message.alternatives[0][0]
    assert set(ContactLogEntry.objects.values_list("kind", "outcome")) == {
        (Kind.UPLOAD_NOTIFICATION, Outcome.SENT)
    }
    # A later upload waits for the next hour.
    submit_and_confirm(new_request(shop, "D-3"), passport_jpeg)
    command(clock, "send_upload_digests", NOON + timedelta(minutes=30))
    assert len(mail.outbox) == 1
    command(clock, "send_upload_digests", NOON + timedelta(minutes=58))  # cron a little early: fine
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Alice's Goods: 1 passport uploaded"


def test_it_sends_no_upload_email_when_the_shop_turned_them_off(clock, shop, passport_jpeg):
    shop.upload_notifications = "off"
    shop.save()
    submit_and_confirm(new_request(shop, "O-1"), passport_jpeg)
    command(clock, "send_upload_digests", NOON)
    assert mail.outbox == []


def test_it_sends_the_daily_summary_with_overdue_orders(clock, shop, other_shop, passport_jpeg):
    shop.summary_frequency = "daily"
    shop.notification_language = "ru"
    shop.save()
    late = new_request(shop, "S-1", deadline=date(2026, 11, 15))
    later = new_request(shop, "S-2", deadline=date(2026, 11, 18))
    new_request(shop, "S-3", deadline=date(2026, 12, 30))
    done = new_request(shop, "S-4", deadline=date(2026, 11, 1))
    new_request(other_shop, "X-1", deadline=date(2026, 11, 1))
    move_on(clock, NOON - timedelta(days=1))
    submit_and_confirm(done, passport_jpeg)
    mail.outbox.clear()
    other_shop.summary_frequency = "off"
    other_shop.save()
    assert "1 summar" in command(clock, "send_summaries", NOON)
    command(clock, "send_summaries", NOON + timedelta(hours=5))
    [message] = mail.outbox
    assert message.to == ["alice-shop@example.com"]
    assert "Alice's Goods" in message.subject
    body = message.body
    assert "Ожидает загрузки: 3" in body
    assert "Просрочен: 2" in body or "Просрочено: 2" in body
    assert body.index("S-1 (") < body.index("S-2 (")
    assert f"http://testserver/admin/uploads/uploadrequest/{late.pk}/change/" in body
    assert f"/admin/uploads/uploadrequest/{later.pk}/change/" in message.alternatives[0][0]
    assert "X-1" not in body and "S-3" not in body
    command(clock, "send_summaries", NOON + timedelta(days=1))
    assert len(mail.outbox) == 2


def test_it_sends_the_weekly_summary_once_a_week(clock, shop):
    assert shop.summary_frequency == "weekly"
    command(clock, "send_summaries", NOON)
    command(clock, "send_summaries", NOON + timedelta(days=6))
    assert len(mail.outbox) == 1
    command(clock, "send_summaries", NOON + timedelta(days=7))
    assert len(mail.outbox) == 2


def test_it_gives_the_summary_period_back_when_sending_fails(shop, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    assert notifications.summaries_send(now=NOON) == 0
    shop.refresh_from_db()
    assert shop.summary_sent_at is None
    assert UploadRequest.objects.count() == 0
