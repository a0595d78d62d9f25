"""The transfer register (152-FZ art. 12): hand-overs to carriers and customs files, looks and
exports by staff abroad, never a value; a shop that refuses staff abroad until its notice is sent."""

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import translation
from openpyxl import load_workbook

from tests.admin.test_customs import export, mapping, ready_request
from tests.carriers.fixtures import cdek, cdek_account, make_ready
from tests.carriers.test_sending import send_now
from tests.conftest import login
from tests.typed import type_and_confirm
from uploads.core.passport_fields import PASSPORT_FIELDS
from uploads.customs.services import decisions as customs_decisions
from uploads.models import (
    AppendOnlyError,
    AuditEvent,
    CarrierMapping,
    StaffProfile,
    TransferRecord,
    UploadRequest,
)
from uploads.papers import transfers

__all__ = ["cdek", "cdek_account", "mapping", "ready_request"]  # fixtures used here

Kind = TransferRecord.Kind
CHANGELIST = "/admin/uploads/uploadrequest/"
REGISTER = "/admin/uploads/transferrecord/"

# Values of the ERIKSSON specimen and of the carrier tests' passport: none may reach the register.
VALUES = ("ERIKSSON", "ANNA", "L898902C3", "1974-08-12", "ИВАНОВ", "123456", "500100732259")


def declare(user: User, country: str) -> User:
    StaffProfile.objects.update_or_create(user=user, defaults={"country": country})
    return User.objects.get(pk=user.pk)  # a fresh object: the profile is not cached on it


def register_text() -> str:
    return repr(
        list(
            TransferRecord.objects.values(
                "kind", "recipient", "country", "categories", "order_number"
            )
        )
    )


def assert_no_values(text: str) -> None:
    for value in VALUES:
        assert value not in text


def image(client, upload_request: UploadRequest, **params):  # type: ignore[no-untyped-def]
    return client.get(f"{CHANGELIST}{upload_request.pk}/image/", params)


def test_a_look_from_abroad_is_registered_with_the_country_and_categories(
    client, alice, uploaded_request
):
    login(client, declare(alice, "CN"))
    assert image(client, uploaded_request).status_code == 200
    assert client.get(f"{CHANGELIST}{uploaded_request.pk}/change/").status_code == 200

    records = list(TransferRecord.objects.order_by("pk"))
    assert [(record.kind, record.country) for record in records] == [
        (Kind.STAFF_VIEW, "CN"),
        (Kind.STAFF_VIEW, "CN"),
    ]
    assert records[0].categories == [transfers.IMAGE]
    assert records[1].categories == list(PASSPORT_FIELDS)
    for record in records:
        assert record.shop_id == uploaded_request.order.shop_id
        assert record.order_number == "A-100"
        assert record.actor_id == alice.pk
        assert record.audit_event.action in (
            AuditEvent.Action.VIEW_IMAGE,
            AuditEvent.Action.VIEW_FIELDS,
        )
        assert record.at == record.audit_event.at
    assert_no_values(register_text())


def test_a_look_from_russia_is_no_transfer_and_an_undeclared_country_is(
    client, alice, charlie, uploaded_request
):
    login(client, declare(alice, "RU"))
    assert image(client, uploaded_request).status_code == 200
    assert not TransferRecord.objects.exists()

    StaffProfile.objects.filter(user=alice).delete()
    login(client, User.objects.get(pk=alice.pk))
    assert image(client, uploaded_request, download="1").status_code == 200
    record = TransferRecord.objects.get()
    assert (record.kind, record.country, record.categories) == (
        Kind.STAFF_VIEW,
        "",
        [transfers.IMAGE],
    )


def test_an_export_from_abroad_is_registered(client, alice, uploaded_request):
    login(client, declare(alice, "KZ"))
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [uploaded_request.pk]}
    )
    assert response.status_code == 200
    assert "ERIKSSON" in response.content.decode()  # the file itself has the values...
    record = TransferRecord.objects.get()
    assert (record.kind, record.country) == (Kind.STAFF_EXPORT, "KZ")
    assert_no_values(register_text())  # ...the register does not


def test_a_customs_file_is_a_hand_over_with_its_recipient(client, alice, ready_request, mapping):
    login(client, declare(alice, "RU"))
    response = export(client, [ready_request], mapping.pk, "csv")
    assert response.status_code == 200
    record = TransferRecord.objects.get()
    assert record.kind == Kind.CUSTOMS_EXPORT
    assert record.recipient == "CDEK"
    assert record.country == "RU"
    assert record.categories == ["full_name", "number", "date_of_birth", "inn", "order_number"]
    assert_no_values(register_text())


