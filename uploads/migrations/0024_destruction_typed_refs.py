from django.db import migrations, models

TYPED = "typed"


def typed_refs_fill(apps, schema_editor):
    """Records made since typed documents exist (0022): the documents their refs name that were
    typed, where the rows are still there (an erased document keeps its row and its source)."""
    DestructionRecord = apps.get_model("uploads", "DestructionRecord")
    PassportDocument = apps.get_model("uploads", "PassportDocument")
    typed = set(PassportDocument.objects.filter(source=TYPED).values_list("pk", flat=True))
    if not typed:
        return
    for record in DestructionRecord.objects.only("pk", "document_refs").iterator():
        refs = [ref for ref in record.document_refs if ref in typed]
        if refs:
            DestructionRecord.objects.filter(pk=record.pk).update(typed_refs=refs)


class Migration(migrations.Migration):

    dependencies = [
        ("uploads", "0023_transfers"),
    ]

    operations = [
        migrations.AddField(
            model_name="destructionrecord",
            name="typed_refs",
            field=models.JSONField(blank=True, default=list, verbose_name="typed document ids"),
        ),
        migrations.RunPython(typed_refs_fill, migrations.RunPython.noop),
    ]
