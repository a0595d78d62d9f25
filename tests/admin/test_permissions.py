"""Separate rights (image, fields, export, decide, erase) and shops that never see each other."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.conftest import login
from uploads.models import AuditEvent, PassportDocument, UploadRequest

CHANGELIST = reverse("admin:uploads_uploadrequest_changelist")
Action = AuditEvent.Action
Status = UploadRequest.Status


def with_only(user: User, *codenames: str) -> User:
    """Leave the user the basic staff rights plus exactly these passport rights."""
    passport_rights = {
        "view_passport_image",
        "view_passport_fields",
        "export_passport",
        "purge_passport",
        "decide_uploadrequest",
    }
    for group in user.groups.all():
        group.permissions.remove(*group.permissions.filter(codename__in=passport_rights))
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="uploads", codename__in=codenames)
        )
    return User.objects.get(pk=user.pk)  # a fresh permission cache


def change_page(client, upload_request) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("admin:uploads_uploadrequest_change", args=[upload_request.pk]))
    assert response.status_code == 200
    return response.content.decode()


def image_url(upload_request: UploadRequest) -> str:
    return reverse("admin:uploads_uploadrequest_image", args=[upload_request.pk])


# --- one right each -----------------------------------------------------------------------------


def test_it_shows_fields_without_the_image_to_a_fields_only_user(client, alice, uploaded_request):
    login(client, with_only(alice, "view_passport_fields"))
    page = change_page(client, uploaded_request)
    assert "<td>ERIKSSON</td>" in page
    assert image_url(uploaded_request) not in page
    assert client.get(image_url(uploaded_request)).status_code == 403
    assert not AuditEvent.objects.filter(action=Action.VIEW_IMAGE).exists()


def test_it_shows_the_image_without_fields_to_an_image_only_user(client, alice, uploaded_request):
    login(client, with_only(alice, "view_passport_image"))
    page = change_page(client, uploaded_request)
    assert "ERIKSSON" not in page
    assert image_url(uploaded_request) in page
    assert client.get(image_url(uploaded_request)).status_code == 200
    assert not AuditEvent.objects.filter(action=Action.VIEW_FIELDS).exists()


def test_it_exports_passport_columns_only_with_the_export_right(client, alice, uploaded_request):
    login(client, with_only(alice, "view_passport_fields", "view_passport_image"))
    data = {"action": "export_csv", "_selected_action": [str(uploaded_request.pk)]}
    body = client.post(CHANGELIST, data).content.decode()
    assert "ERIKSSON" not in body and "L898902C3" not in body
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    login(client, with_only(alice, "export_passport"))
    body = client.post(CHANGELIST, data).content.decode()
    assert "L898902C3" in body
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1


def test_it_refuses_to_decide_without_the_decide_right(client, alice, uploaded_request):
    login(client, with_only(alice, "view_passport_fields", "view_passport_image"))
    accept = reverse("admin:uploads_uploadrequest_accept", args=[uploaded_request.pk])
    reject = reverse("admin:uploads_uploadrequest_reject", args=[uploaded_request.pk])
    assert client.post(accept).status_code == 403
    assert client.post(reject, {"reason": "Blurred"}).status_code == 403
    page = change_page(client, uploaded_request)
    assert 'id="accept-form"' not in page
    actions = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert not {"accept_selected", "reject_selected"} & {name for name, _label in actions}
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED


def test_it_lets_a_user_with_the_decide_right_accept(client, alice, uploaded_request):
    login(client, with_only(alice, "decide_uploadrequest"))
    accept = reverse("admin:uploads_uploadrequest_accept", args=[uploaded_request.pk])
    document = uploaded_request.current_document
    assert client.post(accept, {"document": document.pk}).status_code == 302
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.ACCEPTED


# --- the migration that split the old right -----------------------------------------------------


def test_it_gives_holders_of_the_old_right_the_rights_it_covered(db):
    content_type = ContentType.objects.get_for_model(PassportDocument)
    old = Permission.objects.create(
        codename="view_passport",
        name="Can view passport images and data",
        content_type=content_type,
    )
    group = Group.objects.create(name="customs")
    group.permissions.add(old)
    user = User.objects.create_user("dora")
    user.user_permissions.add(old)
    migration = importlib.import_module("uploads.migrations.0004_security_data")
    migration.split_permissions(apps, None)
    expected = {"view_passport_image", "view_passport_fields", "export_passport"}
    assert set(group.permissions.values_list("codename", flat=True)) == expected
    assert set(user.user_permissions.values_list("codename", flat=True)) == expected
    assert not Permission.objects.filter(codename="view_passport").exists()


# --- another shop's staff, guessing addresses ----------------------------------------------------


@pytest.mark.parametrize("name", ["change", "history", "delete", "image", "accept", "reject"])
def test_it_gives_another_shops_staff_nothing_by_address(client, bob, uploaded_request, name):
    login(client, bob)
    url = reverse(f"admin:uploads_uploadrequest_{name}", args=[uploaded_request.pk])
    for response in (client.get(url), client.post(url, {"reason": "x", "post": "yes"})):
        assert response.status_code in (302, 403, 404)
        assert b"ERIKSSON" not in response.content and b"Anna" not in response.content
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


@pytest.mark.parametrize("name", ["change", "history", "delete"])
def test_it_hides_another_shops_order_by_address(client, bob, uploaded_request, name):
    login(client, bob)
    url = reverse(f"admin:uploads_order_{name}", args=[uploaded_request.order.pk])
    response = client.get(url)
    assert response.status_code in (302, 403, 404)
    assert b"Anna Eriksson" not in response.content


def test_it_hides_another_shop_by_address(client, bob, shop):
    login(client, bob)
    response = client.get(reverse("admin:uploads_shop_change", args=[shop.pk]))
    assert response.status_code == 302
    assert shop.name.encode() not in client.get(reverse("admin:uploads_shop_changelist")).content


@pytest.mark.parametrize("action", ["export_csv", "accept_selected", "send_link_selected"])
def test_it_ignores_another_shops_ids_in_a_bulk_action(client, bob, uploaded_request, action):
    login(client, bob)
    response = client.post(
        CHANGELIST, {"action": action, "_selected_action": [str(uploaded_request.pk)]}
    )
    assert b"ERIKSSON" not in response.content and b"Anna" not in response.content
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED


def test_it_hides_another_shops_audit_events(client, alice, bob, uploaded_request):
    login(client, alice).get(image_url(uploaded_request))
    event = AuditEvent.objects.get(actor=alice)
    login(client, bob)
    assert client.get(reverse("admin:uploads_auditevent_change", args=[event.pk])).status_code in (
        302,
        403,
        404,
    )
