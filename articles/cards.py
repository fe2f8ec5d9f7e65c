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


def card_store(model: ReadModel, base_url: str, specs: dict[str, str] | None = None) -> dict[int, dict]:
    """The cards rendered on ``model`` for a public root and rendition specs (the API's by default)."""
    from website.conf import wellness_settings

    specs = tuple(sorted((specs if specs is not None else wellness_settings.API_RENDITIONS).items()))
    store = model.derive(("article-cards", base_url.rstrip("/"), specs), dict)
    if len(store) >= MAX_RENDERED_CARDS:
        store.clear()
    return store


class ArticleCards:
    """Cards of the visible articles among some ids: ``load`` (registers the images the cards not
    rendered yet need in the response's ``ImageBatch``), then, once the batch is resolved,
    ``rendered()``.

    ``token=None`` (previews) reads and renders every card afresh. Only cards found are returned:
    an id that is not live and public has no card. Rendered cards are kept per rendition specs of
    the batch (the HTML pages' ``HTML_RENDITIONS`` or the API's).
    """

    def __init__(self, base_url: str, token: str | None):
        self.model: ReadModel | None = read_model(token) if token is not None else None
        self.base_url = base_url
        self.store: dict[int, dict] = {}
        self.ids: list[int] = []
        self.rows: dict[int, ArticleRow] = {}
        self.images: ImageBatch | None = None

    def load(self, ids: list[int], images: ImageBatch) -> ArticleCards:
        self.ids = [i for i in dict.fromkeys(ids) if i]
        self.images = images
        if self.model is not None:
            self.store = card_store(self.model, self.base_url, images.specs)
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


def rendered_article_cards(
    ids: list[int], base_url: str, token: str | None, specs: dict[str, str] | None = None
) -> dict[int, dict]:
    """``ArticleCards`` for a response that shows no other images."""
    images = ImageBatch(base_url, specs)
    cards = ArticleCards(base_url, token).load(ids, images)
    images.resolve()
    return cards.rendered()


# HTML lists: cards of the read model's rows, for the templates' rendition specs.


def html_cards(ids: list[int], token: str | None, specs: dict[str, str] | None = None) -> list[dict]:
    """The cards of the visible articles among ``ids``, in that order, as the HTML templates show
    them (``articles/article_card.html``): image URLs relative, renditions ``HTML_RENDITIONS``
    (or ``specs``)."""
    from .images import HTML_RENDITIONS

    cards = rendered_article_cards(ids, "", token, specs or HTML_RENDITIONS)
    return [cards[pk] for pk in ids if pk in cards]


def page_of(request, items: list, per_page: int):
    """The page of ``items`` that ``?page=`` asks for; a bad or out-of-range number gives the first
    or last page."""
    from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

    paginator = Paginator(items, per_page)
    number = request.GET.get("page", 1) if request is not None else 1
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def _newest_first(row: ArticleRow) -> tuple:
    # Never-published rows (none are visible, but the order must not fail on one) go last.
    published = row.first_published_at
    return (published is not None, published.timestamp() if published else 0.0, row.id)


def newest_article_ids(token: str, path: str = "") -> list[int]:
    """Ids of the visible articles under the tree ``path`` (all of them for ``""``), newest first:
    from the read model (sorted once per generation and kept on it), or read above its size limit."""
    model = read_model(token)
    if model.articles is not None:
        rows = model.articles.values()
        return model.derive(
            ("newest-articles", path),
            lambda: [
                row.id for row in sorted(rows, key=_newest_first, reverse=True) if row.path.startswith(path)
            ],
        )
    from .models import ArticlePage
    from .visibility import visible

    queryset = visible(ArticlePage.objects.filter(path__startswith=path))
    return list(queryset.order_by("-first_published_at", "-pk").values_list("pk", flat=True))


def articles_by_person(token: str, person_id: int) -> tuple[list[int], list[int]]:
    """Ids of the visible articles ``person_id`` wrote and reviewed (the live review), newest first."""
    model = read_model(token)
    if model.articles is not None:

        def build() -> dict[int, tuple[list[int], list[int]]]:
            found: dict[int, tuple[list[int], list[int]]] = {}
            for row in sorted(model.articles.values(), key=_newest_first, reverse=True):
                for author_id in dict.fromkeys(row.author_ids):
                    found.setdefault(author_id, ([], []))[0].append(row.id)
                if row.reviewer_id:
                    found.setdefault(row.reviewer_id, ([], []))[1].append(row.id)
            return found

        return model.derive("articles-by-person", build).get(person_id, ([], []))
    from .models import ArticlePage
    from .visibility import visible

    def ids(queryset) -> list[int]:
        ordered = visible(queryset).order_by("-first_published_at", "-pk").values_list("pk", flat=True)
        return list(dict.fromkeys(ordered))

    return (
        ids(ArticlePage.objects.filter(article_authors__person_id=person_id)),
        ids(ArticlePage.objects.filter(last_review__reviewer_id=person_id)),
    )
