"""Plain text out of an article body: for reading time, search snippets and similarity."""

from __future__ import annotations

from django.utils.html import strip_tags

# Block types whose words a reader reads as part of the article.
_TEXT_KEYS = ("text", "question", "answer", "caption", "title")


def block_words(value) -> list[str]:
    """The words a reader reads in one block value (rich text, text, FAQ items, captions…)."""
    if value is None:
        return []
    if hasattr(value, "source"):  # RichText
        return [strip_tags(value.source)]
    if isinstance(value, str):
        return [strip_tags(value)]
    if isinstance(value, dict) or hasattr(value, "items") and not isinstance(value, list | tuple):
        out = []
        for key, item in value.items():
            if key in _TEXT_KEYS or key == "items":
                out += block_words(item)
        return out
    if isinstance(value, list | tuple) or hasattr(value, "__iter__"):
        out = []
        for item in value:
            out += block_words(item)
        return out
    return []


def stream_child_words(child) -> list[str]:
    """The words of one body block (a StreamValue child), as the block class gives them."""
    plain_words = getattr(child.block, "plain_words", None)
    return plain_words(child.value) if plain_words is not None else block_words(child.value)


def body_plain_text(body, skip: tuple[str, ...] = ("citation", "find_support")) -> str:
    """The words of a body, block by block, leaving out blocks named in ``skip``."""
    parts: list[str] = []
    for block in body or []:
        if block.block_type in skip:
            continue
        parts += stream_child_words(block)
    return " ".join(p.strip() for p in parts if p and p.strip())
