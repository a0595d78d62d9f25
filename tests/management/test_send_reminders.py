import smtplib
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command

from tests.conftest import MOSCOW, submit_and_confirm
from uploads.messaging.services import contacts, reminders, sending
from uploads.models import BouncedAddress, ContactLogEntry, UploadRequest
from uploads.requests import links
from uploads.requests import services as request_services

Kind = ContactLogEntry.Kind
Outcome = ContactLogEntry.Outcome
START = datetime(2026, 11, 2, 10, 0, tzinfo=MOSCOW)
# Every scenario here runs whole on the clock fixture, standing at START until a run moves it on.
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def clock_start() -> datetime:
    return START


def move_on(clock: time_machine.Traveller, moment: datetime) -> None:
    now = datetime.now(UTC)
    assert moment >= now, f"a scenario's clock only goes forward: {moment} is before {now}"
    clock.move_to(moment)


def order(shop, number="R-1", *, email="olga@example.com", language="ru", deadline=None):
    return request_services.order_create(
        shop_id=shop.pk,
        number=number,
        customer_name="Olga Petrova",
        email=email,
        language=language,
        deadline=deadline,
        send_invitation=False,
    ).upload_request


def run_at(clock: time_machine.Traveller, moment: datetime, *args: str) -> str:
    """Moves the scenario's clock on to `moment` (it stays there) and runs send_reminders."""
    move_on(clock, moment)
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def steps_sent(upload_request) -> list[str]:
    return list(
        ContactLogEntry.objects.filter(upload_request=upload_request, kind=Kind.REMINDER)
        .order_by("at", "pk")
        .values_list("step", flat=True)
    )


def test_it_follows_the_default_schedule_and_sends_each_step_once(clock, shop):
    upload_request = order(shop)
    assert "0 reminder(s) claimed" in run_at(clock, START + timedelta(hours=23))
    assert mail.outbox == []
    run_at(clock, START + timedelta(days=1, minutes=1))
    run_at(clock, START + timedelta(days=1, minutes=30))  # a second cron run: nothing new is due
    assert steps_sent(upload_request) == ["day-1"]
    run_at(clock, START + timedelta(days=3, minutes=1))
    run_at(clock, START + timedelta(days=7, minutes=1))
    run_at(clock, START + timedelta(days=12))
    assert steps_sent(upload_request) == ["day-1", "day-3", "day-7"]
    assert len(mail.outbox) == 3
    upload_request.refresh_from_db()
    assert upload_request.reminder_count == 3
    message = mail.outbox[0]
    link = links.upload_link_current(upload_request=upload_request)
    assert message.to == ["olga@example.com"]
    assert message.subject == "Напоминание: для заказа R-1 нужен паспорт"
    assert link.url in message.body
    assert link.url in message.alternatives[0][0]
    assert '<html lang="ru">' in message.alternatives[0][0]


def test_it_sends_a_last_reminder_a_day_before_the_deadline(clock, shop):
    upload_request = order(shop, deadline=date(2026, 11, 12), language="en")
    run_at(clock, START + timedelta(days=7, minutes=1))  # the 9th: the 7-day step
    run_at(clock, datetime(2026, 11, 10, 23, 59, tzinfo=MOSCOW))
    assert steps_sent(upload_request) == ["day-7"]
    run_at(clock, datetime(2026, 11, 11, 0, 1, tzinfo=MOSCOW))
    assert steps_sent(upload_request) == ["day-7", "deadline"]
    assert "Needed by: Nov. 12, 2026" in mail.outbox[-1].body


def test_it_sends_only_the_latest_due_step_after_a_pause(clock, shop):
    upload_request = order(shop)
    run_at(clock, START + timedelta(days=8))
    assert steps_sent(upload_request) == ["day-7"]
    assert len(mail.outbox) == 1


def test_it_follows_the_shops_own_schedule(clock, shop):
    shop.reminder_days = "2"
    shop.reminder_hours_before_deadline = 0
    shop.save()
    upload_request = order(shop, deadline=date(2026, 11, 5))
    run_at(clock, START + timedelta(days=1, hours=1))
    run_at(clock, datetime(2026, 11, 4, 12, 0, tzinfo=MOSCOW))
    assert steps_sent(upload_request) == ["day-2"]


