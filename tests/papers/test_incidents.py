"""The incident register: append-only, superusers only, the 24 h and 72 h deadlines counting down."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User

from tests.conftest import MOSCOW, login
from uploads.models import AppendOnlyError, Incident, IncidentEntry
from uploads.papers import incidents
from uploads.papers import services as papers

pytestmark = pytest.mark.usefixtures("clock")

FOUND = datetime(2026, 11, 2, 8, 0, tzinfo=MOSCOW)


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root", password="password")


@pytest.fixture
def incident(root, shop) -> Incident:
    return papers.incident_record(
        found_at=FOUND,
        summary="A staff laptop with an exported customs file was stolen.",
        presumed_causes="The file was saved unencrypted.",
        data_categories="passport fields",
        subjects_count=42,
        contact="Li Wei, DPO, +86 000",
        recorded_by=root,
        shops=[shop],
    )


def test_it_counts_down_to_each_deadline(incident):
    notice, results = incidents.incident_deadlines(
        incident=incident, now=FOUND + timedelta(hours=20)
    )
    assert notice.left == timedelta(hours=4)
    assert not notice.overdue
    assert results.left == timedelta(hours=52)

    notice, results = incidents.incident_deadlines(
        incident=incident, now=FOUND + timedelta(hours=25)
    )
    assert notice.overdue
    assert not results.overdue


def test_it_marks_a_deadline_met_or_late(incident, root):
    papers.incident_entry_add(
        incident=incident,
        kind=IncidentEntry.Kind.NOTICE_SENT,
        text="Sent through the Roskomnadzor portal.",
        recorded_by=root,
        at=FOUND + timedelta(hours=10),
    )
    papers.incident_entry_add(
        incident=incident,
        kind=IncidentEntry.Kind.RESULTS_SENT,
        text="",
        recorded_by=root,
        at=FOUND + timedelta(hours=80),
    )
    notice, results = incidents.incident_deadlines(incident=incident, now=FOUND + timedelta(days=5))
    assert notice.done_at and not notice.late and not notice.overdue
    assert results.late and not results.overdue


def test_it_never_edits_or_deletes_an_incident(incident):
    incident.summary = "Nothing happened."
    with pytest.raises(AppendOnlyError):
        incident.save()
    with pytest.raises(AppendOnlyError):
        Incident.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Incident.objects.update(subjects_count=0)


def test_it_writes_the_notice_fields_ready_to_copy(incident, shop):
    text = incidents.incident_notice_text(incident=incident)
    for value in (
        shop.operator_name,
        shop.operator_rkn_number,
        "02.11.2026 08:00",
        "A staff laptop with an exported customs file was stolen.",
        "The file was saved unencrypted.",
        "Количество субъектов: 42",
        "Li Wei, DPO, +86 000",
    ):
        assert value in text


# --- the admin -------------------------------------------------------------------------------


def test_it_is_for_superusers_only(client, alice, incident):
    login(client, alice)
    assert client.get("/admin/uploads/incident/").status_code == 403
    assert client.get(f"/admin/uploads/incident/{incident.pk}/change/").status_code == 403
    assert "incident" not in client.get("/admin/").content.decode().lower()


def test_it_records_an_incident_in_admin(client, root, shop):
    login(client, root)
    response = client.post(
        "/admin/uploads/incident/add/",
        {
            "found_at_0": "2026-11-02",
            "found_at_1": "09:00:00",
            "summary": "Backups readable by a contractor.",
            "presumed_causes": "",
            "presumed_harm": "",
            "data_categories": "passport images",
            "subjects_count": "10",
            "measures": "Access revoked.",
            "contact": "DPO",
            "shops": [shop.pk],
            "entries-TOTAL_FORMS": "1",
            "entries-INITIAL_FORMS": "0",
            "entries-MIN_NUM_FORMS": "0",
            "entries-MAX_NUM_FORMS": "1000",
            "entries-0-at_0": "2026-11-02",
            "entries-0-at_1": "10:00:00",
            "entries-0-kind": "measure",
            "entries-0-text": "Contractor's account disabled.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert incident.recorded_by == root
    assert list(incident.shops.all()) == [shop]
    entry = incident.entries.get()
    assert (entry.kind, entry.recorded_by) == ("measure", root)


def test_it_shows_deadlines_and_the_notice_and_takes_only_new_entries(client, root, incident):
    login(client, root)
    page = client.get(f"/admin/uploads/incident/{incident.pk}/change/").content.decode()
    assert "hours left" in page
    assert "Количество субъектов: 42" in page
    response = client.post(
        f"/admin/uploads/incident/{incident.pk}/change/",
        {
            "summary": "Rewritten history.",
            "entries-TOTAL_FORMS": "1",
            "entries-INITIAL_FORMS": "0",
            "entries-MIN_NUM_FORMS": "0",
            "entries-MAX_NUM_FORMS": "1000",
            "entries-0-at_0": "2026-11-02",
            "entries-0-at_1": "12:00:00",
            "entries-0-kind": "notice_sent",
            "entries-0-text": "Notice No. 1 sent.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident.refresh_from_db()
    assert incident.summary.startswith("A staff laptop")
    assert incident.entries.get().kind == "notice_sent"
    page = client.get("/admin/uploads/incident/").content.decode()
    assert "sent 2026-11-02 12:00" in page
