"""The pixel budget: phone and desktop screenshots land at about 1,000-1,300 visual tokens."""

from __future__ import annotations

import pytest
from PIL import Image

from agent.imaging import DEFAULT_MAX_PIXELS, fit_pixel_budget, visual_tokens


@pytest.mark.parametrize("size", [(1080, 2400), (1920, 1080), (1440, 3200), (2560, 1440)])
def test_default_budget_lands_in_range(size):
    small = fit_pixel_budget(Image.new("RGB", size), DEFAULT_MAX_PIXELS)
    assert 1000 <= visual_tokens(small.size) <= 1300
    assert small.size[0] % 32 == 0 and small.size[1] % 32 == 0
    # Aspect ratio kept within a patch's rounding.
    assert abs(small.size[0] / small.size[1] - size[0] / size[1]) < 0.03


def test_small_images_are_not_enlarged():
    image = Image.new("RGB", (320, 640))
    assert fit_pixel_budget(image, DEFAULT_MAX_PIXELS) is image
