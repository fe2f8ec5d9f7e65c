"""The blocks an article body is written in.

Each block owns everything about itself: its admin form (fields, icon, help), its HTML template
under ``templates/blocks/``, its API shape (``get_api_representation``), its content-package codec
(``to_package`` / ``from_package`` / ``check_package``) and the words it adds to plain text
(``plain_words``). Adding a block is one class here, one template and its tests; the API bundle,
the HTML page, the importer and exporter and the plain text for search and ranking ask the blocks
and never switch on block type names.

The API representation works on the block's *stored* value (``StreamValue.raw_data``), not on
Wagtail's Python value: turning raw data into Python values costs a query per chooser, while the
article presenter (``articles.presenter``) loads every image, listing, self-check and linked page a
body refers to in one query per kind. The ``context`` carries the API's renderer of what it loaded
(``context["presenter"]``, see ``ApiContext``) and
the block's place in the body (``context["item"]``, an ``articles.presenter.OutlineItem`` with the
heading's unique anchor or the citation's number). Called without a presenter (Wagtail's own API,
``APIField("body")``), the blocks keep Wagtail's default behaviour.
"""

from __future__ import annotations

import html
import uuid
from typing import Any, Protocol

import nh3
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.text import slugify
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from common.links import http_url_validator

RICH_FEATURES = ["bold", "italic", "link", "ul", "ol", "superscript"]
INLINE_FEATURES = ["bold", "italic", "link", "superscript"]
HEADING_LEVELS = [("h2", "Heading 2"), ("h3", "Heading 3")]
LIST_STYLES = [("unordered", "Bulleted"), ("ordered", "Numbered")]
LIST_MAX_ITEMS = 20
MANUAL_REASON = "Chosen by our editors"


def list_items(raw) -> list:
    """Values of a ListBlock in either stored form (``[{"type": "item", "value": …}]`` or plain)."""
    out = []
    for item in raw or []:
        if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
            out.append(item["value"])
        else:
            out.append(item)
    return out


def int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _words(value) -> str:
    """Text without markup (a script's content goes with it), entities decoded: what a slug is made of."""
    return html.unescape(nh3.clean(str(value or ""), tags=set(), clean_content_tags={"script", "style"}))


def _rich_source(value) -> str:
    return getattr(value, "source", value) or ""


def _stored_items(values) -> list[dict]:
    return [{"type": "item", "value": value, "id": str(uuid.uuid4())} for value in values]


class ApiContext(Protocol):
    """What a block's API representation may ask of the presenter that renders the body
    (``website.api.bundle.BundleBuilder``, rendering what ``articles.presenter.ArticlePresenter``
    loaded): sanitised text and URLs, rich text with resolved links, and the images, find-support
    groups (by the block's place in the body) and self-checks loaded in batches before rendering."""

    def text(self, value: Any) -> str: ...
    def url(self, value: Any) -> str | None: ...
    def rich(self, source: Any) -> dict: ...
    def image(self, image_id: int | None, spec: str, alt: str | None = None) -> dict | None: ...
    def support_group(self, index: int) -> dict: ...
    def self_check_card(self, self_check_id: int | None) -> dict | None: ...


class PackageChecks(Protocol):
    """The checks of references a block in a content package can ask the importer's validator for
    (``articles.content_package._Checker``); every message names the package path it is given."""

    self_checks: dict[str, bool]  # slug → published, of the self-checks in the database

    def error(self, path: list, message: str) -> None: ...
    def is_inactive(self, slug: str) -> bool: ...
    def ref(self, path: list, kind: str, slug: Any, label: str) -> bool: ...
    def image(self, path: list, title: Any) -> None: ...


class BodyBlock:
    """What every body block knows beyond its form and template. Mixed into a Wagtail block class."""

    # Whether the block is an entry of the numbered reference list.
    numbered = False

    def anchor_base(self, raw) -> str | None:
        """The link target a heading gets before it is made unique on the page; None: no anchor."""
        return None

    def wants(self, raw) -> list[tuple[str, Any]]:
        """What the article presenter must load before rendering this block, as ``(kind, key)`` pairs:
        ``("rich", source)``, ``("image", id)``, ``("self_check", id)``, ``("support_group", raw)``."""
        return []

    def get_api_representation(self, value, context=None):
        presenter = (context or {}).get("presenter")
        if presenter is None:
            return super().get_api_representation(value, context)
        return self.api_value(value, presenter, context.get("item"))

    def api_value(self, raw, presenter: ApiContext, item) -> Any:
        """The block's value in the API bundle, from its stored value; None leaves the block out."""
        raise NotImplementedError

    def collected(self, api_value) -> list[tuple[str, Any]]:
        """Entries the block adds to the bundle's page-wide lists (``citations``, ``faq``)."""
        return []

    def to_package(self, value) -> Any:
        """The block's Python value as content-package JSON: other objects by slug, images by title."""
        raise NotImplementedError

    def check_package(self, data: dict, path: list, checks: PackageChecks) -> None:
        """Reports what the content package schema cannot check (references to other objects)."""

    def from_package(self, data: Any) -> Any:
        """The stored value for content-package JSON that ``check_package`` accepted."""
        return data

    def plain_words(self, value) -> list[str]:
        """The words a reader reads in this block, one string per separate run of text."""
        from .text import block_words

        return block_words(value)