def test_it_stops_on_upload_expiry_or_rejection_of_the_link(clock, shop, passport_jpeg):
    uploaded = order(shop, "R-1")
    expired = order(shop, "R-2")
    waiting = order(shop, "R-3")
    submit_and_confirm(uploaded, passport_jpeg)
    mail.outbox.clear()  # the shop's notification
    UploadRequest.objects.filter(pk=expired.pk).update(expires_at=START + timedelta(hours=20))
    run_at(clock, START + timedelta(days=1, minutes=1))
    assert [message.to for message in mail.outbox] == [["olga@example.com"]]
    assert "R-3" in mail.outbox[0].subject
    assert steps_sent(uploaded) == steps_sent(expired) == []
    assert steps_sent(waiting) == ["day-1"]


def test_it_dry_run_lists_and_sends_nothing(clock, shop):
    order(shop, "R-1")
    order(shop, "R-2")
    output = run_at(clock, START + timedelta(days=1, minutes=1), "--dry-run")
    assert "would send day-1 to order R-1 (Alice's Goods)" in output
    assert "would send day-1 to order R-2 (Alice's Goods)" in output
    assert "2 reminder(s) due" in output
    assert mail.outbox == []
    assert not ContactLogEntry.objects.exists()


def test_it_sends_each_reminder_once_when_two_runs_overlap(clock, shop, monkeypatch):
    requests = [order(shop, f"R-{index}") for index in range(5)]
    original_claim = contacts.new_claim
    other_runs: list[reminders.ReminderRun] = []

    def another_run_claims_first() -> str:
        # Run B has read which steps were taken and is about to insert its claims: run A runs
        # whole in between, as a second cron process would.
        if not other_runs:
            other_runs.append(reminders.ReminderRun())
            other_runs[0] = reminders.reminders_send_due(now=moment)
        return original_claim()

    moment = START + timedelta(days=1, minutes=1)
    monkeypatch.setattr(contacts, "new_claim", another_run_claims_first)
    move_on(clock, moment)
    run_b = reminders.reminders_send_due(now=moment)
    assert other_runs[0].claimed == 5
    assert (run_b.claimed, run_b.taken_by_another_run) == (0, 5)
    assert len(mail.outbox) == 5
    assert all(steps_sent(each) == ["day-1"] for each in requests)


def test_it_shows_progress_and_a_summary(clock, shop):
    for index in range(5):
        order(shop, f"R-{index}")
    out, err = StringIO(), StringIO()
    move_on(clock, START + timedelta(days=1, minutes=1))
    call_command("send_reminders", "--batch-size", "2", stdout=out, stderr=err)
    assert "examined 5/5 requests" in err.getvalue()
    assert "5 waiting request(s) examined, 5 reminder(s) claimed (sent 5)" in out.getvalue()


class FlakyBackend(EmailBackend):
    """Refuses bounce@ addresses for good and drops the connection once for flaky@ ones."""

    failures: dict[str, int] = {}

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        for message in messages:
            to = message.to[0].lower()
            if to.startswith("bounce@"):
                raise smtplib.SMTPRecipientsRefused({to: (550, b"no such user")})
            if to.startswith("flaky@") and self.failures.get(to, 0) < 1:
                self.failures[to] = self.failures.get(to, 0) + 1
                raise smtplib.SMTPServerDisconnected("gone")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    FlakyBackend.failures = {}
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FlakyBackend"}}


def test_it_marks_a_refused_address_and_reminds_it_no_more(clock, shop, flaky_mail):
    bouncing = order(shop, "R-1", email="Bounce@example.com")
    fine = order(shop, "R-2")
    run_at(clock, START + timedelta(days=1, minutes=1))
    [entry] = ContactLogEntry.objects.filter(upload_request=bouncing)
    assert (entry.outcome, entry.error) == (Outcome.BOUNCED, "SMTPRecipientsRefused")
    assert BouncedAddress.objects.filter(email="bounce@example.com").exists()
    run_at(clock, START + timedelta(days=3, minutes=1))
    assert steps_sent(bouncing) == ["day-1"]
    assert steps_sent(fine) == ["day-1", "day-3"]


