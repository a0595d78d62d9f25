"""How one record's values are laid out for a carrier: names, series, dates, document codes."""

from uploads.customs.exports import FCS_1861, CustomsTable, record_values, to_csv, to_xlsx
from uploads.models import CarrierMapping

RU_FOREIGN = {
    "surname": "SOLOVEV",
    "given_names": "IURII EDUARDOVICH",
    "surname_cyrillic": "СОЛОВЬЁВ",
    "given_names_cyrillic": "ЮРИЙ ЭДУАРДОВИЧ",
    "number": "751234567",
    "nationality": "RUS",
    "date_of_birth": "1965-05-23",
    "sex": "M",
    "issue_date": "2020-02-03",
    "expiry_date": "2030-02-03",
    "inn": "500100732259",
}


def test_it_splits_a_russian_foreign_passport_number_into_series_and_number(upload_request):
    values = record_values(upload_request, RU_FOREIGN, "ru_foreign", FCS_1861)
    assert (values["series"], values["number"]) == ("75", "1234567")
    assert values["document_type_code"] == "22"
    assert (values["surname"], values["given_name"], values["patronymic"]) == (
        "СОЛОВЬЁВ",
        "ЮРИЙ",
        "ЭДУАРДОВИЧ",
    )
    assert values["issue_date"] == "03.02.2020"


def test_it_orders_and_formats_as_the_mapping_says(upload_request):
    mapping = CarrierMapping(
        name="X",
        columns=[["full_name", "Name"]],
        date_format="%m/%d/%Y",
        name_order=CarrierMapping.NameOrder.GIVEN_FIRST,
    )
    latin_only = {**RU_FOREIGN, "surname_cyrillic": "", "given_names_cyrillic": ""}
    values = record_values(upload_request, latin_only, "ru_foreign", mapping)
    assert values["full_name"] == "IURII EDUARDOVICH SOLOVEV"
    assert values["date_of_birth"] == "05/23/1965"


def test_it_keeps_a_foreign_citizens_given_names_whole(upload_request):
    fields = {"surname": "ERIKSSON", "given_names": "ANNA MARIA", "number": "L898902C3"}
    values = record_values(upload_request, fields, "foreign", FCS_1861)
    assert (values["given_name"], values["patronymic"], values["series"]) == ("ANNA MARIA", "", "")
    assert values["document_type_code"] == "10"


def test_it_writes_a_tab_separated_file_and_a_sheet_named_safely():
    table = CustomsTable(header=["A", "B"], rows=[["1", "+2"]])
    assert to_csv(table, delimiter="\t").decode("utf-8") == "\ufeffA\tB\r\n1\t'+2\r\n"
    assert to_xlsx(table, title="a/b:c*?[]").startswith(b"PK")
