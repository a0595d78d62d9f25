"""Reading the machine readable zone of a passport or ID card. No Django imports here.

from uploads.mrz import read_mrz
result = read_mrz(jpeg_bytes_or_pillow_image)
"""

from uploads.mrz.reader import read_mrz
from uploads.mrz.result import MrzResult

__all__ = ["MrzResult", "read_mrz"]
