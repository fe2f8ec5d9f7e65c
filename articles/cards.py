"""Article cards: the read model's rows rendered as the card dict every list embeds.

A card (title, byline, reviewer badge, section, topics, hero rendition…) is the same wherever it is
shown: the article list, the bundle's picks and related articles, the related endpoint, expert
profiles, search results. ``ArticleCards`` takes the rows from this generation's snapshot
(``articles.readmodel``; read per request above its size limit and for previews), registers their
hero images in the response's ``ImageBatch`` and renders them once the batch is resolved. Rendered
cards are kept on the snapshot (``ReadModel.derive``), per public root and rendition specs, so an
embedded card usually costs no query at all, and none outlives its generation.
"""

from __future__ import annotations

from common.text import clean_text, front_end_path, site_root_paths

from .images import ImageBatch
from .readmodel import ArticleRow, Byline, ReadModel, SectionRef, read_article_rows, read_model

__all__ = ["ArticleCards", "render_article_card", "rendered_article_cards"]

# A rendered card is about 1.6 kB: above this many per snapshot (only possible above the read
# model's size limit) the snapshot's card store starts again empty.
MAX_RENDERED_CARDS = 20000


def render_byline(byline: Byline) -> dict:
    return {
        "slug": byline.slug,
        "name": clean_text(byline.name),
        "honorific": clean_text(byline.honorific),
        "display_name": clean_text(byline.display_name),
        "board_badge": byline.board_badge,
    }


def render_section_ref(section: SectionRef | None, roots: list[str] | None = None) -> dict | None:
    if section is None:
        return None
    roots = roots if roots is not None else site_root_paths()
    return {
        "slug": section.slug,
        "title": clean_text(section.title),
        "url_path": front_end_path(section.url_path, roots) or section.url_path,
    }


def render_article_card(row: ArticleRow, images: ImageBatch, roots: list[str] | None = None) -> dict:
    """The card of ``row`` (its hero image resolved in ``images``)."""
    roots = roots if roots is not None else site_root_paths()
    return {
        "id": row.id,
        "slug": row.slug,
        "url_path": front_end_path(row.url_path, roots) or row.url_path,
        "title": clean_text(row.title),
        "standfirst": clean_text(row.standfirst),
        "section": render_section_ref(row.section, roots),
        "topics": [{"slug": t.slug, "name": clean_text(t.name)} for t in row.topics],
        "image": images.rendition(row.hero_image_id, "card", alt=row.hero_alt or None),
        "authors": [render_byline(b) for b in row.authors],
        "reviewer": render_byline(row.reviewer) if row.reviewer is not None else None,
        "reading_time": row.reading_time,
        "first_published_at": row.first_published_at,
        "last_published_at": row.last_published_at,
        "last_reviewed_at": row.last_reviewed_at if row.reviewer_id else None,
        "review_status": row.review_status,
    }


def card_store(model: ReadModel, base_url: str) -> dict[int, dict]:
    """The cards rendered on ``model`` for a public root (and the current rendition specs)."""
    from website.conf import wellness_settings

    specs = tuple(sorted(wellness_settings.API_RENDITIONS.items()))
    store = model.derive(("article-cards", base_url.rstrip("/"), specs), dict)
    if len(store) >= MAX_RENDERED_CARDS:
        store.clear()
    return store


class ArticleCards:
    """Cards of the visible articles among some ids: ``load`` (registers the images the cards not
    rendered yet need in the response's ``ImageBatch``), then, once the batch is resolved,
    ``rendered()``.

    ``token=None`` (previews) reads and renders every card afresh. Only cards found are returned:
    an id that is not live and public has no card.
    """

    def __init__(self, base_url: str, token: str | None):
        self.model: ReadModel | None = read_model(token) if token is not None else None
        self.store = card_store(self.model, base_url) if self.model is not None else {}
        self.ids: list[int] = []
        self.rows: dict[int, ArticleRow] = {}
        self.images: ImageBatch | None = None

    def load(self, ids: list[int], images: ImageBatch) -> ArticleCards:
        self.ids = [i for i in dict.fromkeys(ids) if i]
        self.images = images
        missing = [i for i in self.ids if i not in self.store]
        if self.model is not None:
            self.rows = self.model.rows(missing)
        else:
            self.rows = read_article_rows(missing)
        for row in self.rows.values():
            images.want(row.hero_image_id)
        return self

    def rendered(self) -> dict[int, dict]:
        roots = site_root_paths()
        fresh = {pk: render_article_card(row, self.images, roots) for pk, row in self.rows.items()}
        self.store.update(fresh)
        # ``get``: another request may start the store afresh meanwhile (``MAX_RENDERED_CARDS``).
        found = {pk: fresh.get(pk) or self.store.get(pk) for pk in self.ids}
        return {pk: card for pk, card in found.items() if card is not None}


def rendered_article_cards(ids: list[int], base_url: str, token: str | None) -> dict[int, dict]:
    """``ArticleCards`` for a response that shows no other images."""
    images = ImageBatch(base_url)
    cards = ArticleCards(base_url, token).load(ids, images)
    images.resolve()
    return cards.rendered()
