"""The seller's rejection reason becomes a code (translated for the customer) plus a note; the
feedback's language shows as a name and its date as "rated" (#16)."""

import django.utils.timezone
from django.db import migrations, models


def reasons_typed_before_become_other(apps, schema_editor):  # type: ignore[no-untyped-def]
    # A reason typed before codes existed is kept as the note under "other".
    UploadRequest = apps.get_model("uploads", "UploadRequest")
    UploadRequest.objects.exclude(rejection_reason="").update(rejection_code="other")


class Migration(migrations.Migration):
    dependencies = [
        ("uploads", "0017_document_reading_attempts"),
    ]

    operations = [
        migrations.AddField(
            model_name="uploadrequest",
            name="rejection_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("blurred", "Blurred photo"),
                    ("glare", "Glare on the page"),
                    ("wrong_page", "Wrong page"),
                    ("cut_off", "Page cut off"),
                    ("expired", "Expired document"),
                    ("not_buyer", "Not the buyer's passport"),
                    ("other", "Other (explain in the note)"),
                ],
                max_length=16,
                verbose_name="reason for rejection",
            ),
        ),
        migrations.AlterField(
            model_name="uploadrequest",
            name="rejection_reason",
            field=models.TextField(blank=True, verbose_name="seller's note to the customer"),
        ),
        migrations.RunPython(reasons_typed_before_become_other, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="feedback",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="rated"),
        ),
        migrations.AlterField(
            model_name="feedback",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ru", "Russian"),
                    ("en", "English"),
                    ("kk", "Kazakh"),
                    ("uz", "Uzbek"),
                    ("ky", "Kyrgyz"),
                    ("hy", "Armenian"),
                    ("be", "Belarusian"),
                    ("zh-hans", "Simplified Chinese"),
                ],
                max_length=10,
                verbose_name="language",
            ),
        ),
    ]
