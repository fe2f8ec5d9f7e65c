"""Images for the demo site, drawn with Pillow: editorial illustrations and abstract portraits.

A hero illustration is a layered composition (a soft gradient sky, overlapping translucent
forms, a horizon of rolling bands and a few fine lines), in the flat, calm style of a magazine's
commissioned art; a portrait is a head-and-shoulders silhouette on a tinted ground. Neither has
any text on it. Every image is made from its title (the same title always gives the same picture)
and stored once as a Wagtail image: asking again for a title already in the library returns that
image. No stock photography is downloaded.
"""

from __future__ import annotations

import hashlib
import io
import math
import random

from django.core.files.images import ImageFile
from PIL import Image, ImageDraw, ImageFilter
from wagtail.images import get_image_model

HERO_SIZE = (960, 540)
PORTRAIT_SIZE = (360, 360)

# Calm editorial palettes: (sky top, sky bottom, form colours...).
PALETTES = [
    ((28, 52, 82), (236, 196, 164), (244, 160, 120), (92, 134, 160), (250, 226, 190)),
    ((46, 38, 74), (214, 170, 190), (238, 128, 120), (130, 110, 170), (252, 214, 200)),
    ((20, 70, 66), (206, 226, 200), (242, 190, 110), (70, 140, 120), (236, 240, 214)),
    ((92, 52, 40), (244, 214, 170), (214, 110, 80), (120, 150, 140), (250, 234, 204)),
    ((34, 44, 96), (190, 200, 236), (250, 178, 120), (96, 120, 196), (226, 232, 250)),
    ((58, 66, 56), (222, 218, 182), (206, 150, 90), (116, 148, 104), (244, 238, 208)),
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


def _layer(size: tuple[int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    return layer, ImageDraw.Draw(layer)


def _hills(pen: ImageDraw.ImageDraw, size, rng: random.Random, base: float, colour, amplitude: float) -> None:
    width, height = size
    phase, waves = rng.random() * math.tau, rng.uniform(1.2, 2.6)
    points = [
        (x, height * base + amplitude * math.sin(phase + waves * math.tau * x / width))
        for x in range(0, width + 8, 8)
    ]
    pen.polygon([(0, height), *points, (width, height)], fill=colour)


def draw_illustration(title: str, size: tuple[int, int] = HERO_SIZE) -> bytes:
    """A JPEG of a calm, abstract editorial illustration for ``title`` (no text on it)."""
    rng = _rng(title)
    sky_top, sky_bottom, *forms = PALETTES[rng.randrange(len(PALETTES))]
    width, height = size
    picture = _gradient(size, sky_top, sky_bottom).convert("RGBA")

    # A low sun or moon, with a soft halo.
    glow, pen = _layer(size)
    cx, cy = rng.randint(width // 5, width * 4 // 5), rng.randint(height // 6, height // 2)
    radius = rng.randint(min(size) // 9, min(size) // 5)
    pen.ellipse((cx - radius * 2, cy - radius * 2, cx + radius * 2, cy + radius * 2), fill=(*forms[2], 70))
    glow = glow.filter(ImageFilter.GaussianBlur(radius=radius // 2))
    picture = Image.alpha_composite(picture, glow)
    disc, pen = _layer(size)
    pen.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*forms[0], 235))
    picture = Image.alpha_composite(picture, disc)

    # Large translucent forms drifting across the sky.
    shapes, pen = _layer(size)
    for _ in range(rng.randint(3, 5)):
        r = rng.randint(min(size) // 6, min(size) // 2)
        x, y = rng.randint(-r // 2, width), rng.randint(-r // 2, height * 2 // 3)
        colour = (*forms[rng.randrange(len(forms))], rng.randint(50, 110))
        pen.ellipse((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
    picture = Image.alpha_composite(picture, shapes.filter(ImageFilter.GaussianBlur(radius=3)))

    # Rolling bands towards the foreground, each a little darker.
    land, pen = _layer(size)
    for i, base in enumerate((0.62, 0.72, 0.84)):
        shade = tuple(max(0, round(c * (0.85 - 0.18 * i))) for c in forms[1])
        _hills(pen, size, rng, base, (*shade, 255), amplitude=height * rng.uniform(0.03, 0.08))
    picture = Image.alpha_composite(picture, land)

    # A few fine lines, like a pen's marks over a print.
    lines, pen = _layer(size)
    for _ in range(rng.randint(2, 4)):
        y = rng.randint(height // 8, height // 2)
        start = rng.randint(0, width // 2)
        end = (start + rng.randint(width // 4, width // 2), y + rng.randint(height // 10, height // 4))
        pen.arc(
            (start, y, *end),
            rng.randint(180, 220),
            rng.randint(320, 360),
            fill=(*forms[2], 200),
            width=max(2, width // 320),
        )
    picture = Image.alpha_composite(picture, lines)

    out = io.BytesIO()
    picture.convert("RGB").save(out, format="JPEG", quality=84)
    return out.getvalue()


def draw_portrait(title: str, size: tuple[int, int] = PORTRAIT_SIZE) -> bytes:
    """A JPEG of a head-and-shoulders silhouette on a tinted ground, for a byline (no text)."""
    rng = _rng(title)
    sky_top, sky_bottom, *forms = PALETTES[rng.randrange(len(PALETTES))]
    width, height = size
    picture = _gradient(size, forms[2], forms[1]).convert("RGBA")
    figure, pen = _layer(size)
    tone = tuple(round(c * 0.55) for c in sky_top)
    head = width // 6
    cx, cy = width // 2 + rng.randint(-width // 20, width // 20), height * 2 // 5
    pen.ellipse((cx - head, cy - head * 1.15, cx + head, cy + head * 1.15), fill=(*tone, 255))
    pen.ellipse((cx - width // 2.6, height * 0.68, cx + width // 2.6, height * 1.35), fill=(*tone, 255))
    picture = Image.alpha_composite(picture, figure)
    out = io.BytesIO()
    picture.convert("RGB").save(out, format="JPEG", quality=84)
    return out.getvalue()


def demo_image(title: str, *, description: str, size: tuple[int, int] = HERO_SIZE, portrait: bool = False):
    """The Wagtail image called ``title``, drawn and saved the first time it is asked for."""
    model = get_image_model()
    existing = model.objects.filter(title=title).order_by("pk").first()
    if existing is not None:
        return existing
    name = hashlib.sha1(title.encode()).hexdigest()[:12]
    data = draw_portrait(title, size) if portrait else draw_illustration(title, size)
    image = model(
        title=title, description=description, file=ImageFile(io.BytesIO(data), name=f"demo-{name}.jpg")
    )
    image.save()
    return image
