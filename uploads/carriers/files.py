"""The file-based carriers: a carrier that takes customs records as a CSV or XLSX file the seller
uploads by hand. Each is a column mapping (``CarrierMapping``, or the built-in FCS 1861 set); the
admin's *Export the customs field set* action builds the file (``customs.services.decisions``),
unchanged. This module lists them beside the API carriers for a shop.
"""

from dataclasses import dataclass

from uploads.customs.exports import (
    BUILTIN_KEY,
    FCS_1861,
    CustomsTable,
    customs_table,
    to_csv,
    to_xlsx,
)
from uploads.models import CarrierMapping, UploadRequest


@dataclass(frozen=True)
class FileCarrier:
    key: str  # "fcs1861" or the mapping's id
    mapping: CarrierMapping

    @property
    def name(self) -> str:
        return self.mapping.name

    def table(self, *, upload_requests: list[UploadRequest], ready_ids: set[int]) -> CustomsTable:
        return customs_table(
            upload_requests=upload_requests, mapping=self.mapping, ready_ids=ready_ids
        )

    def content(self, table: CustomsTable, *, file_format: str) -> bytes:
        if file_format == "xlsx":
            return to_xlsx(table, title=self.mapping.name)
        return to_csv(table, delimiter=self.mapping.delimiter)


def file_carriers(*, shop_ids: list[int]) -> list[FileCarrier]:
    """The built-in field set first, then the shops' own mappings by name."""
    carriers = [FileCarrier(key=BUILTIN_KEY, mapping=FCS_1861)]
    carriers += [
        FileCarrier(key=str(mapping.pk), mapping=mapping)
        for mapping in CarrierMapping.objects.filter(shop_id__in=shop_ids).order_by("name")
    ]
    return carriers