def test_a_customs_file_carries_the_mappings_country_not_the_staffs(
    client, alice, ready_request, mapping
):
    mapping.country = "KZ"
    mapping.save()
    login(client, declare(alice, "RU"))
    assert export(client, [ready_request], mapping.pk, "csv").status_code == 200
    record = TransferRecord.objects.get()
    assert (record.kind, record.recipient, record.country) == (Kind.CUSTOMS_EXPORT, "CDEK", "KZ")


def test_a_customs_file_exported_from_abroad_is_two_rows_of_one_event(
    client, alice, ready_request, mapping
):
    login(client, declare(alice, "CN"))
    assert export(client, [ready_request], mapping.pk, "csv").status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    rows = {record.kind: record for record in TransferRecord.objects.all()}
    assert set(rows) == {Kind.CUSTOMS_EXPORT, Kind.STAFF_EXPORT}
    assert (rows[Kind.CUSTOMS_EXPORT].recipient, rows[Kind.CUSTOMS_EXPORT].country) == (
        "CDEK",
        "RU",
    )
    assert (rows[Kind.STAFF_EXPORT].recipient, rows[Kind.STAFF_EXPORT].country) == ("", "CN")
    assert rows[Kind.STAFF_EXPORT].categories == rows[Kind.CUSTOMS_EXPORT].categories
    for record in rows.values():
        assert record.audit_event_id == event.pk
        assert record.actor_id == alice.pk and record.order_number == "A-100"
    assert_no_values(register_text())


def test_a_customs_export_through_a_mapping_without_country_makes_no_file(
    client, alice, ready_request, mapping
):
    CarrierMapping.objects.filter(pk=mapping.pk).update(country="")
    login(client, declare(alice, "RU"))
    response = export(client, [ready_request], mapping.pk, "csv")
    assert response.status_code == 302  # back to the list, with the reason, no file
    follow = client.get(CHANGELIST)
    assert any(
        "“CDEK” has no recipient's country" in str(message)
        for message in follow.context["messages"]
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    assert not TransferRecord.objects.exists()


@pytest.mark.usefixtures("cdek_account")
def test_a_carrier_send_is_a_hand_over_to_cdek_in_russia(
    alice, upload_request, django_capture_on_commit_callbacks, cdek
):
    make_ready(upload_request)
    cdek.add_order("A-100")
    send_now(upload_request, alice, django_capture_on_commit_callbacks)

    record = TransferRecord.objects.get()
    assert (record.kind, record.recipient, record.country) == (Kind.CARRIER_SEND, "CDEK", "RU")
    assert "passport_number" in record.categories
    assert record.audit_event.action == AuditEvent.Action.CARRIER_SEND
    assert_no_values(register_text())


def test_the_register_is_append_only(client, alice, uploaded_request):
    login(client, declare(alice, "CN"))
    image(client, uploaded_request)
    record = TransferRecord.objects.get()
    record.country = "RU"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        TransferRecord.objects.all().delete()


# --- the refusal of staff abroad ------------------------------------------------------------------


@pytest.fixture
def refusing_shop(shop):
    shop.refuse_staff_abroad = True
    shop.save(update_fields=["refuse_staff_abroad"])
    return shop


@pytest.mark.usefixtures("refusing_shop")
def test_staff_abroad_are_refused_passports_until_the_notice_date(client, alice, uploaded_request):
    login(client, declare(alice, "CN"))
    response = image(client, uploaded_request)
    assert response.status_code == 403
    text = response.content.decode()
    assert "cross-border transfer" in text and "CN" in text
    assert "no-store" in response["Cache-Control"]

    page = client.get(f"{CHANGELIST}{uploaded_request.pk}/change/")
    assert page.status_code == 200
    assert "ERIKSSON" not in page.content.decode()
    assert "cross-border transfer" in page.content.decode()
    assert "/image/" not in page.content.decode()

    listed = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [uploaded_request.pk]}, follow=True
    )
    assert "ERIKSSON" not in listed.content.decode()
    assert any("cross-border transfer" in str(m) for m in listed.context["messages"])
    assert not AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.VIEW_IMAGE, AuditEvent.Action.VIEW_FIELDS, "export"]
    ).exists()
    assert not TransferRecord.objects.exists()

    shop = uploaded_request.order.shop
    shop.transfer_notice_date = date(2026, 1, 15)
    shop.save(update_fields=["transfer_notice_date"])
    assert image(client, uploaded_request).status_code == 200
    assert TransferRecord.objects.get().country == "CN"


@pytest.mark.usefixtures("refusing_shop")
def test_undeclared_staff_are_refused_and_told_to_declare(client, alice, uploaded_request):
    login(client, alice)
    response = image(client, uploaded_request)
    assert response.status_code == 403
    assert "have not declared" in response.content.decode()


@pytest.mark.usefixtures("refusing_shop")
def test_staff_in_russia_are_not_refused(client, alice, uploaded_request):
    login(client, declare(alice, "RU"))
    assert image(client, uploaded_request).status_code == 200


