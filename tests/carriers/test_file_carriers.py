"""The column mappings as file-based carriers: listed beside the API carriers, same file."""

from uploads.carriers.files import file_carriers
from uploads.customs.exports import BUILTIN_KEY
from uploads.models import CarrierMapping


def test_it_lists_the_builtin_set_then_the_shops_mappings(shop, other_shop):
    mine = CarrierMapping.objects.create(
        shop=shop, name="Boxberry", country="RU", columns=[["number", "No"]]
    )
    CarrierMapping.objects.create(shop=other_shop, name="Other", country="RU", columns=[])
    carriers = file_carriers(shop_ids=[shop.pk])
    assert [(each.key, each.name) for each in carriers] == [
        (BUILTIN_KEY, "ФТС № 1861"),
        (str(mine.pk), "Boxberry"),
    ]


def test_it_builds_the_file_of_the_ready_requests(ready_request, upload_request):
    carrier = file_carriers(shop_ids=[])[0]
    table = carrier.table(upload_requests=[ready_request], ready_ids={ready_request.pk})
    content = carrier.content(table, file_format="csv").decode("utf-8-sig")
    assert content.splitlines()[1].startswith(
        "A-100;ИВАНОВ;ИВАН;ИВАНОВИЧ;23.05.1965;21;4510;123456"
    )
    assert carrier.content(table, file_format="xlsx").startswith(b"PK")
