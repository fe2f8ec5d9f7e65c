"""Demo images: editorial illustrations and portraits drawn by our code, the same for a title."""

import io

from PIL import Image

from website.demo_images import HERO_SIZE, PORTRAIT_SIZE, draw_illustration, draw_portrait


def test_illustrations_are_deterministic_and_differ_by_title():
    first = draw_illustration("Illustration: One")
    assert first == draw_illustration("Illustration: One")
    assert first != draw_illustration("Illustration: Two")
    assert Image.open(io.BytesIO(first)).size == HERO_SIZE


def test_portraits_have_the_portrait_size():
    assert Image.open(io.BytesIO(draw_portrait("Portrait: A"))).size == PORTRAIT_SIZE


def test_illustrations_are_not_flat_placeholders():
    # Many colours (gradients, soft forms, bands), not a flat tile with a caption.
    picture = Image.open(io.BytesIO(draw_illustration("Illustration: Colours"))).convert("RGB")
    assert len(picture.getcolors(maxcolors=1 << 20)) > 2000
