# Consent documents per shop and language (152-FZ art. 9 part 4): a version per text shown, each
# consent tied to its version, with the client address and browser. Existing consents keep their
# global ConsentText (now optional); a check keeps every consent naming one or the other.

import django.db.models.deletion
import django.utils.timezone
import uploads.models.shops
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('uploads', '0020_not_opened_passports'),
    ]

    operations = [
        migrations.AddField(
            model_name='consent',
            name='client_ip',
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name='client address'),
        ),
        migrations.AddField(
            model_name='consent',
            name='user_agent',
            field=models.CharField(blank=True, max_length=300, verbose_name='browser'),
        ),
        migrations.AddField(
            model_name='shop',
            name='consent_recipients',
            field=models.TextField(blank=True, help_text="One a line, with the country in brackets: the customs broker or carrier the shop passes the passport data to, for example: Boxberry LLC (Russia). The customer's consent names each of them; CDEK is named on its own when its account is active.", validators=[uploads.models.shops.validate_recipient_lines], verbose_name='other recipients of the passport data'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='consent_text',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='uploads.consenttext', verbose_name='consent text'),
        ),
        migrations.CreateModel(
            name='ConsentDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(max_length=10, verbose_name='language')),
                ('content_hash', models.CharField(editable=False, max_length=64, verbose_name='SHA-256 of the text')),
                ('body', models.TextField(editable=False, verbose_name='text')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='first shown')),
                ('shop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consent_documents', to='uploads.shop', verbose_name='shop')),
            ],
            options={
                'verbose_name': 'consent document',
                'verbose_name_plural': 'consent documents',
                'ordering': ['shop', 'language', '-created_at'],
            },
        ),
        migrations.AddField(
            model_name='consent',
            name='document',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='consents', to='uploads.consentdocument', verbose_name='consent document'),
        ),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.CheckConstraint(condition=models.Q(('document__isnull', False), ('consent_text__isnull', False), _connector='OR'), name='consent_names_its_text'),
        ),
        migrations.AddConstraint(
            model_name='consentdocument',
            constraint=models.UniqueConstraint(fields=('shop', 'language', 'content_hash'), name='consent_document_version'),
        ),
    ]
