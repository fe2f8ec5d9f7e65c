"""The outline of an article body: what each block's place on the page gives it.

One walk over the body's stored blocks assigns every heading a link target unique on the page
(``next-steps``, ``next-steps-2``) and numbers the citations in order. The HTML page
(``articles.page_context``) and the API bundle (``website.api.bundle``) both take the outline from
here, so a reader following an anchor or a reference number gets the same one in either. The walk
asks each block (``BodyBlock.anchor_base``, ``BodyBlock.numbered``); it runs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .blocks import ArticleBodyBlock, BodyBlock

BODY_BLOCK = ArticleBodyBlock()


@dataclass
class OutlineItem:
    """One stored body block and what the page gives it."""

    index: int
    kind: str
    block_id: str
    raw: Any
    block: BodyBlock | None  # None: a type the body no longer knows (left out everywhere)
    anchor: str = ""  # heading: its id, unique on the page
    number: int | None = None  # citation: its number in the reference list


def body_outline(raw_blocks) -> list[OutlineItem]:
    """The outline of a body given as stored data (``StreamValue.raw_data`` or a list of dicts)."""
    items: list[OutlineItem] = []
    anchors: set[str] = set()
    numbered = 0
    for index, stored in enumerate(raw_blocks or []):
        if not isinstance(stored, dict):
            continue
        kind = stored.get("type") or ""
        block = BODY_BLOCK.child_blocks.get(kind)
        item = OutlineItem(index, kind, str(stored.get("id") or ""), stored.get("value"), block)
        if block is not None:
            base = block.anchor_base(item.raw) if isinstance(item.raw, dict) else None
            if base:
                item.anchor, n = base, 1
                while item.anchor in anchors:
                    n += 1
                    item.anchor = f"{base}-{n}"
                anchors.add(item.anchor)
            if block.numbered and isinstance(item.raw, dict):
                numbered += 1
                item.number = numbered
        items.append(item)
    return items
