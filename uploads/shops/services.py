"""Writes of shops and their staff: a shop with a staff group, its members and their accounts."""

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from uploads.models import Shop


def shop_ensure(
    *,
    name: str,
    contact_email: str,
    notification_language: str,
    operator: Mapping[str, str] | None = None,
) -> Shop:
    """The shop of this name, created with these settings (and these operator details, see
    ``uploads.papers.operator``) if it does not exist yet."""
    shop, _created = Shop.objects.get_or_create(
        name=name,
        defaults={
            "contact_email": contact_email,
            "notification_language": notification_language,
            **(operator or {}),
        },
    )
    # A shop made before operator details existed gets them where they are still empty.
    empty = {field: value for field, value in (operator or {}).items() if not getattr(shop, field)}
    if empty:
        for field, value in empty.items():
            setattr(shop, field, value)
        shop.save(update_fields=list(empty))
    return shop


def staff_user_ensure(*, username: str, password: str, superuser: bool = False) -> User:
    """A staff account with this password (set again if the account exists)."""
    user, _created = User.objects.get_or_create(username=username)
    user.is_staff = True
    user.is_superuser = superuser
    user.set_password(password)
    user.save()
    return user


def shop_member_add(
    *, shop: Shop, user: User, group_name: str, permission_codenames: Iterable[str]
) -> None:
    """Make ``user`` a member of ``shop`` through a group holding these ``uploads`` permissions."""
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="uploads", codename__in=list(permission_codenames)
            )
        )
        user.groups.add(group)
        shop.members.add(user)
