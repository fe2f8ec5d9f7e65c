"""ISO 3166 countries and ISO 639-1 languages: codes and names, from pycountry (flags: ``experts.flags``)."""

from functools import cache

import pycountry


@cache
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])


@cache
def language_choices() -> list[tuple[str, str]]:
    langs = [(lang.alpha_2, lang.name) for lang in pycountry.languages if hasattr(lang, "alpha_2")]
    return sorted(langs, key=lambda c: c[1])


@cache
def _countries() -> dict[str, str]:
    return dict(country_choices())


@cache
def _languages() -> dict[str, str]:
    return dict(language_choices())


def is_country(code: str) -> bool:
    return isinstance(code, str) and code.upper() == code and code in _countries()


def is_language(code: str) -> bool:
    return isinstance(code, str) and code in _languages()


def country_name(code: str) -> str:
    return _countries().get(code, code)


def language_name(code: str) -> str:
    return _languages().get(code, code)


def country_codes() -> list[str]:
    return [code for code, _ in country_choices()]


def language_codes() -> list[str]:
    return [code for code, _ in language_choices()]
