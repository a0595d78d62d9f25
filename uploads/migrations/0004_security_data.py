"""Split "Can view passport images and data" into separate rights, keeping what people could do.

Whoever could view passports may now view images, view fields and export (what the old right
allowed); whoever could change upload requests may accept and reject. Erasing is granted to nobody:
an administrator gives it deliberately.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SPLIT = {
    ("passportdocument", "view_passport"): [
        "view_passport_image",
        "view_passport_fields",
        "export_passport",
    ],
    ("uploadrequest", "change_uploadrequest"): ["decide_uploadrequest"],
}


def split_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; the split needs them now.
    app_config = apps.get_app_config("uploads")
    stub = not getattr(app_config, "models_module", None)
    if stub:
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    if stub:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    for (model, old_codename), new_codenames in SPLIT.items():
        old = Permission.objects.filter(
            content_type__app_label="uploads", content_type__model=model, codename=old_codename
        ).first()
        if old is None:
            continue
        new = list(
            Permission.objects.filter(content_type__app_label="uploads", codename__in=new_codenames)
        )
        for group in Group.objects.filter(permissions=old):
            group.permissions.add(*new)
        for user in User.objects.filter(user_permissions=old):
            user.user_permissions.add(*new)
        if old_codename == "view_passport":
            old.delete()  # the old combined right no longer exists


# PostgreSQL refuses to change or delete audit and destruction records even for SQL typed by hand:
# only an emptied reference (ON DELETE SET NULL of a deleted user, request, document or shop) may
# change a row. (SQLite gets no trigger: its test databases are emptied with DELETE.)
_KEPT = {
    "uploads_auditevent": ["action", "detail", "at", "ip_address"],
    "uploads_destructionrecord": ["at", "reason", "scope", "upload_request_ref", "document_refs"],
}


def append_only_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in _KEPT.items():
        changed = " OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in columns)
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' OR {changed} THEN
                    RAISE EXCEPTION '{table} is append-only';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
            """
        )


def drop_append_only_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _KEPT:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only();")


class Migration(migrations.Migration):
    dependencies = [("uploads", "0003_security"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(split_permissions, migrations.RunPython.noop),
        migrations.RunPython(append_only_triggers, drop_append_only_triggers),
    ]
