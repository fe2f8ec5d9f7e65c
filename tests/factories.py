"""Test data builders shared by every test module.

Plain functions rather than factory classes: page creation in Wagtail goes through the tree
(``add_child``) and revisions, which read more clearly spelt out than hidden in a factory.
"""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page, Site

from articles.models import ArticleAuthor, ArticlePage, EditorialPick, HomePage, SectionPage
from experts.models import Approach, Credential, Language, Listing, ListingType, Person, Topic

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_seq)}"


def home_page() -> HomePage:
    """The site's home page, made the default site's root (created once per test database)."""
    existing = HomePage.objects.first()
    if existing:
        return existing
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Home", slug=unique("home")))
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        site.root_page = home
        site.save()
    else:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return home


def section(title: str = "Trends & Signals", **fields) -> SectionPage:
    """A published section. Unlike the model's default, it does not require expert review to
    publish (most tests publish articles directly); tests of the publishing gate pass
    ``expert_review_required=True``."""
    fields.setdefault("expert_review_required", False)
    home = home_page()
    page = SectionPage(title=title, slug=fields.pop("slug", slugify(title) or unique("section")), **fields)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def topic(name: str, **fields) -> Topic:
    obj, _ = Topic.objects.get_or_create(name=name, defaults={"slug": slugify(name), **fields})
    return obj


def approach(name: str, synonyms: str = "") -> Approach:
    obj, _ = Approach.objects.get_or_create(name=name, defaults={"slug": slugify(name), "synonyms": synonyms})
    return obj


def listing_type(name: str = "Couples therapist", **fields) -> ListingType:
    obj, _ = ListingType.objects.get_or_create(name=name, defaults={"slug": slugify(name), **fields})
    return obj


def person(
    name: str | None = None,
    *,
    board: bool = False,
    reviewer: bool = False,
    author: bool = True,
    credential_valid: bool = True,
    user=None,
    **fields,
) -> Person:
    name = name or unique("Person")
    obj = Person.objects.create(
        name=name,
        slug=fields.pop("slug", slugify(name)),
        is_board_member=board,
        is_reviewer=reviewer,
        is_author=author,
        user=user,
        **fields,
    )
    if board or reviewer:
        today = timezone.localdate()
        Credential.objects.create(
            person=obj,
            title="PhD, Clinical Psychology",
            verified_on=today - datetime.timedelta(days=100),
            expires_on=today + datetime.timedelta(days=365 if credential_valid else -1),
            licence_number="LIC-PRIVATE-123",
        )
    return obj


def user(username: str | None = None, *, groups: tuple[str, ...] = (), superuser: bool = False, **fields):
    User = get_user_model()
    username = username or unique("user")
    if superuser:
        obj = User.objects.create_superuser(username=username, email=f"{username}@example.org", password="pw")
    else:
        obj = User.objects.create_user(
            username=username, email=f"{username}@example.org", password="pw", **fields
        )
    if groups:
        from django.contrib.auth.models import Group

        obj.groups.add(*Group.objects.filter(name__in=groups))
    return obj


def listing(
    name: str | None = None,
    *,
    type_name: str = "Couples therapist",
    country: str = "DE",
    languages: tuple[str, ...] = ("en",),
    specialties: tuple[Topic, ...] = (),
    approaches: tuple[Approach, ...] = (),
    **fields,
) -> Listing:
    name = name or unique("Practitioner")
    fields.setdefault("summary", f"{name} works with adults and couples.")
    fields.setdefault("verified", True)
    obj = Listing.objects.create(
        name=name,
        slug=fields.pop("slug", slugify(name)),
        listing_type=listing_type(type_name),
        country=country,
        **fields,
    )
    obj.languages.set(Language.objects.filter(code__in=languages))
    obj.specialties.set(specialties)
    obj.approaches.set(approaches)
    obj.save()  # parental many-to-many relations are written on save
    return obj


