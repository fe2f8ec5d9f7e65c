"""Content packages: the JSON format in which the magazine's content travels in and out.

A package holds the vocabularies (listing types, approaches, topics), sections, people, listings and
articles, each item keyed by its ``slug`` (the format is described in ``docs/content-package.md`` and
``docs/content-package.schema.json``). This module owns the three jobs around it:

- ``validate_package``: the whole file is checked against the JSON Schema and then for meaning
  (references that resolve, ISO codes, dates, duplicate slugs, inactive listings in manual card
  groups). Every problem is reported with its path in the file, e.g.
  ``articles[3].body[5].value.items[0].question: required``.
- ``import_package``: writes a valid package in one transaction, idempotently by slug. Articles are
  published through a new revision only when their content changed; imported expert reviews are
  recorded as ``imported`` through ``articles.reviews.record_imported_review``.
- ``export_package``: the inverse; exporting, importing and exporting again gives the same JSON.

Images are not carried in a package: ``hero_image``, ``photo``, ``image`` and image blocks name a
Wagtail image by its title, which must already be in the image library. Self-checks are not carried
either: a ``self_check`` block names one by its slug, which must already be in the database.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_date, parse_datetime
from wagtail.images import get_image_model

from experts.countries import is_country, is_language, language_name
from experts.models import Approach, Credential, Language, Listing, ListingType, Person, Topic
from website.freshness import content_changed

from .models import ArticleAuthor, ArticlePage, EditorialPick, ExpertReview, HomePage, SectionPage
from .presenter import BODY_BLOCK
from .publishing import ReviewRequiredError, covering_override, covering_review, record_override
from .reviews import content_fingerprint, record_imported_review, refresh_review_state

# What exports write. The schema also accepts "wellness-content-bundle", the format's name before
# it was renamed (the API's response is the "article bundle"), so older files still import.
FORMAT_NAME = "wellness-content-package"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "content-package.schema.json"
KINDS = ("listing_types", "approaches", "topics", "sections", "people", "listings", "articles")
BLOCK_TYPES = tuple(BODY_BLOCK.child_blocks)

Progress = Callable[[str, int, int], None]


class ContentPackageError(Exception):
    """A package that cannot be imported; ``errors`` holds one ``path: problem`` line per problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportResult:
    """How many items of each kind were created, updated or left as they were."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {k: {"created": 0, "updated": 0, "unchanged": 0} for k in KINDS}
    )

    def add(self, kind: str, outcome: str) -> None:
        self.counts[kind][outcome] += 1

    def summary(self) -> str:
        parts = []
        for kind in KINDS:
            c = self.counts[kind]
            if any(c.values()):
                parts.append(
                    f"{kind}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
                )
        return "; ".join(parts) or "nothing to import"


# ---------------------------------------------------------------------------------------------
# Reading and validating
# ---------------------------------------------------------------------------------------------


# Deeper than any real package (an article's blocks sit about eight levels down), shallow enough
# that nothing downstream (schema validation, the importer) can run out of stack.
MAX_NESTING = 32


def decode_package(raw: bytes, source: str = "package", max_bytes: int | None = None) -> str:
    """The text of a package file: refused when larger than ``max_bytes`` or not UTF-8.

    Raises:
        ContentPackageError: naming the size and the limit, or the byte offset of the first bad byte.
    """
    if max_bytes is not None and len(raw) > max_bytes:
        raise ContentPackageError(
            [
                f"{source}: the file is {len(raw):,} bytes, over the limit of {max_bytes:,} "
                "(WELLNESS['CONTENT_PACKAGE_MAX_BYTES'] or --max-bytes)"
            ]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ContentPackageError(
            [
                f"{source}: not valid UTF-8 at byte offset {e.start} (byte 0x{raw[e.start]:02x}); "
                "save it as UTF-8"
            ]
        ) from e


def _nesting_error(data: Any) -> str | None:
    """The path of the first value nested deeper than ``MAX_NESTING``; iterative, so it cannot
    itself run out of stack."""
    stack: list[tuple[Any, list]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_NESTING:
            return f"{format_path(path) or 'the top level'}: nested more than {MAX_NESTING} levels deep"
        if isinstance(value, dict):
            stack.extend((v, [*path, str(k)]) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, [*path, i]) for i, v in enumerate(value))
    return None


def parse_package(text: str, source: str = "package") -> dict:
    """Parses JSON text; malformed JSON is a ``ContentPackageError`` naming its line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ContentPackageError(
            [f"{source}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}"]
        ) from e
    except RecursionError as e:
        raise ContentPackageError(
            [f"{source}: JSON nested too deeply to read (more than {MAX_NESTING} levels)"]
        ) from e
    if not isinstance(data, dict):
        raise ContentPackageError([f"{source}: a content package is a JSON object, not {_json_type(data)}"])
    problem = _nesting_error(data)
    if problem:
        raise ContentPackageError([f"{source}: {problem}"])
    return data


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def format_path(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _schema_messages(error: jsonschema.ValidationError) -> list[str]:
    path = list(error.absolute_path)
    where = format_path(path)
    kind, value, schema = error.validator, error.instance, error.schema
    if kind == "required":
        missing = re.match(r"'(.+?)' is a required property", error.message)
        return [f"{format_path([*path, missing.group(1) if missing else '?'])}: required"]
    if kind == "additionalProperties" and isinstance(value, dict):
        known = set(schema.get("properties", {}))
        return [f"{format_path([*path, name])}: unknown field" for name in value if name not in known]
    if kind == "enum":
        if path and path[-1] == "type" and len(path) >= 2 and "body" in path:
            return [f"{where}: unknown block type {value!r} (known: {', '.join(BLOCK_TYPES)})"]
        return [f"{where}: must be one of {', '.join(map(str, error.validator_value))}, not {value!r}"]
    if kind == "const":
        return [f"{where}: must be {error.validator_value!r}"]
    if kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return [f"{where}: must be {expected}, not {_json_type(value)}"]
    if kind == "minLength" and error.validator_value == 1:
        return [f"{where}: must not be empty"]
    if kind == "maxLength":
        return [f"{where}: longer than {error.validator_value} characters"]
    if kind == "minItems":
        return [f"{where}: needs at least {error.validator_value} item(s)"]
    if kind == "maxItems":
        return [f"{where}: at most {error.validator_value} item(s)"]
    if kind == "uniqueItems":
        return [f"{where}: has duplicate entries"]
    if kind == "pattern":
        if path and path[-1] == "doi":
            return [f'{where}: a DOI starts with "10."']
        if path and path[-1] == "pmid":
            return [f"{where}: a PMID is a number"]
        if error.validator_value == "^[^,]+$":
            return [f"{where}: a synonym cannot contain a comma (give each one as its own list item)"]
        if "url" in str(path[-1] if path else "") or error.validator_value.startswith("^(https?"):
            return [f"{where}: {value!r} is not an http(s) URL"]
        return [f"{where}: {value!r} is not a valid slug (letters, digits, - and _)"]
    if kind in ("minimum", "maximum"):
        word = "at least" if kind == "minimum" else "at most"
        return [f"{where}: must be {word} {error.validator_value}"]
    if kind == "anyOf":
        return [
            f"{where}: must be a date string (YYYY-MM-DD) or null"
            if "_on" in str(path[-1:])
            else f"{where}: must be a slug or null"
        ]
    return [f"{where}: {error.message}"]


def schema_errors(data: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(load_schema())
    errors: list[str] = []
    for error in validator.iter_errors(data):
        errors.extend(_schema_messages(error))
    return errors


class _Checker:
    """Semantic checks on a package that already has (mostly) the right shape.

    It tolerates items of the wrong shape (the schema has reported those) and never writes.
    """

    def __init__(self, data: dict):
        self.data = data
        self.errors: list[str] = []
        self.file_slugs = {kind: self._slugs(kind) for kind in KINDS}

    def _items(self, kind: str) -> list[tuple[int, dict]]:
        items = self.data.get(kind)
        if not isinstance(items, list):
            return []
        return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]

    def _slugs(self, kind: str) -> set[str]:
        return {item["slug"] for _, item in self._items(kind) if isinstance(item.get("slug"), str)}

    def error(self, path: list, message: str) -> None:
        self.errors.append(f"{format_path(path)}: {message}")

    # What the database already holds, read once.
    def load_database(self) -> None:
        self.db = {
            "listing_types": set(ListingType.objects.values_list("slug", flat=True)),
            "approaches": set(Approach.objects.values_list("slug", flat=True)),
            "topics": set(Topic.objects.values_list("slug", flat=True)),
            "sections": set(SectionPage.objects.values_list("slug", flat=True)),
            "people": set(Person.objects.values_list("slug", flat=True)),
            "listings": set(Listing.objects.values_list("slug", flat=True)),
            "articles": set(ArticlePage.objects.values_list("slug", flat=True)),
        }
        self.db_reviewers = set(Person.objects.filter(is_reviewer=True).values_list("slug", flat=True))
        self.db_inactive = set(Listing.objects.filter(is_active=False).values_list("slug", flat=True))
        self.images = set(get_image_model().objects.values_list("title", flat=True))
        from selfchecks.models import SelfCheck

        self.self_checks = dict(SelfCheck.objects.values_list("slug", "live"))

    def run(self) -> list[str]:
        self.load_database()
        for kind in KINDS:
            self.check_duplicates(kind)
        for kind, model in (("listing_types", ListingType), ("approaches", Approach), ("topics", Topic)):
            self.check_unique_names(kind, model)
        for i, person in self._items("people"):
            self.check_person(["people", i], person)
        for i, listing in self._items("listings"):
            self.check_listing(["listings", i], listing)
        for i, article in self._items("articles"):
            self.check_article(["articles", i], article)
        return self.errors

    def check_duplicates(self, kind: str) -> None:
        seen: dict[str, int] = {}
        for i, item in self._items(kind):
            slug = item.get("slug")
            if not isinstance(slug, str):
                continue
            if slug in seen:
                self.error([kind, i, "slug"], f"duplicate slug {slug!r} (also {kind}[{seen[slug]}])")
            else:
                seen[slug] = i

    def check_unique_names(self, kind: str, model) -> None:
        seen: dict[str, int] = {}
        existing = {name.lower(): slug for name, slug in model.objects.values_list("name", "slug")}
        for i, item in self._items(kind):
            name, slug = item.get("name"), item.get("slug")
            if not isinstance(name, str):
                continue
            key = name.lower()
            if key in seen:
                self.error([kind, i, "name"], f"duplicate name {name!r} (also {kind}[{seen[key]}])")
            seen.setdefault(key, i)
            if key in existing and existing[key] != slug and existing[key] not in self.file_slugs[kind]:
                self.error([kind, i, "name"], f"{name!r} is already the name of {kind} {existing[key]!r}")

    def ref(self, path: list, kind: str, slug: Any, label: str) -> bool:
        if not isinstance(slug, str):
            return False
        if slug in self.file_slugs[kind] or slug in self.db[kind]:
            return True
        self.error(path, f"unknown {label} {slug!r} (not in this file's {kind} nor in the database)")
        return False

    def refs(self, path: list, kind: str, slugs: Any, label: str) -> None:
        if isinstance(slugs, list):
            for j, slug in enumerate(slugs):
                self.ref([*path, j], kind, slug, label)

    def image(self, path: list, title: Any) -> None:
        if isinstance(title, str) and title not in self.images:
            self.error(path, f"no image titled {title!r} in the image library")

    def date(self, path: list, value: Any) -> None:
        if isinstance(value, str) and parse_date_safe(value) is None:
            self.error(path, f"{value!r} is not a valid date (YYYY-MM-DD)")

    def moment(self, path: list, value: Any) -> None:
        if isinstance(value, str) and parse_moment(value) is None:
            self.error(path, f"{value!r} is not a valid ISO 8601 date-time")

    def country(self, path: list, code: Any) -> None:
        if isinstance(code, str) and not is_country(code):
            self.error(path, f"{code!r} is not an ISO 3166 alpha-2 country code (e.g. DE, GB)")

    def check_person(self, path: list, person: dict) -> None:
        self.refs([*path, "expertise"], "topics", person.get("expertise"), "topic")
        self.image([*path, "photo"], person.get("photo"))
        for j, cred in enumerate(person.get("credentials") or []):
            if not isinstance(cred, dict):
                continue
            cpath = [*path, "credentials", j]
            if cred.get("country"):
                self.country([*cpath, "country"], cred.get("country"))
            self.date([*cpath, "verified_on"], cred.get("verified_on"))
            self.date([*cpath, "expires_on"], cred.get("expires_on"))
            verified, expires = (
                parse_date_safe(cred.get("verified_on")),
                parse_date_safe(cred.get("expires_on")),
            )
            if verified and expires and expires < verified:
                self.error([*cpath, "expires_on"], "a credential cannot expire before it was verified")

    def check_listing(self, path: list, listing: dict) -> None:
        self.ref([*path, "listing_type"], "listing_types", listing.get("listing_type"), "listing type")
        self.refs([*path, "specialties"], "topics", listing.get("specialties"), "topic")
        self.refs([*path, "approaches"], "approaches", listing.get("approaches"), "approach")
        self.country([*path, "country"], listing.get("country"))
        for j, code in enumerate(listing.get("languages") or []):
            if isinstance(code, str) and not is_language(code):
                self.error(
                    [*path, "languages", j], f"{code!r} is not an ISO 639-1 language code (e.g. en, de)"
                )
        self.date([*path, "verified_on"], listing.get("verified_on"))
        self.image([*path, "image"], listing.get("image"))
        if (listing.get("latitude") is None) != (listing.get("longitude") is None):
            self.error(
                [*path, "longitude" if listing.get("longitude") is None else "latitude"],
                "give both latitude and longitude, or neither",
            )

    def is_inactive(self, slug: str) -> bool:
        for _, listing in self._items("listings"):
            if listing.get("slug") == slug:
                return listing.get("active") is False
        return slug in self.db_inactive

    def _is_reviewer(self, slug: str) -> bool:
        for _, person in self._items("people"):
            if person.get("slug") == slug:
                return "reviewer" in (person.get("roles") or [])
        return slug in self.db_reviewers

    def check_article(self, path: list, article: dict) -> None:
        self.ref([*path, "section"], "sections", article.get("section"), "section")
        self.refs([*path, "topics"], "topics", article.get("topics"), "topic")
        self.refs([*path, "authors"], "people", article.get("authors"), "author")
        self.refs([*path, "editorial_picks"], "articles", article.get("editorial_picks"), "article")
        picks = article.get("editorial_picks") or []
        if isinstance(picks, list) and article.get("slug") in picks:
            self.error(
                [*path, "editorial_picks", picks.index(article["slug"])], "an article cannot pick itself"
            )
        self.moment([*path, "published_at"], article.get("published_at"))
        self.moment([*path, "updated_at"], article.get("updated_at"))
        published, updated = (
            parse_moment(article.get("published_at")),
            parse_moment(article.get("updated_at")),
        )
        if published and updated and updated < published:
            self.error([*path, "updated_at"], "an article cannot be updated before it was first published")
        self.image([*path, "hero_image"], article.get("hero_image"))
        for j, review in enumerate(article.get("reviews") or []):
            if not isinstance(review, dict):
                continue
            rpath = [*path, "reviews", j]
            if self.ref([*rpath, "reviewer"], "people", review.get("reviewer"), "reviewer"):
                if not self._is_reviewer(review["reviewer"]):
                    self.error([*rpath, "reviewer"], f"{review['reviewer']!r} is not an expert reviewer")
                elif review["reviewer"] in (article.get("authors") or []):
                    self.error(
                        [*rpath, "reviewer"],
                        f"{review['reviewer']!r} is an author of this article; an expert cannot review "
                        "their own article",
                    )
            self.moment([*rpath, "reviewed_at"], review.get("reviewed_at"))
        body = article.get("body")
        for j, block in enumerate(body if isinstance(body, list) else []):
            if isinstance(block, dict) and isinstance(block.get("value"), dict):
                self.check_block([*path, "body", j], block.get("type"), block["value"])

    def check_block(self, path: list, block_type: Any, value: dict) -> None:
        block = BODY_BLOCK.child_blocks.get(block_type) if isinstance(block_type, str) else None
        if block is not None:
            block.check_package(value, [*path, "value"], self)


def validate_package(data: dict) -> list[str]:
    """Every problem with ``data`` as ``path: message`` lines; an empty list means importable."""
    return schema_errors(data) + _Checker(data).run()


# ---------------------------------------------------------------------------------------------
# Small conversions shared by import and export
# ---------------------------------------------------------------------------------------------


def parse_date_safe(value: Any) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def parse_moment(value: Any) -> datetime.datetime | None:
    """An aware datetime from an ISO 8601 date-time (UTC when naive) or a date (midnight UTC)."""
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def format_moment(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def format_date(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def split_terms(text: str) -> list[str]:
    return [t.strip() for t in (text or "").replace("\n", ",").split(",") if t.strip()]


def _coordinate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _image_title(image) -> str | None:
    return image.title if image else None


def _find_image(title: str | None):
    if title is None:
        return None
    return get_image_model().objects.filter(title=title).order_by("pk").first()


# ---------------------------------------------------------------------------------------------
# Export: model → JSON-ready dicts (also used to decide whether an import changes anything)
# ---------------------------------------------------------------------------------------------


def export_listing_type(obj: ListingType) -> dict:
    return {
        "slug": obj.slug,
        "name": obj.name,
        "default_kind": obj.default_kind,
        "is_clinical": obj.is_clinical,
        "is_crisis_resource": obj.is_crisis_resource,
        "offers_joint_sessions": obj.offers_joint_sessions,
    }


def export_approach(obj: Approach) -> dict:
    return {
        "slug": obj.slug,
        "name": obj.name,
        "synonyms": split_terms(obj.synonyms),
        "description": obj.description,
    }


def export_topic(obj: Topic) -> dict:
    return {
        "slug": obj.slug,
        "name": obj.name,
        "synonyms": split_terms(obj.synonyms),
        "description": obj.description,
        "is_sensitive": obj.is_sensitive,
    }


def export_section(obj: SectionPage) -> dict:
    return {
        "slug": obj.slug,
        "title": obj.title,
        "intro": obj.intro,
        "review_interval_months": obj.review_interval_months,
        "expert_review_required": obj.expert_review_required,
    }


def export_credential(obj: Credential) -> dict:
    return {
        "title": obj.title,
        "kind": obj.kind,
        "issuing_body": obj.issuing_body,
        "country": obj.country,
        "verified_on": format_date(obj.verified_on),
        "expires_on": format_date(obj.expires_on),
        "licence_number": obj.licence_number,
    }


def export_person(obj: Person) -> dict:
    data = {
        "slug": obj.slug,
        "name": obj.name,
        "honorific": obj.honorific,
        "headline": obj.headline,
        "bio": obj.bio,
        "links": {"linkedin": obj.linkedin_url, "website": obj.website_url},
        "expertise": sorted(t.slug for t in obj.expertise.all()),
        "roles": [role for role, on in (("author", obj.is_author), ("reviewer", obj.is_reviewer)) if on],
        "board_member": obj.is_board_member,
        "credentials": [export_credential(c) for c in obj.credentials.all()],
        "contact_email": obj.contact_email,
        "internal_notes": obj.internal_notes,
    }
    if obj.photo_id:
        data["photo"] = _image_title(obj.photo)
    return data


def export_listing(obj: Listing) -> dict:
    data = {
        "slug": obj.slug,
        "name": obj.name,
        "listing_type": obj.listing_type.slug,
        "kind": obj.kind,
        "modalities": obj.modalities,
        "country": obj.country,
        "city": obj.city,
        "latitude": None if obj.latitude is None else float(obj.latitude),
        "longitude": None if obj.longitude is None else float(obj.longitude),
        "languages": sorted(lang.code for lang in obj.languages.all()),
        "specialties": sorted(t.slug for t in obj.specialties.all()),
        "approaches": sorted(a.slug for a in obj.approaches.all()),
        "summary": obj.summary,
        "bio": obj.bio,
        "credentials": obj.credentials,
        "website_url": obj.website_url,
        "booking_url": obj.booking_url,
        "verified": obj.verified,
        "verified_on": format_date(obj.verified_on),
        "accepting_clients": obj.accepting_clients,
        "active": obj.is_active,
        "commercial_relationship": obj.commercial_relationship,
        "contact_email": obj.contact_email,
        "internal_notes": obj.internal_notes,
    }
    if obj.image_id:
        data["image"] = _image_title(obj.image)
    return data


def export_block(block_type: str, value) -> dict:
    """One body block in package form (the block's own ``to_package``)."""
    return {"type": block_type, "value": BODY_BLOCK.child_blocks[block_type].to_package(value)}


def export_article_content(page: ArticlePage) -> dict:
    """What a revision of the article carries: compared before and after an import."""
    data = {
        "title": page.title,
        "standfirst": page.standfirst,
        "hero_alt": page.hero_alt,
        "topics": sorted(t.slug for t in page.topics.all()),
        "authors": [rel.person.slug for rel in page.article_authors.all()],
        "is_sensitive": page.is_sensitive,
        "editorial_picks": [pick.picked.slug for pick in page.editorial_picks.all()],
        "body": [export_block(child.block_type, child.value) for child in page.body],
    }
    if page.hero_image_id:
        data["hero_image"] = _image_title(page.hero_image)
    return data


def export_article(page: ArticlePage) -> dict:
    content = export_article_content(page)
    data = {
        "slug": page.slug,
        "section": page.get_parent().slug,
        **content,
        "published_at": format_moment(page.first_published_at),
    }
    if page.last_published_at and page.last_published_at != page.first_published_at:
        data["updated_at"] = format_moment(page.last_published_at)
    data["reviews"] = [
        {
            "reviewer": r.reviewer.slug,
            "reviewed_at": format_moment(r.reviewed_at),
            "summary": r.summary,
            "conflict_of_interest": r.conflict_of_interest,
        }
        for r in page.expert_reviews.select_related("reviewer").order_by("reviewed_at", "pk")
    ]
    override = covering_override(page, page.live_fingerprint) if page.live_fingerprint else None
    if override is not None and covering_review(page, page.live_fingerprint) is None:
        data["publish_without_review"] = {"reason": override.reason}
    return data


def export_package() -> dict:
    """The whole content of the site as a package (live articles only; drafts stay behind)."""
    home = HomePage.objects.first()
    sections = SectionPage.objects.child_of(home).order_by("path") if home else SectionPage.objects.none()
    articles = (
        ArticlePage.objects.live()
        .order_by("slug", "path")
        .select_related("hero_image")
        .prefetch_related("article_authors__person", "editorial_picks__picked", "tagged_topics__tag")
    )
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "listing_types": [export_listing_type(o) for o in ListingType.objects.order_by("slug")],
        "approaches": [export_approach(o) for o in Approach.objects.order_by("slug")],
        "topics": [export_topic(o) for o in Topic.objects.order_by("slug")],
        "sections": [export_section(o) for o in sections],
        "people": [
            export_person(o)
            for o in Person.objects.order_by("slug")
            .prefetch_related("expertise", "credentials")
            .select_related("photo")
        ],
        "listings": [
            export_listing(o)
            for o in Listing.objects.order_by("slug")
            .select_related("listing_type", "image")
            .prefetch_related("languages", "specialties", "approaches")
        ],
        "articles": [export_article(page) for page in articles],
    }


def dump_package(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


def ensure_home_page() -> HomePage:
    """The single HomePage (created as the default site's root, replacing Wagtail's welcome page)."""
    from .roles import ensure_home_page as ensure

    return ensure()[0]


def _validation_messages(path: list, error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{format_path([*path, name])}: {msg}"
            for name, msgs in error.message_dict.items()
            for msg in msgs
        ]
    return [f"{format_path(path)}: {msg}" for msg in error.messages]


class _Importer:
    def __init__(self, data: dict, progress: Progress | None, progress_every: int):
        self.data = data
        self.progress = progress
        self.progress_every = max(1, progress_every)
        self.result = ImportResult()
        self.topics: dict[str, Topic] = {}

    def items(self, kind: str) -> list[dict]:
        return self.data.get(kind) or []

    def tick(self, label: str, done: int, total: int) -> None:
        if self.progress and (done % self.progress_every == 0 or done == total):
            self.progress(label, done, total)

    def each(
        self, kind: str, handler: Callable[[list, dict], str], label: str | None = None, count: bool = True
    ) -> None:
        items = self.items(kind)
        for i, item in enumerate(items):
            path = [kind, i]
            try:
                outcome = handler(path, item)
            except ValidationError as e:
                raise ContentPackageError(_validation_messages(path, e)) from e
            except IntegrityError as e:
                raise ContentPackageError([f"{format_path(path)}: {e}"]) from e
            if count:
                self.result.add(kind, outcome)
            self.tick(label or kind, i + 1, len(items))

    def run(self) -> ImportResult:
        self.home = ensure_home_page()
        self.each("listing_types", self.import_listing_type)
        self.each("approaches", self.import_approach)
        self.each("topics", self.import_topic)
        self.each("sections", self.import_section)
        self.each("people", self.import_person)
        self.each("listings", self.import_listing)
        self.pages: dict[str, ArticlePage] = {}
        self.new_pages: set[str] = set()
        self.each("articles", self.create_missing_article, label="articles (placing)", count=False)
        self.each("articles", self.import_article)
        return self.result

    @staticmethod
    def outcome(before: dict | None, after: dict) -> str:
        """The outcome of an upsert: the object is saved by the caller unless it is "unchanged"."""
        if before is None:
            return "created"
        return "unchanged" if before == after else "updated"

    def _simple(self, model, exporter, item: dict, fields: dict) -> str:
        obj = model.objects.filter(slug=item["slug"]).first()
        before = exporter(obj) if obj else None
        obj = obj or model(slug=item["slug"])
        for name, value in fields.items():
            setattr(obj, name, value)
        after = exporter(obj)
        outcome = self.outcome(before, after)
        if outcome != "unchanged":
            obj.full_clean()
            obj.save()
        return outcome

    def import_listing_type(self, path: list, item: dict) -> str:
        return self._simple(
            ListingType,
            export_listing_type,
            item,
            {
                "name": item["name"],
                "default_kind": item.get("default_kind", "individual"),
                "is_clinical": item.get("is_clinical", True),
                "is_crisis_resource": item.get("is_crisis_resource", False),
                "offers_joint_sessions": item.get("offers_joint_sessions", False),
            },
        )

    def import_approach(self, path: list, item: dict) -> str:
        return self._simple(
            Approach,
            export_approach,
            item,
            {
                "name": item["name"],
                "synonyms": ", ".join(item.get("synonyms") or []),
                "description": item.get("description", ""),
            },
        )

    def import_topic(self, path: list, item: dict) -> str:
        return self._simple(
            Topic,
            export_topic,
            item,
            {
                "name": item["name"],
                "synonyms": ", ".join(item.get("synonyms") or []),
                "description": item.get("description", ""),
                "is_sensitive": item.get("is_sensitive", False),
            },
        )

    def import_section(self, path: list, item: dict) -> str:
        section = SectionPage.objects.child_of(self.home).filter(slug=item["slug"]).first()
        fields = {
            "title": item["title"],
            "intro": item.get("intro", ""),
            "review_interval_months": item.get("review_interval_months", 12),
            "expert_review_required": item.get("expert_review_required", True),
        }
        if section is None:
            section = SectionPage(slug=item["slug"], live=False, **fields)
            self.home.add_child(instance=section)
            section.save_revision().publish()
            return "created"
        before = export_section(section)
        for name, value in fields.items():
            setattr(section, name, value)
        if export_section(section) == before and section.live:
            return "unchanged"
        section.full_clean()
        section.save_revision().publish()
        return "updated"

    def topic_objects(self, slugs: Iterable[str]) -> list[Topic]:
        missing = [s for s in slugs if s not in self.topics]
        if missing:
            self.topics.update({t.slug: t for t in Topic.objects.filter(slug__in=missing)})
        return [self.topics[s] for s in slugs]

    def import_person(self, path: list, item: dict) -> str:
        person = Person.objects.filter(slug=item["slug"]).first()
        before = export_person(person) if person else None
        person = person or Person(slug=item["slug"])
        links = item.get("links") or {}
        roles = item.get("roles") or []
        person.name, person.honorific = item["name"], item.get("honorific", "")
        person.headline, person.bio = item.get("headline", ""), item.get("bio", "")
        person.linkedin_url, person.website_url = links.get("linkedin", ""), links.get("website", "")
        person.is_author, person.is_reviewer = "author" in roles, "reviewer" in roles
        person.is_board_member = item.get("board_member", False)
        person.contact_email, person.internal_notes = (
            item.get("contact_email", ""),
            item.get("internal_notes", ""),
        )
        if "photo" in item:
            person.photo = _find_image(item["photo"])
        person.expertise.set(self.topic_objects(item.get("expertise") or []))
        credentials = [
            Credential(
                title=c["title"],
                kind=c.get("kind", "degree"),
                issuing_body=c.get("issuing_body", ""),
                country=c.get("country", ""),
                verified_on=parse_date_safe(c.get("verified_on")),
                expires_on=parse_date_safe(c.get("expires_on")),
                licence_number=c.get("licence_number", ""),
                sort_order=j,
            )
            for j, c in enumerate(item.get("credentials") or [])
        ]
        if before is None or before["credentials"] != [export_credential(c) for c in credentials]:
            person.credentials = credentials
        outcome = self.outcome(before, export_person(person))
        if outcome != "unchanged":
            person.full_clean(exclude=["user"])
            for j, credential in enumerate(credentials):
                try:
                    credential.clean()
                except ValidationError as e:
                    raise ContentPackageError(_validation_messages([*path, "credentials", j], e)) from e
            person.save()
        return outcome

    def import_listing(self, path: list, item: dict) -> str:
        listing = Listing.objects.filter(slug=item["slug"]).first()
        before = export_listing(listing) if listing else None
        listing = listing or Listing(slug=item["slug"])
        modalities = item.get("modalities") or []
        listing.name = item["name"]
        listing.listing_type = ListingType.objects.get(slug=item["listing_type"])
        listing.kind = item.get("kind", listing.listing_type.default_kind)
        listing.offers_in_person, listing.offers_online = "in_person" in modalities, "online" in modalities
        listing.country, listing.city = item["country"], item.get("city", "")
        listing.latitude, listing.longitude = (
            _coordinate(item.get("latitude")),
            _coordinate(item.get("longitude")),
        )
        listing.summary, listing.bio = item["summary"], item.get("bio", "")
        listing.credentials = item.get("credentials", "")
        listing.website_url, listing.booking_url = item.get("website_url", ""), item.get("booking_url", "")
        listing.verified = item.get("verified", False)
        listing.verified_on = parse_date_safe(item.get("verified_on"))
        listing.accepting_clients = item.get("accepting_clients", True)
        listing.is_active = item.get("active", True)
        listing.commercial_relationship = item.get("commercial_relationship", "none")
        listing.contact_email, listing.internal_notes = (
            item.get("contact_email", ""),
            item.get("internal_notes", ""),
        )
        if "image" in item:
            listing.image = _find_image(item["image"])
        listing.languages.set(self.language_objects(item.get("languages") or []))
        listing.specialties.set(self.topic_objects(item.get("specialties") or []))
        listing.approaches.set(list(Approach.objects.filter(slug__in=item.get("approaches") or [])))
        outcome = self.outcome(before, export_listing(listing))
        if outcome != "unchanged":
            listing.full_clean()
            listing.save()
        return outcome

    @staticmethod
    def language_objects(codes: list[str]) -> list[Language]:
        found = {lang.code: lang for lang in Language.objects.filter(code__in=codes)}
        for code in codes:
            if code not in found:
                found[code] = Language.objects.create(code=code, name=language_name(code))
        return [found[c] for c in codes]

    def section_page(self, slug: str) -> SectionPage:
        return SectionPage.objects.child_of(self.home).get(slug=slug)

    def find_article(self, slug: str) -> ArticlePage | None:
        return ArticlePage.objects.filter(slug=slug).order_by("path").first()

    def apply_article(self, page: ArticlePage, item: dict, with_picks: bool) -> None:
        page.title, page.draft_title = item["title"], item["title"]
        page.standfirst, page.hero_alt = item["standfirst"], item.get("hero_alt", "")
        page.is_sensitive = item.get("is_sensitive", False)
        if "hero_image" in item:
            page.hero_image = _find_image(item["hero_image"])
        people = {p.slug: p for p in Person.objects.filter(slug__in=item["authors"])}
        page.article_authors = [
            ArticleAuthor(person=people[s], sort_order=j) for j, s in enumerate(item["authors"])
        ]
        page.topics.set(self.topic_objects(item.get("topics") or []))
        page.body = self.raw_body(item.get("body") or [])
        if with_picks:
            picks = [self.pages.get(s) or self.find_article(s) for s in item.get("editorial_picks") or []]
            page.editorial_picks = [EditorialPick(picked=p, sort_order=j) for j, p in enumerate(picks)]

    def create_missing_article(self, path: list, item: dict) -> str:
        page = self.find_article(item["slug"])
        if page is not None:
            self.pages[item["slug"]] = page
            return "unchanged"
        page = ArticlePage(slug=item["slug"], live=False)
        self.apply_article(page, item, with_picks=False)
        page.first_published_at = parse_moment(item["published_at"])
        self.section_page(item["section"]).add_child(instance=page)
        self.pages[item["slug"]] = page
        self.new_pages.add(item["slug"])
        return "created"

    def import_article(self, path: list, item: dict) -> str:
        slug = item["slug"]
        created = slug in self.new_pages
        page = ArticlePage.objects.get(pk=self.pages[slug].pk)
        section = self.section_page(item["section"])
        moved = page.get_parent().pk != section.pk
        if moved:
            page.move(section, pos="last-child")
            page = ArticlePage.objects.get(pk=page.pk)
        before = export_article_content(page)
        self.apply_article(page, item, with_picks=True)
        published_at = parse_moment(item["published_at"])
        changed = created or not page.live or export_article_content(page) != before
        reviews_changed = False
        if changed:
            page.first_published_at = published_at
            revision = page.save_revision(clean=True)
            # The file's reviews (and override) vouch for the text it brings, so they are recorded
            # before that text is published: the publishing gate looks for them.
            reviews_changed = self.import_reviews(page, item.get("reviews"), revision=revision)
            self.import_override(page, item, revision)
            try:
                revision.publish()
            except ReviewRequiredError as e:
                raise ContentPackageError(
                    [
                        f"{format_path([*path, 'reviews'])}: section {item['section']!r} requires an "
                        "expert review before publishing, and no review in the file covers this "
                        "article's text (reviews already on record vouch for an earlier text); add a "
                        "review, or publish_without_review with a reason"
                    ]
                ) from e
        date_changed = ArticlePage.objects.filter(pk=page.pk).values_list(
            "first_published_at", flat=True
        ).get() != (published_at)
        if date_changed:
            ArticlePage.objects.filter(pk=page.pk).update(first_published_at=published_at)
            content_changed()
        date_changed = self.apply_updated_at(page, item, published_at, created) or date_changed
        page = ArticlePage.objects.get(pk=page.pk)
        self.pages[slug] = page
        reviews_changed = self.import_reviews(page, item.get("reviews")) or reviews_changed
        if created:
            return "created"
        return "updated" if changed or moved or reviews_changed or date_changed else "unchanged"

    @staticmethod
    def apply_updated_at(page: ArticlePage, item: dict, published_at, created: bool) -> bool:
        """Carries the article's last-modified moment over from the file (JSON-LD ``dateModified``).

        ``updated_at`` given: it is the last published moment. Left out: an article this import
        created was last modified when it was first published (the file records no later change,
        and the import itself is not one); an existing article keeps its own date, or the moment
        this import published its changed content.
        """
        if "updated_at" in item:
            wanted = parse_moment(item["updated_at"])
        elif created:
            wanted = published_at
        else:
            return False
        current = ArticlePage.objects.filter(pk=page.pk).values_list("last_published_at", flat=True).get()
        if current == wanted:
            return False
        ArticlePage.objects.filter(pk=page.pk).update(last_published_at=wanted)
        content_changed()
        return True

    @staticmethod
    def import_override(page: ArticlePage, item: dict, revision) -> None:
        """Records the file's ``publish_without_review`` for the imported text, unless a review or
        an override already covers it. Importing is an administrator's act (shell access only)."""
        wanted = item.get("publish_without_review")
        if not wanted:
            return
        fingerprint = content_fingerprint(revision.as_object())
        if covering_review(page, fingerprint) or covering_override(page, fingerprint):
            return
        record_override(page, None, wanted["reason"], revision=revision)

    def import_reviews(self, page: ArticlePage, reviews: list[dict] | None, revision=None) -> bool:
        """Adds the reviews not yet on record (matched by reviewer and time); never removes one.

        With ``revision``, new reviews vouch for that revision (about to be published)."""
        changed = False
        for review in reviews or []:
            reviewer = Person.objects.get(slug=review["reviewer"])
            reviewed_at = parse_moment(review["reviewed_at"])
            summary, conflict = review["summary"].strip(), review.get("conflict_of_interest", "").strip()
            existing = ExpertReview.objects.filter(
                article=page, reviewer=reviewer, reviewed_at=reviewed_at
            ).first()
            if existing is None:
                record = record_imported_review(page, reviewer, reviewed_at, summary, revision=revision)
                if conflict:
                    ExpertReview.objects.filter(pk=record.pk).update(conflict_of_interest=conflict)
                changed = True
            elif (existing.summary, existing.conflict_of_interest) != (summary, conflict):
                ExpertReview.objects.filter(pk=existing.pk).update(
                    summary=summary, conflict_of_interest=conflict
                )
                changed = True
        if changed:
            refresh_review_state(page)  # declares the change (``content_changed``)
        return changed

    def raw_body(self, blocks: list[dict]) -> list[dict]:
        return [
            {"type": b["type"], "value": self.raw_value(b["type"], b["value"]), "id": str(uuid.uuid4())}
            for b in blocks
        ]

    def raw_value(self, block_type: str, value: Any) -> Any:
        return BODY_BLOCK.child_blocks[block_type].from_package(value)


def import_package(data: dict, *, progress: Progress | None = None, progress_every: int = 25) -> ImportResult:
    """Validates ``data`` and writes it in one transaction; ``ContentPackageError`` lists every problem.

    Args:
        data: the parsed package.
        progress: called as ``progress(label, done, total)`` every ``progress_every`` items of a kind
            and when a kind is finished.
    Returns:
        counts of created, updated and unchanged items per kind.
    """
    errors = validate_package(data)
    if errors:
        raise ContentPackageError(errors)
    with transaction.atomic():
        return _Importer(data, progress, progress_every).run()
