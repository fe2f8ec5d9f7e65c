"""Country flags as small SVG images, drawn by our own code from simple stripe specs.

Readers see the flag beside the country's name (the name carries the meaning; the flag is
decoration, hidden from assistive technology). Emoji flags are not used: without an emoji font
they render as empty boxes. A country without a drawn flag gets a neutral tile with its code.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from .countries import is_country

WIDTH, HEIGHT = 24, 16

# (orientation, colours): equal horizontal ("h") or vertical ("v") stripes.
STRIPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AT": ("h", ("#c8102e", "#ffffff", "#c8102e")),
    "BE": ("v", ("#000000", "#fdda24", "#ef3340")),
    "DE": ("h", ("#000000", "#dd0000", "#ffce00")),
    "EE": ("h", ("#0072ce", "#000000", "#ffffff")),
    "FR": ("v", ("#002654", "#ffffff", "#ce1126")),
    "HU": ("h", ("#ce2939", "#ffffff", "#477050")),
    "IE": ("v", ("#169b62", "#ffffff", "#ff883e")),
    "IT": ("v", ("#009246", "#ffffff", "#ce2b37")),
    "LT": ("h", ("#fdb913", "#006a44", "#c1272d")),
    "LU": ("h", ("#ed2939", "#ffffff", "#00a1de")),
    "NL": ("h", ("#ae1c28", "#ffffff", "#21468b")),
    "PL": ("h", ("#ffffff", "#dc143c")),
    "RO": ("v", ("#002b7f", "#fcd116", "#ce1126")),
    "UA": ("h", ("#0057b7", "#ffd700")),
}

# Nordic crosses: (field, cross, inner cross or None).
CROSSES: dict[str, tuple[str, str, str | None]] = {
    "DK": ("#c8102e", "#ffffff", None),
    "FI": ("#ffffff", "#002f6c", None),
    "IS": ("#02529c", "#ffffff", "#dc1e35"),
    "NO": ("#ba0c2f", "#ffffff", "#00205b"),
    "SE": ("#006aa7", "#fecc00", None),
}


def _stripes(orientation: str, colours: tuple[str, ...]) -> str:
    n = len(colours)
    parts = []
    for i, colour in enumerate(colours):
        if orientation == "h":
            y0, y1 = round(HEIGHT * i / n, 3), round(HEIGHT * (i + 1) / n, 3)
            h = round(y1 - y0, 3)
            parts.append(f'<rect x="0" y="{y0}" width="{WIDTH}" height="{h}" fill="{colour}"/>')
        else:
            x0, x1 = round(WIDTH * i / n, 3), round(WIDTH * (i + 1) / n, 3)
            w = round(x1 - x0, 3)
            parts.append(f'<rect x="{x0}" y="0" width="{w}" height="{HEIGHT}" fill="{colour}"/>')
    return "".join(parts)


def _cross(field: str, cross: str, inner: str | None) -> str:
    parts = [
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{field}"/>',
        f'<rect x="7" y="0" width="4" height="{HEIGHT}" fill="{cross}"/>',
        f'<rect x="0" y="6" width="{WIDTH}" height="4" fill="{cross}"/>',
    ]
    if inner:
        parts.append(f'<rect x="8" y="0" width="2" height="{HEIGHT}" fill="{inner}"/>')
        parts.append(f'<rect x="0" y="7" width="{WIDTH}" height="2" fill="{inner}"/>')
    return "".join(parts)


def _special(code: str) -> str | None:
    if code == "GB":
        return (
            '<rect width="24" height="16" fill="#012169"/>'
            '<path d="M0 0L24 16M24 0L0 16" stroke="#ffffff" stroke-width="3.2"/>'
            '<path d="M0 0L24 16M24 0L0 16" stroke="#c8102e" stroke-width="1.1"/>'
            '<path d="M12 0V16M0 8H24" stroke="#ffffff" stroke-width="5"/>'
            '<path d="M12 0V16M0 8H24" stroke="#c8102e" stroke-width="3"/>'
        )
    if code == "US":
        stripes = "".join(
            f'<rect x="0" y="{round(i * 16 / 13, 3)}" width="24" height="{round(16 / 13, 3)}" '
            'fill="#b22234"/>'
            for i in range(0, 13, 2)
        )
        canton = '<rect width="10" height="8.615" fill="#3c3b6e"/>'
        return f'<rect width="24" height="16" fill="#ffffff"/>{stripes}{canton}'
    if code == "ES":
        return (
            '<rect width="24" height="16" fill="#aa151b"/><rect y="4" width="24" height="8" fill="#f1bf00"/>'
        )
    if code == "CH":
        return (
            '<rect width="24" height="16" fill="#da291c"/>'
            '<rect x="10.5" y="3.5" width="3" height="9" fill="#ffffff"/>'
            '<rect x="7.5" y="6.5" width="9" height="3" fill="#ffffff"/>'
        )
    if code == "PT":
        return '<rect width="24" height="16" fill="#da291c"/><rect width="9.6" height="16" fill="#046a38"/>'
    if code == "JP":
        return '<rect width="24" height="16" fill="#ffffff"/><circle cx="12" cy="8" r="4.8" fill="#bc002d"/>'
    return None


def flag_shapes(code: str) -> str:
    """The SVG body (without the ``<svg>`` element) of ``code``'s flag, or a neutral tile."""
    if code in STRIPES:
        return _stripes(*STRIPES[code])
    if code in CROSSES:
        return _cross(*CROSSES[code])
    special = _special(code)
    if special is not None:
        return special
    return (
        '<rect width="24" height="16" fill="#e8eaed"/>'
        f'<text x="12" y="11.5" font-family="sans-serif" font-size="8" text-anchor="middle" '
        f'fill="#3c4043">{escape(code)}</text>'
    )


def has_drawn_flag(code: str) -> bool:
    return code in STRIPES or code in CROSSES or _special(code) is not None


def flag_document(code: str) -> str:
    """A standalone SVG document of ``code``'s flag (served by ``flag_view``)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">{flag_shapes(code)}'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="none" stroke="#00000033" stroke-width="1"/></svg>'
    )


def flag_view(request: HttpRequest, code: str) -> HttpResponse:
    """``/flags/<code>.svg``: the flag as an image (pages carry no inline SVG: see tests/security)."""
    if not is_country(code):
        raise Http404("No such country.")
    response = HttpResponse(flag_document(code), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=604800"
    return response


def flag_svg(code: str) -> SafeString:
    """A small flag image for an ISO 3166 alpha-2 ``code`` (decorative: alt=""), or ``""``."""
    if not is_country(code):
        return SafeString("")
    return format_html(
        '<img class="flag" src="{}" alt="" width="{}" height="{}">',
        reverse("country_flag", args=(code,)),
        WIDTH,
        HEIGHT,
    )
