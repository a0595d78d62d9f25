"""The customer's link becomes a right of its own; audit events say what acted when no user did;
API tokens get a links scope; bounced addresses become per shop.

Data, so that nobody loses what they do today beyond what the review asked to close:

- "Can see and send the customer's upload link" goes to whoever may view passport images (the link
  opens the pending photo, so they gain nothing), and to nobody else: staff with only "view upload
  request" no longer see links.
- Existing API tokens keep getting links (the shop's order system may send them to customers by
  SMS); new tokens get them only when staff who hold the link right tick the scope.
- Existing bounced addresses stay "all shops": a row does not say which shop it came from (a
  server's refusal or a staff mark by any shop), and keeping it for all shops never starts
  e-mailing an address someone found dead. A superuser can narrow or delete it.
- On PostgreSQL the audit log's append-only trigger guards the new ``via`` column too.
"""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant_link_right(apps, schema_editor):
    # Permissions are normally created after all migrations; the grant needs this one now.
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
    image = Permission.objects.filter(
        content_type__app_label="uploads", codename="view_passport_image"
    ).first()
    link = Permission.objects.filter(
        content_type__app_label="uploads", codename="view_upload_link"
    ).first()
    if image is None or link is None:
        return
    for group in Group.objects.filter(permissions=image):
        group.permissions.add(link)
    for user in User.objects.filter(user_permissions=image):
        user.user_permissions.add(link)


def existing_tokens_keep_links(apps, schema_editor):
    apps.get_model("uploads", "ApiToken").objects.update(reads_links=True)


_TRIGGER = """
CREATE OR REPLACE FUNCTION uploads_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR {changed} THEN
        RAISE EXCEPTION 'uploads_auditevent is append-only';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""


def _trigger(columns):
    changed = " OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in columns)
    return _TRIGGER.replace("{changed}", changed)


def guard_via(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_trigger(["action", "detail", "at", "ip_address", "via"]))


def unguard_via(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_trigger(["action", "detail", "at", "ip_address"]))


class Migration(migrations.Migration):

    dependencies = [
        ('uploads', '0014_two_factor_sealed'),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='uploadrequest',
            options={'ordering': ['-created_at'], 'permissions': [('decide_uploadrequest', 'Can accept and reject passports'), ('view_upload_link', "Can see and send the customer's upload link")], 'verbose_name': 'upload request', 'verbose_name_plural': 'upload requests'},
        ),
        migrations.AddField(
            model_name='apitoken',
            name='reads_links',
            field=models.BooleanField(default=False, help_text="Answers carry each open request's upload link (every read is audited).", verbose_name="may read customers' links"),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='api_token',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='uploads.apitoken', verbose_name='API token'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='via',
            field=models.CharField(blank=True, choices=[('', 'staff or the system'), ('link', "the customer's link"), ('api', 'an API token')], default='', max_length=10, verbose_name='through'),
        ),
        migrations.AddField(
            model_name='bouncedaddress',
            name='shop',
            field=models.ForeignKey(blank=True, help_text='Empty: no shop e-mails this address.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='uploads.shop', verbose_name='shop'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('view_image', 'Viewed passport image'), ('view_fields', 'Viewed passport data'), ('export', 'Exported passport data'), ('accept', 'Accepted'), ('reject', 'Rejected'), ('link_issued', 'Issued a new link'), ('download', 'Downloaded passport image'), ('status', 'Status changed'), ('purge', 'Erased by retention'), ('erase', 'Erased on request'), ('consent_withdrawn', 'Consent withdrawn'), ('key_rotation', 'Keys rotated'), ('view_link', "Read the customer's link"), ('link_sent', "E-mailed the customer's link")], max_length=20, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='bouncedaddress',
            name='email',
            field=models.EmailField(db_index=True, max_length=254, verbose_name='email'),
        ),
        migrations.AddConstraint(
            model_name='bouncedaddress',
            constraint=models.UniqueConstraint(condition=models.Q(('shop__isnull', False)), fields=('email', 'shop'), name='bounced_once_per_shop'),
        ),
        migrations.AddConstraint(
            model_name='bouncedaddress',
            constraint=models.UniqueConstraint(condition=models.Q(('shop__isnull', True)), fields=('email',), name='bounced_once_for_all_shops'),
        ),
        migrations.RunPython(grant_link_right, migrations.RunPython.noop),
        migrations.RunPython(existing_tokens_keep_links, migrations.RunPython.noop),
        migrations.RunPython(guard_via, unguard_via),
    ]
