"""Reading the machine readable zone of passports, ID cards and visas. No Django imports here.

    from uploads.mrz import read_mrz
    result = read_mrz(jpeg_png_or_pdf_bytes_or_pillow_image)
    result.found, result.valid, result.type      # type: TD1, TD2, TD3, MRVA, MRVB or PN
    result.fields, result.field_valid            # dates as datetime.date, sex M/F/X
    result.mrz, result.box, result.elapsed_ms    # the lines read, where (left, top, right, bottom)
    result.error                                 # why not found, if not for want of an MRZ (logs)

``read_mrz`` never raises: a failure anywhere in it is a "not found" with a reason.

Modules: ``checks`` (check digits, ICAO codes, dates), ``parse`` (formats, repairs, PN),
``locate`` (finding the band in any orientation), ``tesseract`` (OCR in memory), ``reader``
(the pipeline), ``fallback`` (PassportEye's locator), ``compose`` and ``render`` (synthetic
documents for tests and the benchmark). ``manage.py read_mrz`` runs it from the command line.
"""

from uploads.mrz.reader import read_mrz
from uploads.mrz.result import MrzResult

__all__ = ["MrzResult", "read_mrz"]