def heading_tag(level) -> str:
    """The element a heading renders as: its level when it is one of HEADING_LEVELS, else h2. A
    stored value that never went through the form (shell, data migration) cannot become markup."""
    return level if level in dict(HEADING_LEVELS) else "h2"


def http_url_block(**kwargs) -> blocks.URLBlock:
    """A URL field that takes http(s) addresses only (Django's default also allows ftp)."""
    return blocks.URLBlock(validators=[http_url_validator], **kwargs)


class HeadingBlock(BodyBlock, blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=HEADING_LEVELS, default="h2")
    anchor = blocks.CharBlock(
        required=False, max_length=80, help_text="Link target (#anchor). Left empty, made from the text."
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = "Heading"

    def clean(self, value):
        value = super().clean(value)
        if value.get("anchor"):
            value["anchor"] = slugify(value["anchor"])
        return value

    def anchor_for(self, value) -> str:
        """The heading's own link target (the page makes repeated ones unique: ``x``, ``x-2``)."""
        return slugify(value.get("anchor") or "") or slugify(_words(value.get("text")))[:80]

    def anchor_base(self, raw) -> str | None:
        return self.anchor_for(raw) or "section"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["anchor"] = self.anchor_for(value)
        context["tag"] = heading_tag(value.get("level"))
        return context

    def api_value(self, raw, presenter, item):
        if not isinstance(raw, dict):
            return None
        anchor = item.anchor if item is not None else self.anchor_for(raw)
        return {
            "text": presenter.text(raw.get("text")),
            "level": heading_tag(raw.get("level")),
            "anchor": anchor,
        }

    def to_package(self, value):
        return {"text": value["text"], "level": value["level"], "anchor": value["anchor"] or ""}


class QuoteBlock(BodyBlock, blocks.StructBlock):
    text = blocks.TextBlock()
    speaker = blocks.CharBlock(required=False, max_length=120)
    credential = blocks.CharBlock(
        required=False, max_length=160, help_text='e.g. "Licensed Marriage and Family Therapist (LMFT)"'
    )

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        label = "Pull quote"

    def api_value(self, raw, presenter, item):
        if not isinstance(raw, dict):
            return None
        return {name: presenter.text(raw.get(name)) for name in ("text", "speaker", "credential")}

    def to_package(self, value):
        return {
            "text": value["text"],
            "speaker": value["speaker"] or "",
            "credential": value["credential"] or "",
        }


class CitationBlock(BodyBlock, blocks.StructBlock):
    """A research citation. In the body it shows as a numbered marker; all of them are listed,
    in order, in the article's reference list."""

    title = blocks.CharBlock(max_length=300)
    authors = blocks.CharBlock(required=False, max_length=300)
    journal = blocks.CharBlock(required=False, max_length=200)
    year = blocks.IntegerBlock(required=False, min_value=1800, max_value=2100)
    doi = blocks.CharBlock(required=False, max_length=200, label="DOI")
    pmid = blocks.CharBlock(required=False, max_length=20, label="PMID")
    url = http_url_block(required=False)

    numbered = True

    class Meta:
        icon = "doc-full"
        template = "blocks/citation_block.html"
        label = "Research citation"

    def api_value(self, raw, presenter, item):
        from .jsonld import citation_url

        if not isinstance(raw, dict):
            return None
        return {
            "number": item.number if item is not None else None,
            **{name: presenter.text(raw.get(name)) for name in ("title", "authors", "journal")},
            "year": int_or_none(raw.get("year")),
            "doi": presenter.text(raw.get("doi")),
            "pmid": presenter.text(raw.get("pmid")),
            "url": presenter.url(raw.get("url")),
            "link": presenter.url(citation_url({k: raw.get(k) for k in ("url", "doi", "pmid")})),
        }

    def collected(self, api_value):
        return [("citations", api_value)]

    def to_package(self, value):
        out = {name: value[name] or "" for name in ("title", "authors", "journal", "doi", "pmid", "url")}
        out["year"] = value["year"]
        return out

    def clean(self, value):
        value = super().clean(value)
        pmid = value.get("pmid")
        if pmid and not str(pmid).isdigit():
            raise StructBlockValidationError({"pmid": ValidationError("A PMID is a number.")})
        doi = value.get("doi")
        if doi and not str(doi).startswith("10."):
            raise StructBlockValidationError({"doi": ValidationError('A DOI starts with "10."')})
        return value


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=300)
    answer = blocks.RichTextBlock(features=RICH_FEATURES)