def article(
    parent: SectionPage | None = None,
    title: str | None = None,
    *,
    body=None,
    topics=(),
    authors: tuple[Person, ...] = (),
    picks: tuple[Page, ...] = (),
    publish: bool = True,
    **fields,
) -> ArticlePage:
    """An article under ``parent`` (a new section if omitted), published unless ``publish=False``."""
    parent = parent or SectionPage.objects.first() or section()
    title = title or unique("Article")
    page = ArticlePage(
        title=title,
        slug=fields.pop("slug", slugify(title)),
        standfirst=fields.pop("standfirst", f"About {title}."),
        body=body or [("paragraph", "<p>Some words about trust and repair.</p>")],
        **fields,
    )
    parent.add_child(instance=page)
    # sort_order set as the admin's inline panels set it (NULLs sort differently per database).
    for order, person_ in enumerate(authors or (person(),)):
        ArticleAuthor.objects.create(page=page, person=person_, sort_order=order)
    for order, pick in enumerate(picks):
        EditorialPick.objects.create(page=page, picked=pick, sort_order=order)
    for name in topics:
        page.topics.add(name if isinstance(name, Topic) else topic(name))
    page.save()
    revision = page.save_revision()
    if publish:
        revision.publish()
    else:
        page.unpublish() if page.live else None
    page.refresh_from_db()
    return page


def expert_review(
    page: ArticlePage,
    reviewer: Person | None = None,
    *,
    summary: str = "Checked against the sources.",
    reviewed_at: datetime.datetime | None = None,
):
    """Records an (imported) expert review of ``page``'s live content and returns the refreshed page."""
    from articles.reviews import record_imported_review

    reviewer = reviewer or person(board=True, reviewer=True, honorific="Dr.")
    record_imported_review(page, reviewer, reviewed_at or timezone.now(), summary)
    return ArticlePage.objects.get(pk=page.pk)


def block(type_: str, value) -> dict:
    """One body block in stored (raw) form, e.g. ``block("heading", {"text": "Why", "level": "h2"})``."""
    return {"type": type_, "value": value}


def citation_value(title: str = "Repair after betrayal in couples", **fields) -> dict:
    return {
        "title": title,
        "authors": "Lind, Okafor",
        "journal": "Journal of Couple Studies",
        "year": 2021,
        "doi": "10.1000/jcs.2021.7",
        "pmid": "",
        "url": "",
        **fields,
    }


def faq_value(*pairs: tuple[str, str], title: str = "FAQ") -> dict:
    return {"title": title, "items": [{"question": q, "answer": f"<p>{a}</p>"} for q, a in pairs]}


def find_support_value(
    listings=(),
    *,
    mode: str = "manual",
    title: str = "Find Support For Your Needs",
    listing_type=None,
    count: int = 2,
    include_products: bool = False,
) -> dict:
    return {
        "title": title,
        "mode": mode,
        "listings": [item.pk for item in listings],
        "listing_type": listing_type.pk if listing_type else None,
        "count": count,
        "include_products": include_products,
    }


def image(title: str = "Two chairs facing each other", *, size: tuple[int, int] = (64, 48)):
    """A small PNG made with Pillow, stored as a Wagtail image."""
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    buffer = io.BytesIO()
    PILImage.new("RGB", size, (90, 140, 120)).save(buffer, format="PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name=f"{slugify(title) or 'image'}.png")
    )


# Self-checks


def self_check(slug: str | None = None, *, questions=None, bands=None, **fields):
    """A published self-check: by default two questions scored 0–2 each and three bands over 0–4;
    the second question's last option is a crisis answer."""
    from selfchecks.content import write_self_check

    slug = slug or unique("check")
    if questions is None:
        questions = [
            {
                "text": "How often do you feel uneasy?",
                "options": [("Rarely", 0), ("Sometimes", 1), ("Often", 2)],
            },
            {
                "text": "Do you feel safe at home?",
                "options": [("Yes", 0), ("Mostly", 1), ("No", 2, True)],
            },
        ]
    if bands is None:
        bands = [
            {"min_score": 0, "max_score": 1, "label": "Steady", "message": "Things seem steady."},
            {"min_score": 2, "max_score": 3, "label": "Some strain", "message": "There is some strain."},
            {"min_score": 4, "max_score": 4, "label": "Heavy strain", "message": "There is a lot of strain."},
        ]
    fields.setdefault("title", f"Check {slug}")
    fields.setdefault("intro", "A short reflective check.")
    return write_self_check(slug, questions=questions, bands=bands, **fields)
