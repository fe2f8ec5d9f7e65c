"""Highlighted snippets: escaped text with the matched words in ``<mark>``.

Both implementations produce text with the matches between two private-use characters
(``MARK_START``/``MARK_END``): the engine through its highlighter's tags, the database one through
``mark_matches``. ``as_html`` then escapes everything and turns only those two characters into
``<mark>``/``</mark>``, so a title holding ``<script>`` comes out as text, in HTML and in JSON.
Document text never holds the two characters (``without_marks``).
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MARK_START = "\ue000"
MARK_END = "\ue001"
SNIPPET_LENGTH = 180

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_SUFFIXES = ("ing", "ies", "ied", "ed", "es", "ly", "s", "y", "e")


def without_marks(text: str) -> str:
    return (text or "").replace(MARK_START, "").replace(MARK_END, "")


def as_html(marked: str) -> SafeString:
    """``marked`` text, escaped, with its marked spans in ``<mark>``."""
    html = escape(marked).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def word_matches(word: str, stems: set[str]) -> bool:
    """Whether a word of the text matches one of the query's stems (same stem, or starts with it)."""
    lowered = word.lower()
    stem = _stem(lowered)
    return stem in stems or any(lowered.startswith(s) for s in stems if len(s) >= 4)


def mark_matches(text: str, words: list[str]) -> tuple[str, int]:
    """``text`` with every word matching one of ``words`` marked; and how many distinct words matched."""
    stems = {_stem(w) for w in words}
    found: set[str] = set()

    def mark(match: re.Match) -> str:
        word = match.group(0)
        if not word_matches(word, stems):
            return word
        found.add(_stem(word.lower()))
        return f"{MARK_START}{word}{MARK_END}"

    return _WORD_RE.sub(mark, without_marks(text)), len(found)


def snippet(text: str, words: list[str], length: int = SNIPPET_LENGTH) -> tuple[str, int]:
    """A passage of about ``length`` characters around the first match in ``text``, marked.

    Returns ``(marked passage, distinct words matched in the whole text)``; a text without a match
    gives its beginning, unmarked.
    """
    text = " ".join(without_marks(text).split())
    marked, hits = mark_matches(text, words)
    if len(text) <= length:
        return marked, hits
    first = marked.find(MARK_START)
    if first == -1:
        return _cut(text, 0, length), 0
    # Positions in ``marked`` run ahead of ``text`` by the marks before them: none before ``first``.
    start = max(0, first - length // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    passage = _cut(text, start, length)
    marked_passage, _ = mark_matches(passage, words)
    return marked_passage, hits


def _cut(text: str, start: int, length: int) -> str:
    end = start + length
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    passage = text[start:end].strip()
    return ("… " if start else "") + passage + (" …" if end < len(text) else "")
