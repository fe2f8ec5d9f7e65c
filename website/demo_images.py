"""Images for the demo site, drawn with Pillow: soft gradients, a few shapes and a caption.

Every image is made from its title (the same title always gives the same picture) and stored once
as a Wagtail image: asking again for a title that is already in the library returns that image.
No stock photography is downloaded.
"""

from __future__ import annotations

import hashlib
import io
import random
import textwrap

from django.core.files.images import ImageFile
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from wagtail.images import get_image_model

HERO_SIZE = (960, 540)
PORTRAIT_SIZE = (360, 360)

# Calm, high-contrast pairs: (background start, background end).
PALETTES = [
    ((32, 64, 96), (120, 170, 190)),
    ((70, 40, 90), (200, 140, 160)),
    ((24, 80, 72), (150, 200, 160)),
    ((110, 60, 40), (230, 180, 120)),
    ((40, 50, 110), (160, 150, 220)),
    ((60, 70, 60), (200, 200, 150)),
]


def _rng(title: str) -> random.Random:
    return random.Random(int(hashlib.sha256(title.encode()).hexdigest()[:16], 16))


def _gradient(size: tuple[int, int], start: tuple[int, int, int], end: tuple[int, int, int]) -> Image.Image:
    width, height = size
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(1, height - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True)))
    return column.resize(size)


def draw_picture(title: str, size: tuple[int, int] = HERO_SIZE, caption: str | None = None) -> bytes:
    """A JPEG of an abstract composition for ``title``, with ``caption`` (default: the title) on it."""
    rng = _rng(title)
    start, end = PALETTES[rng.randrange(len(PALETTES))]
    picture = _gradient(size, start, end)
    shapes = Image.new("RGBA", size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(shapes)
    width, height = size
    for _ in range(7):
        radius = rng.randint(min(size) // 8, min(size) // 2)
        x, y = rng.randint(0, width), rng.randint(0, height)
        colour = (*(min(255, c + rng.randint(40, 120)) for c in start), rng.randint(40, 110))
        if rng.random() < 0.6:
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
        else:
            pen.rounded_rectangle(
                (x - radius, y - radius // 2, x + radius, y + radius // 2), radius // 4, fill=colour
            )
    shapes = shapes.filter(ImageFilter.GaussianBlur(radius=min(size) // 40))
    picture = Image.alpha_composite(picture.convert("RGBA"), shapes)

    text = caption if caption is not None else title
    if text:
        font_size = max(18, width // 22)
        font = ImageFont.load_default(size=font_size)
        lines = textwrap.wrap(text, width=max(10, int(width / (font_size * 0.55))))[:4]
        band_height = (len(lines) + 1) * int(font_size * 1.25)
        band = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(band).rectangle((0, height - band_height, width, height), fill=(0, 0, 0, 120))
        picture = Image.alpha_composite(picture, band)
        writer = ImageDraw.Draw(picture)
        y = height - band_height + font_size // 2
        for line in lines:
            writer.text((font_size, y), line, font=font, fill=(255, 255, 255, 255))
            y += int(font_size * 1.25)

    out = io.BytesIO()
    picture.convert("RGB").save(out, format="JPEG", quality=82)
    return out.getvalue()


def demo_image(
    title: str, *, description: str, size: tuple[int, int] = HERO_SIZE, caption: str | None = None
):
    """The Wagtail image called ``title``, drawn and saved the first time it is asked for."""
    model = get_image_model()
    existing = model.objects.filter(title=title).order_by("pk").first()
    if existing is not None:
        return existing
    name = hashlib.sha1(title.encode()).hexdigest()[:12]
    data = draw_picture(title, size, caption)
    image = model(
        title=title, description=description, file=ImageFile(io.BytesIO(data), name=f"demo-{name}.jpg")
    )
    image.save()
    return image