class FAQBlock(BodyBlock, blocks.StructBlock):
    title = blocks.CharBlock(default="FAQ", max_length=120)
    items = blocks.ListBlock(FAQItemBlock(), min_num=1)

    class Meta:
        icon = "help"
        template = "blocks/faq_block.html"
        label = "FAQ"

    def wants(self, raw):
        if not isinstance(raw, dict):
            return []
        return [("rich", i.get("answer")) for i in list_items(raw.get("items")) if isinstance(i, dict)]

    def api_value(self, raw, presenter, item):
        if not isinstance(raw, dict):
            return None
        items = [
            {"question": presenter.text(i.get("question")), "answer": presenter.rich(i.get("answer"))}
            for i in list_items(raw.get("items"))
            if isinstance(i, dict)
        ]
        return {"title": presenter.text(raw.get("title")), "items": items}

    def collected(self, api_value):
        return [("faq", entry) for entry in api_value["items"]]

    def to_package(self, value):
        return {
            "title": value["title"],
            "items": [
                {"question": i["question"], "answer": _rich_source(i["answer"])} for i in value["items"]
            ],
        }

    def from_package(self, data):
        return {**data, "items": _stored_items(data["items"])}


class FindSupportBlock(BodyBlock, blocks.StructBlock):
    """A group of practitioner cards. Manual: the listings chosen here. Automatic: the
    recommendation engine fills it for the reader's context, optionally of one listing type."""

    title = blocks.CharBlock(default="Find Support For Your Needs", max_length=120)
    mode = blocks.ChoiceBlock(
        choices=[
            ("manual", "Manual: the listings below"),
            ("automatic", "Automatic: recommended for the reader"),
        ],
        default="manual",
    )
    listings = blocks.ListBlock(SnippetChooserBlock("experts.Listing"), required=False, default=[])
    listing_type = SnippetChooserBlock(
        "experts.ListingType", required=False, help_text="Automatic mode: only this type of listing."
    )
    count = blocks.IntegerBlock(
        default=2, min_value=1, max_value=12, help_text="Automatic mode: how many cards."
    )
    include_products = blocks.BooleanBlock(
        required=False, default=False, help_text="Allow product brands in this group (never by default)."
    )

    class Meta:
        icon = "group"
        template = "blocks/find_support_block.html"
        label = "Find support"

    def clean(self, value):
        value = super().clean(value)
        listings = [item for item in value.get("listings") or [] if item is not None]
        if value.get("mode") == "manual":
            if not listings:
                raise StructBlockValidationError(
                    {"listings": ValidationError("Choose at least one listing.")}
                )
            inactive = [listing.name for listing in listings if not listing.is_active]
            if inactive:
                raise StructBlockValidationError(
                    {"listings": ValidationError(f"Not active, cannot be shown: {', '.join(inactive)}.")}
                )
        return value

    def wants(self, raw):
        return [("support_group", raw)] if isinstance(raw, dict) else []

    def api_value(self, raw, presenter, item):
        if not isinstance(raw, dict):
            return None
        group = presenter.support_group(item.index if item is not None else -1)
        return {
            "title": presenter.text(raw.get("title")),
            "mode": "automatic" if raw.get("mode") == "automatic" else "manual",
            "listing_type": group["listing_type"],
            "cards": group["cards"],
            "widened_to": group["widened_to"],
            "notice": presenter.text(group["notice"]),
        }

    def to_package(self, value):
        return {
            "title": value["title"],
            "mode": value["mode"],
            "listings": [listing.slug for listing in value["listings"] if listing is not None],
            "listing_type": value["listing_type"].slug if value["listing_type"] else None,
            "count": value["count"],
            "include_products": bool(value["include_products"]),
        }

    def check_package(self, data, path, checks):
        manual = data.get("mode", "manual") == "manual"
        listings = data.get("listings") or []
        for j, slug in enumerate(listings if isinstance(listings, list) else []):
            if checks.ref([*path, "listings", j], "listings", slug, "listing") and manual:
                if checks.is_inactive(slug):
                    checks.error(
                        [*path, "listings", j], f"listing {slug!r} is not active and cannot be shown"
                    )
        if data.get("listing_type") is not None:
            checks.ref([*path, "listing_type"], "listing_types", data.get("listing_type"), "listing type")
        if manual and not listings:
            checks.error([*path, "listings"], "a manual group needs at least one listing")

    def from_package(self, data):
        from experts.models import Listing, ListingType

        slugs = data.get("listings") or []
        ids = dict(Listing.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        type_slug = data.get("listing_type")
        type_id = ListingType.objects.get(slug=type_slug).pk if type_slug else None
        return {**data, "listings": _stored_items(ids[s] for s in slugs), "listing_type": type_id}


class SafetyNoteBlock(BodyBlock, blocks.StructBlock):
    title = blocks.CharBlock(default="When to seek other help first", max_length=160)
    text = blocks.RichTextBlock(features=RICH_FEATURES)
    advises_against_joint_sessions = blocks.BooleanBlock(
        required=False,
        default=False,
        help_text=(
            "The article says couples or joint formats can be inappropriate (abuse, violence, control)."
        ),
    )
    resource_label = blocks.CharBlock(required=False, max_length=120, default="Find crisis support")
    resource_url = http_url_block(required=False)

    class Meta:
        icon = "warning"
        template = "blocks/safety_note_block.html"
        label = "Safety note"

    def wants(self, raw):
        return [("rich", raw.get("text"))] if isinstance(raw, dict) else []

    def api_value(self, raw, presenter, item):
        if not isinstance(raw, dict):
            return None
        return {
            "title": presenter.text(raw.get("title")),
            "text": presenter.rich(raw.get("text")),
            "advises_against_joint_sessions": bool(raw.get("advises_against_joint_sessions")),
            "resource_label": presenter.text(raw.get("resource_label")),
            "resource_url": presenter.url(raw.get("resource_url")),
        }

    def to_package(self, value):
        return {
            "title": value["title"],
            "text": _rich_source(value["text"]),
            "advises_against_joint_sessions": bool(value["advises_against_joint_sessions"]),
            "resource_label": value["resource_label"] or "",
            "resource_url": value["resource_url"] or "",
        }


class CaptionedImageBlock(BodyBlock, blocks.StructBlock):
    image = ImageChooserBlock()
    alt = blocks.CharBlock(max_length=250, help_text="Describe the image for people who cannot see it.")
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        label = "Image"

    def wants(self, raw):
        return [("image", int_or_none(raw.get("image")))] if isinstance(raw, dict) else []

    def api_value(self, raw, presenter, item):
        if not isinstance(raw, dict):
            return None
        return {
            "image": presenter.image(int_or_none(raw.get("image")), "body", alt=raw.get("alt") or ""),
            "caption": presenter.text(raw.get("caption")),
        }

    def to_package(self, value):
        image = value["image"]
        return {
            "image": image.title if image else None,
            "alt": value["alt"],
            "caption": value["caption"] or "",
        }

    def check_package(self, data, path, checks):
        checks.image([*path, "image"], data.get("image"))

    def from_package(self, data):
        from wagtail.images import get_image_model

        image = get_image_model().objects.filter(title=data["image"]).order_by("pk").first()
        return {**data, "image": image.pk if image else None}


def stored_value_errors(stream) -> list[str]:
    """What in a body's stored data could reach markup unchecked: a heading level outside
    HEADING_LEVELS, a citation or safety-note URL that is not http(s). The admin's form and the
    importer refuse these already; the page's ``clean()`` calls this so that a body written from a
    shell or a data migration is refused on save too."""
    errors = []
    for index, block in enumerate(stream.raw_data):
        kind, value = block.get("type"), block.get("value") or {}
        # A missing level is the block's default (h2); a present one must be a choice.
        if kind == "heading" and value.get("level", "h2") not in dict(HEADING_LEVELS):
            errors.append(f"body block {index + 1} (heading): level must be h2 or h3.")
        for field in {"citation": ("url",), "safety_note": ("resource_url",)}.get(kind, ()):
            try:
                if value.get(field):
                    http_url_validator(value[field])
            except ValidationError:
                errors.append(
                    f"body block {index + 1} ({kind}): {field} must start with http:// or https://."
                )
    return errors


class SelfCheckBlock(BodyBlock, blocks.StructBlock):
    """A self-check (``selfchecks.SelfCheck``) readers can take inside the article."""

    self_check = SnippetChooserBlock("selfchecks.SelfCheck")
    heading = blocks.CharBlock(
        required=False, max_length=120, help_text="Left empty, the self-check's own title."
    )

    class Meta:
        icon = "form"
        template = "blocks/self_check_block.html"
        label = "Self-check"

    def clean(self, value):
        value = super().clean(value)
        self_check = value.get("self_check")
        if self_check is not None and not self_check.live:
            raise StructBlockValidationError(
                {"self_check": ValidationError("This self-check is not published; readers cannot take it.")}
            )
        return value

    def wants(self, raw):
        return [("self_check", int_or_none(raw.get("self_check")))] if isinstance(raw, dict) else []

    def api_value(self, raw, presenter, item):
        if not isinstance(raw, dict):
            return None
        card = presenter.self_check_card(int_or_none(raw.get("self_check")))
        if card is None:
            return None  # unpublished or deleted: nothing to take
        return {"heading": presenter.text(raw.get("heading")) or card["title"], "self_check": card}

    def to_package(self, value):
        return {"self_check": value["self_check"].slug, "heading": value["heading"] or ""}

    def check_package(self, data, path, checks):
        slug = data.get("self_check")
        if isinstance(slug, str) and slug not in checks.self_checks:
            checks.error([*path, "self_check"], f"no self-check with the slug {slug!r} in the database")
        elif isinstance(slug, str) and not checks.self_checks[slug]:
            checks.error([*path, "self_check"], f"self-check {slug!r} is not published")

    def from_package(self, data):
        from selfchecks.models import SelfCheck

        return {
            "self_check": SelfCheck.objects.get(slug=data["self_check"]).pk,
            "heading": data.get("heading", ""),
        }


def published_self_checks(ids) -> dict[int, Any]:
    """``{id: SelfCheck}`` of the published ones among ``ids``, in one query (what the presenter
    loads for the self-check blocks of a body)."""
    from selfchecks.models import SelfCheck

    return SelfCheck.objects.filter(pk__in=ids, live=True).in_bulk()


class ParagraphBlock(BodyBlock, blocks.RichTextBlock):
    """Rich text: the running prose of an article."""

    def wants(self, raw):
        return [("rich", raw)]

    def api_value(self, raw, presenter, item):
        return presenter.rich(raw)

    def to_package(self, value):
        return _rich_source(value)


class ItemListBlock(BodyBlock, blocks.StructBlock):
    """A bulleted or numbered list; each item is a line of inline rich text (bold, italic, links).

    Its items stay separate everywhere: their own ``<li>`` in HTML, their own entries in the API and
    separate runs of words in plain text, so the end of one item never runs into the next.
    """

    style = blocks.ChoiceBlock(choices=LIST_STYLES, default="unordered")
    items = blocks.ListBlock(
        blocks.RichTextBlock(features=INLINE_FEATURES), min_num=1, max_num=LIST_MAX_ITEMS
    )

    class Meta:
        icon = "list-ul"
        template = "blocks/list_block.html"
        label = "List"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["tag"] = "ol" if value.get("style") == "ordered" else "ul"
        return context

    def wants(self, raw):
        return [("rich", source) for source in list_items(raw.get("items"))] if isinstance(raw, dict) else []

    def api_value(self, raw, presenter, item):
        if not isinstance(raw, dict):
            return None
        items = []
        for source in list_items(raw.get("items")):
            rendered = presenter.rich(source)
            items.append({"html": inline_html(rendered["html"]), "text": rendered["text"]})
        return {"style": "ordered" if raw.get("style") == "ordered" else "unordered", "items": items}

    def to_package(self, value):
        return {"style": value["style"], "items": [_rich_source(item) for item in value["items"]]}

    def from_package(self, data):
        return {"style": data.get("style", "unordered"), "items": _stored_items(data["items"])}

    def plain_words(self, value):
        return [strip_tags(_rich_source(item)) for item in value.get("items") or []]


def inline_html(html: str) -> str:
    """An item's HTML without the paragraph wrapper the editor adds; paragraphs become line breaks."""
    html = (html or "").strip()
    if html.startswith("<p>") and html.endswith("</p>"):
        html = html[3:-4]
    return html.replace("</p><p>", "<br>").replace("<p>", "").replace("</p>", "")


class ArticleBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock(features=RICH_FEATURES, icon="pilcrow", template="blocks/paragraph_block.html")
    list = ItemListBlock()
    quote = QuoteBlock()
    citation = CitationBlock()
    faq = FAQBlock()
    find_support = FindSupportBlock()
    safety_note = SafetyNoteBlock()
    image = CaptionedImageBlock()
    self_check = SelfCheckBlock()
