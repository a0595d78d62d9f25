"""Where the points of a band's crop are in the image it was cut from."""

import math

import numpy as np
import pytest
from PIL import Image, ImageDraw

from uploads.mrz import locate


@pytest.mark.parametrize(("angle", "flip"), [(0.0, False), (0.3, False), (-0.2, True)])
def test_a_point_of_a_crop_maps_back_to_the_image(angle, flip):
    image = Image.new("L", (600, 400), 255)
    mark = (330.0, 215.0)
    ImageDraw.Draw(image).ellipse((mark[0] - 3, mark[1] - 3, mark[0] + 3, mark[1] + 3), fill=0)
    band = locate.Band(150.0, 100.0, angle, 200.0, 30.0, 10.0, 1.0)  # searched at half size
    crop, _ = locate.cut_band(image, band, 0.5, flip=flip)
    pixels = np.asarray(crop)
    ys, xs = np.nonzero(pixels < 128)
    assert xs.size
    found = locate.crop_point(
        band, 0.5, crop.size, (float(xs.mean()) + 0.5, float(ys.mean()) + 0.5), flip=flip
    )
    assert math.dist(found, mark) < 3
