"""The reader's own min/max filters give scipy.ndimage's values, element for element: they
replace scipy's on the reader's path for speed only (``uploads.mrz.morphology``)."""

import numpy as np
import pytest
from scipy import ndimage

from uploads.mrz import morphology

SIZES = [1, 2, 3, 4, 7, 8, 13, 14, 21, 30]


def _arrays(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    gray = rng.integers(0, 256, (37, 53), dtype=np.uint8)
    return [
        gray,
        gray.astype(np.float32) / 7,  # the reader's float crops
        rng.random((29, 61)) > 0.7,  # the locator's masks
        rng.integers(0, 256, (5, 9), dtype=np.uint8),  # windows longer than the array
        rng.integers(0, 256, (1, 40), dtype=np.uint8),
    ]


@pytest.mark.parametrize("size", SIZES)
def test_it_filters_as_scipy_with_square_windows(size: int) -> None:
    for array in _arrays(size):
        for ours, theirs in (
            (morphology.maximum_filter, ndimage.maximum_filter),
            (morphology.minimum_filter, ndimage.minimum_filter),
            (morphology.grey_closing, ndimage.grey_closing),
        ):
            got = ours(array, size)
            want = theirs(array, size=size)
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want, err_msg=f"{ours.__name__} {size}")


@pytest.mark.parametrize("size", [(1, 9), (9, 1), (2, 5), (14, 3), (40, 41)])
def test_it_filters_as_scipy_with_oblong_windows(size: tuple[int, int]) -> None:
    for array in _arrays(sum(size)):
        np.testing.assert_array_equal(
            morphology.maximum_filter(array, size), ndimage.maximum_filter(array, size=size)
        )
        np.testing.assert_array_equal(
            morphology.minimum_filter(array, size), ndimage.minimum_filter(array, size=size)
        )
        np.testing.assert_array_equal(
            morphology.grey_closing(array, size), ndimage.grey_closing(array, size=size)
        )


def test_it_leaves_its_input_alone_and_hands_back_a_new_array() -> None:
    array = np.arange(20, dtype=np.uint8).reshape(4, 5)
    before = array.copy()
    out = morphology.maximum_filter(array, 1)
    out[0, 0] = 99
    np.testing.assert_array_equal(array, before)
    morphology.grey_closing(array, 3)
    np.testing.assert_array_equal(array, before)


def test_it_filters_an_empty_array_as_scipy_does() -> None:
    for shape in ((0, 5), (4, 0)):
        array = np.zeros(shape, dtype=np.uint8)
        for ours, theirs in (
            (morphology.maximum_filter, ndimage.maximum_filter),
            (morphology.grey_closing, ndimage.grey_closing),
        ):
            np.testing.assert_array_equal(ours(array, 3), theirs(array, size=3))


def test_it_refuses_a_window_that_does_not_fit() -> None:
    array = np.zeros((4, 5), dtype=np.uint8)
    with pytest.raises(ValueError):
        morphology.maximum_filter(array, 0)
    with pytest.raises(ValueError):
        morphology.grey_closing(array, (3, 3, 3))
