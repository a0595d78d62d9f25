"""The read_mrz command: one line per file, JSON lines with --json, errors per file."""

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from uploads.documents import specimens
from uploads.mrz import compose, render


@pytest.fixture
def passport(tmp_path):
    path = tmp_path / "passport.jpg"
    path.write_bytes(specimens.render_jpeg(specimens.ERIKSSON))
    return path


@pytest.fixture
def internal_passport(tmp_path):
    lines = compose.pn(
        surname="СОЛОВЬЁВ", given_names="ЮРИЙ ЭДУАРДОВИЧ", series="4510", number="123456",
        date_of_birth="800523", sex="M", issue_date="150714", department_code="770-093",
    )  # fmt: skip
    out = io.BytesIO()
    render.render_page(lines, "PN", width=1600).save(out, format="PNG")
    path = tmp_path / "pn.png"
    path.write_bytes(out.getvalue())
    return path


def test_it_prints_one_line_per_file(passport):
    out = StringIO()
    call_command("read_mrz", str(passport), stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert "ERIKSSON" in lines[0] and "valid" in lines[0] and "L898902C3" in lines[0]


def test_json_lines(passport, internal_passport):
    out = StringIO()
    call_command("read_mrz", "--json", str(passport), str(internal_passport), stdout=out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["file"] == str(passport)
    assert first["found"] and first["valid"] and first["type"] == "TD3"
    fields = first["fields"]
    assert fields["surname"] == "ERIKSSON" and fields["given_names"] == "ANNA MARIA"
    assert fields["date_of_birth"] == "1974-08-12" and fields["expiry_date"] == "2034-04-15"
    assert fields["sex"] == "F" and fields["country"] == "UTO" and fields["personal_number"] is None
    assert set(fields) >= {"surname", "given_names", "number", "nationality", "country",
                           "date_of_birth", "sex", "expiry_date", "personal_number"}  # fmt: skip
    assert first["field_valid"]["number"] is True
    assert first["mrz"] == list(specimens.ERIKSSON.mrz_lines())
    assert isinstance(first["elapsed_ms"], float)
    assert second["type"] == "PN" and second["valid"]
    pn = second["fields"]
    assert pn["series"] == "4510" and pn["issue_date"] == "2015-07-14"
    assert pn["department_code"] == "770-093" and pn["expiry_date"] is None
    assert pn["surname_cyrillic"] == "СОЛОВЬЁВ" and pn["given_names_cyrillic"] == "ЮРИЙ ЭДУАРДОВИЧ"
    assert not any("<" in str(value) for value in pn.values())


def test_a_file_that_is_no_image_is_reported_and_the_rest_still_read(tmp_path, passport):
    junk = tmp_path / "notes.txt"
    junk.write_text("not an image")
    missing = tmp_path / "missing.jpg"
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 of 3"):
        call_command(
            "read_mrz", "--json", str(junk), str(missing), str(passport), stdout=out, stderr=err
        )
    assert "notes.txt" in err.getvalue() and "missing.jpg" in err.getvalue()
    (line,) = out.getvalue().splitlines()
    assert json.loads(line)["valid"]


def test_a_blank_image_is_not_found(tmp_path):
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.new("RGB", (800, 600), "white").save(path)
    out = StringIO()
    call_command("read_mrz", "--json", str(path), stdout=out)
    result = json.loads(out.getvalue())
    assert result["found"] is False and result["valid"] is False


@pytest.mark.ocr
def test_a_file_the_reader_fails_on_is_reported_and_the_rest_still_read(
    tmp_path, passport, monkeypatch
):
    # PassportEye's pipeline raising from inside (KeyError: 'method') used to end the batch.
    from PIL import Image

    from uploads.mrz import fallback

    def fail(*args, **kwargs):
        raise KeyError("method")

    monkeypatch.setattr(fallback, "read_with_passporteye", fail)
    blank = tmp_path / "blank.png"
    Image.new("RGB", (800, 600), "white").save(blank)  # ours finds nothing: the fallback's turn
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("read_mrz", "--json", str(blank), str(passport), stdout=out, stderr=err)
    assert "blank.png" in err.getvalue() and "KeyError" in err.getvalue()
    (line,) = out.getvalue().splitlines()
    assert json.loads(line)["file"] == str(passport) and json.loads(line)["valid"]


@pytest.mark.ocr
def test_a_reader_that_raises_anyway_does_not_end_the_batch(tmp_path, passport, monkeypatch):
    from uploads.management.commands import read_mrz as command
    from uploads.mrz import read_mrz

    def flaky(data):
        if data == passport.read_bytes():
            return read_mrz(data)
        raise RuntimeError("P<UTOERIKSSON<<ANNA<MARIA")  # a message that quotes what was read

    monkeypatch.setattr(command, "read_mrz", flaky)
    other = tmp_path / "other.jpg"
    other.write_bytes(passport.read_bytes() + b"\x00")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("read_mrz", str(other), str(passport), stdout=out, stderr=err)
    assert "other.jpg" in err.getvalue() and "RuntimeError" in err.getvalue()
    assert "ERIKSSON" not in err.getvalue()
    (line,) = out.getvalue().splitlines()
    assert "ERIKSSON" in line and "valid" in line
