"""What a reader asked for: their words, checked, and the filters that narrow the results.

Search never hands the reader's text to a query parser. The words are taken out of it (letters and
digits; everything else, Lucene syntax included, is a separator), so ``title:(a OR`` is a search for
"title", "a" and "or", and a query of only punctuation is refused with a message. The engine gets
the words through ``match``/``multi_match`` and the database through Wagtail's plain-text search;
neither parses operators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .conf import search_setting

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class QueryError(ValueError):
    """Words that cannot be searched; the message says why, for the reader."""


def search_words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, in order (repeats removed)."""
    return list(dict.fromkeys(word.lower() for word in _WORD_RE.findall(text)))


def parse_search_text(value: str) -> str:
    """The reader's text, trimmed, when it can be searched; raises ``QueryError`` otherwise.

    Example: ``"  sleep & anxiety "`` gives ``"sleep & anxiety"``; ``"***"`` is refused.
    """
    value = (value or "").strip()
    if not value:
        raise QueryError("must not be empty")
    max_length = int(search_setting("SEARCH_MAX_QUERY_LENGTH"))
    if len(value) > max_length:
        raise QueryError(f"must be at most {max_length} characters")
    if _CONTROL_RE.search(value):
        raise QueryError("must not contain control characters")
    words = search_words(value)
    if not words:
        raise QueryError("must contain at least one letter or digit")
    max_words = int(search_setting("SEARCH_MAX_WORDS"))
    if len(words) > max_words:
        # Searched with its first words rather than refused: every word must match, so more
        # would find nothing anyway, and a length the schema allows is never a 400.
        return " ".join(words[:max_words])
    return value


@dataclass(frozen=True)
class SearchQuery:
    """One search: ``text`` as the reader typed it (already checked by ``parse_search_text``),
    an optional ``section`` slug, ``topics`` slugs (any of them), and the page wanted."""

    text: str
    section: str | None = None
    topics: tuple[str, ...] = ()
    offset: int = 0
    limit: int = 10

    @property
    def words(self) -> list[str]:
        return search_words(self.text)

    @property
    def terms(self) -> str:
        """The words joined by spaces: the only form of the query any backend receives."""
        return " ".join(self.words)