def test_it_retries_a_failed_email_with_back_off(clock, shop, flaky_mail):
    upload_request = order(shop, email="flaky@example.com")
    run_at(clock, START + timedelta(days=1, minutes=1))
    [entry] = ContactLogEntry.objects.filter(upload_request=upload_request)
    assert (entry.outcome, entry.attempts, entry.error) == (
        Outcome.FAILED,
        1,
        "SMTPServerDisconnected",
    )
    assert entry.next_attempt_at == START + timedelta(days=1, minutes=6)
    run_at(clock, START + timedelta(days=1, minutes=4))  # too early
    entry.refresh_from_db()
    assert entry.outcome == Outcome.FAILED
    assert "1 failed email(s) retried" in run_at(clock, START + timedelta(days=1, minutes=7))
    entry.refresh_from_db()
    assert (entry.outcome, entry.attempts, entry.error) == (Outcome.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_it_gives_up_after_the_last_retry(clock, shop, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    upload_request = order(shop)
    moment = START + timedelta(days=1, minutes=1)
    run_at(clock, moment)
    for _attempt in sending.RETRY_DELAYS:
        moment += timedelta(days=1)
        move_on(clock, moment)
        contacts.contact_emails_retry_due(now=moment)
    [entry] = ContactLogEntry.objects.filter(upload_request=upload_request, step="day-1")
    assert (entry.outcome, entry.attempts) == (Outcome.GAVE_UP, len(sending.RETRY_DELAYS) + 1)


def test_it_validates_the_shops_reminder_days(shop):
    from django.core.exceptions import ValidationError

    shop.reminder_days = "1, 3, x"
    with pytest.raises(ValidationError):
        shop.full_clean()
    shop.reminder_days = "2, 5"
    shop.full_clean()
    assert reminders.schedule_days(shop) == [2, 5]


# serialized_rollback: the e-mail templates come from a data migration, and a transactional test
# that ran before (a browser test) flushed every table when it ended.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_sends_each_reminder_once_from_two_concurrent_processes(clock, shop):
    """Two real runs at the same time, each on its own database connection (PostgreSQL only:
    SQLite's in-memory test database does not take concurrent writers)."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (make test-postgres)")
    import threading

    requests = [order(shop, f"C-{index}") for index in range(120)]
    moment = START + timedelta(days=1, minutes=1)
    results: list[reminders.ReminderRun] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(reminders.reminders_send_due(now=moment, batch_size=7))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.claimed for result in results) == 120
    assert len(mail.outbox) == 120
    assert sorted(message.to[0] for message in mail.outbox) == ["olga@example.com"] * 120
    assert all(steps_sent(each) == ["day-1"] for each in requests)


def test_it_keeps_the_deadline_reminder_last():
    invited_at = START
    step = reminders.step_due(
        invited_at=invited_at,
        deadline=date(2026, 11, 6),  # the deadline step is due on the 5th, before day 7
        days=[1, 3, 7],
        hours_before_deadline=24,
        now=datetime(2026, 11, 5, 23, 0, tzinfo=MOSCOW),
    )
    assert step == reminders.Step("deadline", datetime(2026, 11, 5, 0, 0, tzinfo=MOSCOW))
    assert (
        reminders.step_due(
            invited_at=invited_at,
            deadline=date(2026, 11, 6),
            days=[1, 3, 7],
            hours_before_deadline=24,
            now=datetime(2026, 11, 10, tzinfo=MOSCOW),
        ).name
        == "day-1"  # after the deadline: only steps before the last one, already sent by then
    )


def test_it_reports_claimed_emails_that_were_never_sent(clock, shop):
    upload_request = order(shop)
    ContactLogEntry.objects.create(
        upload_request=upload_request,
        channel="email",
        kind=Kind.REMINDER,
        step="day-1",
        outcome=Outcome.PENDING,
        claim="a-run-that-died",
        at=START + timedelta(days=1),
    )
    err = StringIO()
    move_on(clock, START + timedelta(days=1, hours=2))
    call_command("send_reminders", stdout=StringIO(), stderr=err)
    assert "1 email(s) claimed over an hour ago are still not sent" in err.getvalue()
    assert mail.outbox == []  # never sent twice: the step stays claimed
