"""Structured data (schema.org JSON-LD) for an article.

``article_jsonld`` is pure: it reads the page and its related rows, never a request, so the
HTML page and the API bundle describe an article the same way. ``jsonld_script`` renders the
result for the page ``<head>``, escaping ``<``, ``>`` and ``&`` so that editor-typed text can
never close the script element.
"""

from __future__ import annotations

import html
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from common.links import safe_link

SCHEMA = "https://schema.org"
BOARD_NAME = "Expert Board"
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def plain_text(value) -> str:
    """Text of a rich text value or HTML string, tags removed and entities decoded."""
    source = getattr(value, "source", value) or ""
    return " ".join(html.unescape(strip_tags(str(source))).split())


def _absolute(base_url: str, path: str) -> str:
    if not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def _site_name() -> str:
    return getattr(settings, "WAGTAIL_SITE_NAME", "") or "Magazine"


def person_jsonld(person, *, base_url: str, with_board: bool = False) -> dict:
    """A schema.org ``Person``: public profile fields only (never e-mails, licence numbers)."""
    data = {
        "@type": "Person",
        "name": person.display_name,
        "url": _absolute(base_url, person.get_absolute_url()),
    }
    if person.headline:
        data["jobTitle"] = person.headline
    same_as = [url for url in map(safe_link, (person.linkedin_url, person.website_url)) if url]
    if same_as:
        data["sameAs"] = same_as
    if with_board:
        credentials = person.valid_credentials()
        if credentials:
            data["hasCredential"] = [
                {
                    "@type": "EducationalOccupationalCredential",
                    "name": credential.title,
                    **(
                        {"recognizedBy": {"@type": "Organization", "name": credential.issuing_body}}
                        if credential.issuing_body
                        else {}
                    ),
                }
                for credential in credentials
            ]
        if person.shows_board_badge:
            data["memberOf"] = {
                "@type": "Organization",
                "name": f"{_site_name()} {BOARD_NAME}",
                "url": _absolute(base_url, "/experts/"),
            }
    return data


def citation_jsonld(value) -> dict:
    """A ``ScholarlyArticle`` for one citation block value."""
    data = {"@type": "ScholarlyArticle", "name": value.get("title", "")}
    if value.get("authors"):
        data["author"] = value["authors"]
    if value.get("journal"):
        data["isPartOf"] = {"@type": "Periodical", "name": value["journal"]}
    if value.get("year"):
        data["datePublished"] = str(value["year"])
    identifiers = []
    if value.get("doi"):
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": value["doi"]})
    if value.get("pmid"):
        identifiers.append({"@type": "PropertyValue", "propertyID": "PMID", "value": str(value["pmid"])})
    if identifiers:
        data["identifier"] = identifiers
    url = citation_url(value)
    if url:
        data["url"] = url
    return data


def citation_url(value) -> str:
    """Where a reader can find the cited work: its URL, else its DOI, else its PubMed page. Only an
    http(s) URL is ever returned (a stored ``javascript:`` URL is passed over)."""
    if safe_link(value.get("url")):
        return safe_link(value["url"])
    if value.get("doi"):
        return f"https://doi.org/{value['doi']}"
    if value.get("pmid"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{value['pmid']}/"
    return ""


def body_blocks(page, block_type: str) -> list:
    """The body's blocks of one type, in order. Only those are converted from their stored form:
    iterating the whole ``StreamValue`` would convert all 10–60 blocks of an article."""
    body = page.body
    if not body:
        return []
    return [body[i] for i, raw in enumerate(body.raw_data) if raw.get("type") == block_type]


def faq_items(page) -> list[tuple[str, str]]:
    """(question, plain-text answer) for every FAQ item in the body, in order."""
    items = []
    for block in body_blocks(page, "faq"):
        for item in block.value.get("items") or []:
            items.append((item.get("question", ""), plain_text(item.get("answer"))))
    return items


def _page_path(page) -> str:
    parts = page.get_url_parts()
    return parts[2] if parts else ""


def article_jsonld(page, *, base_url: str) -> list[dict]:
    """``MedicalWebPage`` for the article, then ``FAQPage`` when the body has FAQ items.

    Args:
        page: an ``ArticlePage`` (live or an in-memory preview); its authors, last review and
            topics are read through its relations, so prefetch them for a constant query count.
        base_url: scheme and host the absolute URLs start with, e.g. ``"https://example.org"``.
    Returns:
        A list of JSON-serialisable dicts, each with its own ``@context``.
    """
    url = _absolute(base_url, _page_path(page))
    publisher = {"@type": "Organization", "name": _site_name(), "url": _absolute(base_url, "/")}
    medical: dict = {
        "@context": SCHEMA,
        "@type": "MedicalWebPage",
        "headline": page.title,
        "name": page.title,
        "description": page.standfirst,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": getattr(settings, "LANGUAGE_CODE", "en").split("-")[0],
        "publisher": publisher,
        "author": [person_jsonld(rel.person, base_url=base_url) for rel in page.article_authors.all()],
    }
    if page.first_published_at:
        medical["datePublished"] = page.first_published_at.isoformat()
    modified = page.last_published_at or page.latest_revision_created_at
    if modified:
        medical["dateModified"] = modified.isoformat()
    review = page.last_review if page.last_review_id else None
    if review is not None:
        medical["reviewedBy"] = person_jsonld(review.reviewer, base_url=base_url, with_board=True)
        medical["lastReviewed"] = review.reviewed_at.date().isoformat()
    citations = [citation_jsonld(block.value) for block in body_blocks(page, "citation")]
    if citations:
        medical["citation"] = citations
    topics = [rel.tag for rel in page.tagged_topics.all()]
    if topics:
        medical["about"] = [{"@type": "Thing", "name": topic.name} for topic in topics]
        medical["keywords"] = ", ".join(topic.name for topic in topics)
    if page.hero_image_id and page.hero_image:
        medical["image"] = {
            "@type": "ImageObject",
            "url": _absolute(base_url, page.hero_image.file.url),
            "caption": page.hero_alt_text,
        }
    out = [medical]
    faqs = faq_items(page)
    if faqs:
        out.append(
            {
                "@context": SCHEMA,
                "@type": "FAQPage",
                "url": url,
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": question,
                        "acceptedAnswer": {"@type": "Answer", "text": answer},
                    }
                    for question, answer in faqs
                ],
            }
        )
    return out


def jsonld_script(data) -> SafeString:
    """``<script type="application/ld+json">`` holding ``data``, safe to place in HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 -- escaped above
