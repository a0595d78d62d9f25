"""The first published consent text, in every language the portal ships."""

from django.db import migrations

VERSION = "2026-11"

BODY = {
    "ru": (
        "Я даю согласие продавцу, указанному выше, на обработку моих паспортных данных (фамилия, имя, "
        "номер документа, гражданство, дата рождения, пол, срок действия и фотография страницы паспорта) "
        "для таможенного оформления этого заказа. Данные хранятся в зашифрованном виде, доступны только "
        "сотрудникам продавца, которые занимаются таможенным оформлением, и удаляются после завершения "
        "заказа в указанный выше срок. Я могу отозвать согласие, написав продавцу."
    ),
    "en": (
        "I allow the seller named above to process my passport data (surname, given names, document number, "
        "nationality, date of birth, sex, expiry date and a photo of the passport page) for the customs "
        "clearance of this order. The data is stored encrypted, is seen only by the seller's staff who handle "
        "customs, and is deleted within the period stated above after the order is completed. I can withdraw "
        "this consent by writing to the seller."
    ),
    "zh_hans": (
        "我同意上述卖家为本订单的清关处理我的护照信息（姓、名、证件号码、国籍、出生日期、性别、有效期及护照信息页照片）。"
        "这些数据加密存储，仅负责清关的卖家员工可以查看，并在订单完成后于上述期限内删除。我可以随时写信给卖家撤回此同意。"
    ),
}


def publish(apps, schema_editor):
    ConsentText = apps.get_model("uploads", "ConsentText")
    if not ConsentText.objects.filter(version=VERSION).exists():
        ConsentText.objects.create(
            version=VERSION, body=BODY["ru"], **{f"body_{language}": text for language, text in BODY.items()}
        )


class Migration(migrations.Migration):
    dependencies = [("uploads", "0001_initial")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