@pytest.mark.usefixtures("refusing_shop")
def test_the_customs_export_refuses_staff_abroad_with_a_message(
    client, alice, ready_request, mapping
):
    login(client, declare(alice, "CN"))
    response = export(client, [ready_request], mapping.pk, "csv")
    assert response.status_code == 302  # back to the list, with the reason
    follow = client.get(CHANGELIST)
    assert any("cross-border transfer" in str(m) for m in follow.context["messages"])
    with pytest.raises(customs_decisions.ServiceError):
        customs_decisions.customs_export(
            upload_requests=UploadRequest.objects.filter(pk=ready_request.pk),
            mapping=mapping,
            file_format="csv",
            actor=alice,
        )
    assert not TransferRecord.objects.exists()


def test_the_refusal_message_is_translated(alice, refusing_shop):
    with translation.override("ru"):
        message = transfers.staff_access_refusal(user=declare(alice, "CN"), shops=[refusing_shop])
    assert message is not None and "Роскомнадзор" in message


# --- the register in admin ------------------------------------------------------------------------


def may_read_register(user: User) -> User:
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="uploads", codename="view_transferrecord")
    )
    return User.objects.get(pk=user.pk)


def test_the_register_lists_a_shops_rows_to_its_staff_only(client, alice, bob, uploaded_request):
    login(client, declare(alice, "CN"))
    image(client, uploaded_request)

    login(client, may_read_register(alice))
    page = client.get(REGISTER)
    assert page.status_code == 200
    text = page.content.decode()
    assert "A-100" in text and "CN" in text and "alice" in text
    assert_no_values(text)

    login(client, may_read_register(bob))
    page = client.get(REGISTER)
    assert page.status_code == 200
    assert "A-100" not in page.content.decode()


def test_the_register_downloads_as_csv_and_xlsx_without_values(client, alice, uploaded_request):
    login(client, declare(alice, "CN"))
    image(client, uploaded_request)
    client.get(f"{CHANGELIST}{uploaded_request.pk}/change/")
    login(client, may_read_register(alice))
    selected = list(TransferRecord.objects.values_list("pk", flat=True))

    response = client.post(REGISTER, {"action": "download_csv", "_selected_action": selected})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode()[1:])))
    assert rows[0][:5] == ["Date and time", "Shop", "Kind", "Recipient", "Country"]
    assert len(rows) == 3
    assert rows[1][4] == "CN" and rows[1][5] == "passport image"
    assert "Surname" in rows[2][5]
    assert_no_values(response.content.decode())

    response = client.post(REGISTER, {"action": "download_xlsx", "_selected_action": selected})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row]
    assert "A-100" in cells
    assert_no_values(" ".join(cells))


def test_only_superusers_set_staff_countries(client, alice):
    login(client, alice)
    assert client.get("/admin/uploads/staffprofile/").status_code == 403
    admin = User.objects.create_superuser("root", "root@example.com", "password")
    login(client, admin)
    response = client.post(
        "/admin/uploads/staffprofile/add/", {"user": alice.pk, "country": "CN"}, follow=True
    )
    assert response.status_code == 200
    assert StaffProfile.objects.get(user=alice).country == "CN"
    for code in ("cn", "XX"):
        refused = client.post(
            "/admin/uploads/staffprofile/add/", {"user": admin.pk, "country": code}
        )
        assert refused.status_code == 200  # the form again, with the error
        assert "country" in refused.context["adminform"].form.errors
    assert not StaffProfile.objects.filter(user=admin).exists()
    # Any ISO 3166 country, not only the portal's short list.
    client.post("/admin/uploads/staffprofile/add/", {"user": admin.pk, "country": "PL"})
    assert StaffProfile.objects.get(user=admin).country == "PL"


def test_a_typed_passport_looked_at_from_abroad_is_registered_as_details_only(
    client, alice, upload_request
):
    type_and_confirm(upload_request)
    login(client, declare(alice, "CN"))
    # There is no image to look at: no look, no register row for one.
    assert image(client, upload_request).status_code == 404
    page = client.get(f"{CHANGELIST}{upload_request.pk}/change/")
    assert page.status_code == 200
    assert "ERIKSSON" in page.content.decode()

    record = TransferRecord.objects.get()
    assert (record.kind, record.country) == (Kind.STAFF_VIEW, "CN")
    assert record.categories == list(PASSPORT_FIELDS)
    assert transfers.IMAGE not in record.categories
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_IMAGE).exists()
    assert_no_values(register_text())


def test_the_staff_country_filter_lists_the_countries_declared(client, alice):
    declare(alice, "CN")
    login(client, User.objects.create_superuser("root", "root@example.com", "password"))
    page = client.get("/admin/uploads/staffprofile/").content.decode()
    assert "country=CN" in page
    assert "country=PL" not in page  # not every country of the field's choices
