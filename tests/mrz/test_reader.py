"""The MRZ reader on synthetic specimens and on the public samples (when ../shared is present)."""

import io
import json
from datetime import date

import pytest
from PIL import Image

from tests.conftest import SAMPLES_DIR
from uploads import specimens
from uploads.mrz import read_mrz


def test_it_reads_a_specimen_passport():
    result = read_mrz(specimens.render_jpeg(specimens.ERIKSSON))
    assert result.found and result.valid
    assert result.type == "TD3"
    assert result.fields["surname"] == "ERIKSSON"
    assert result.fields["given_names"] == "ANNA MARIA"
    assert result.fields["number"] == "L898902C3"
    assert result.fields["date_of_birth"] == date(1974, 8, 12)
    assert result.fields["expiry_date"] == date(2034, 4, 15)
    assert result.fields["sex"] == "F"
    assert result.field_valid["number"] and result.field_valid["date_of_birth"]
    assert not result.field_valid["surname"]  # names have no check digit: always confirmed by hand
    assert result.mrz == list(specimens.ERIKSSON.mrz_lines())


def test_it_accepts_a_pillow_image():
    result = read_mrz(specimens.render_page(specimens.PETROV))
    assert result.valid
    assert result.fields["surname"] == "PETROV"


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (1200, 900), (255, 255, 255)),
        Image.effect_noise((1200, 900), 60).convert("RGB"),
    ],
    ids=["blank", "noise"],
)
def test_it_finds_nothing_where_there_is_nothing(image):
    result = read_mrz(image)
    assert not result.valid


def test_it_answers_not_found_for_bytes_that_are_no_image():
    result = read_mrz(b"definitely not an image")
    assert not result.found and not result.valid


def test_it_keeps_personal_data_out_of_its_repr():
    result = read_mrz(specimens.render_jpeg(specimens.ERIKSSON))
    assert "ERIKSSON" not in repr(result)


def test_it_never_writes_the_image_to_a_temporary_file(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    read_mrz(specimens.render_jpeg(specimens.ERIKSSON))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not SAMPLES_DIR.exists(), reason="../shared/mrz/samples is not present")
@pytest.mark.parametrize("name", ["passport-td3.jpg", "passport-td3.png"])
def test_it_reads_the_utopia_specimens(name):
    truth = json.loads((SAMPLES_DIR / "truth.json").read_text())[name]["fields"]
    result = read_mrz((SAMPLES_DIR / name).read_bytes())
    assert result.valid
    assert result.fields["number"] == truth["number"]
    assert result.fields["surname"] == truth["surname"]
    assert result.fields["date_of_birth"].isoformat() == truth["date_of_birth"]


def test_it_reads_a_jpeg_compressed_photo():
    page = specimens.render_page(specimens.ERIKSSON, width=2400)
    out = io.BytesIO()
    page.save(out, format="JPEG", quality=55)
    assert read_mrz(out.getvalue()).valid
